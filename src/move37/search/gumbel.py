"""Gumbel AlphaZero selection (Danihelka et al., "Policy improvement by planning with Gumbel", 2022).

At the root: Gumbel-top-k sampling without replacement of the actions to consider, then
sequential halving of the simulation budget among them (the schedule of
`considered_visits_table`, as in mctx); the move played is the surviving action with
the best g + logit + sigma(completed Q). Below the root: the deterministic rule
argmax(pi'(a) - N(a) / (1 + sum N)) with pi' = softmax(logit + sigma(completed Q)).
The policy target is pi' at the root — it improves on the prior even with few simulations.

Sequential halving assumes the root's children start with no visits, so Gumbel search
always starts from a fresh root (tree reuse applies to PUCT).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from move37.search._tree import completed_q, completed_values, log_prior, new_child


def considered_visits(max_considered: int, num_simulations: int) -> list[int]:
    """For each simulation, the visit count a root action must have to be chosen (sequential halving)."""
    if max_considered <= 1:
        return list(range(num_simulations))
    log2max = int(math.ceil(math.log2(max_considered)))
    sequence: list[int] = []
    visits = [0] * max_considered
    considered = max_considered
    while len(sequence) < num_simulations:
        extra = max(1, int(num_simulations / (log2max * considered)))
        for _ in range(extra):
            sequence.extend(visits[:considered])
            for i in range(considered):
                visits[i] += 1
        considered = max(2, considered // 2)
    return sequence[:num_simulations]


def considered_visits_table(max_considered: int, num_simulations: int) -> np.ndarray:
    """int32 (max_considered + 1, num_simulations): row m is the schedule when m actions are considered."""
    table = np.zeros((max_considered + 1, max(num_simulations, 1)), np.int32)
    for m in range(max_considered + 1):
        table[m, :num_simulations] = considered_visits(m, num_simulations)
    return table


@njit(cache=True)
def select(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
           final_value, num_nodes, logit, active, gumbel, table, table_id, sim, max_considered, c_visit, c_scale, out_leaf):
    """One descent per active game, as `puct.select`.

    logit: float64 (B, M, A) the tree's log priors. gumbel: float32 (B, A) root noise (zeros for
    deterministic play). table: int32 (T, K+1, S)
    considered-visit tables; game b uses table[table_id[b]]; sim: int32 (B,) the simulation index.
    """
    B, _, A = prior.shape
    fresh = np.zeros(B, np.bool_)
    sigma = np.empty(A, np.float32)
    for b in range(B):
        out_leaf[b] = -1
        if active[b]:
            out_leaf[b], fresh[b] = descend(visits, value_sum, raw_value, prior, legal, children, parent, action,
                                            terminal, num_nodes, logit, b, gumbel, table[table_id[b]], sim[b],
                                            max_considered, c_visit, c_scale, sigma)
    return fresh


@njit(cache=True)
def descend(visits, value_sum, raw_value, prior, legal, children, parent, action, terminal, num_nodes, logit, b, gumbel,
            schedule, sim, max_considered, c_visit, c_scale, sigma):
    """Game b's descent for simulation `sim`: returns (leaf node, whether it was created now).

    schedule: int32 (K+1, S) the game's considered-visit table; sigma: float32 (A,) scratch.
    Shared by `select`, `select_rounds` and the fused search (move37.search._fused_gumbel), so all descend alike.
    """
    if terminal[b, 0]:
        return 0, False
    completed_q(visits, value_sum, raw_value, prior, legal, children, b, 0, c_visit, c_scale, sigma)
    A = prior.shape[2]
    n_legal = 0
    for a in range(A):
        n_legal += legal[b, 0, a]
    want = schedule[min(max_considered, n_legal), sim]
    best, best_a = -np.inf, -1
    for a in range(A):
        if not legal[b, 0, a]:
            continue
        c = children[b, 0, a]
        n = visits[b, c] if c >= 0 else 0
        if n != want:
            continue
        score = gumbel[b, a] + logit[b, 0, a] + sigma[a]
        if score > best:
            best, best_a = score, a
    if best_a < 0:  # past the schedule (budget larger than planned): most-visited rule
        for a in range(A):
            if legal[b, 0, a]:
                score = gumbel[b, a] + logit[b, 0, a] + sigma[a]
                if score > best:
                    best, best_a = score, a
    return descend_below(visits, value_sum, raw_value, prior, legal, children, parent, action, terminal, num_nodes,
                         logit, b, best_a, c_visit, c_scale, sigma)


@njit(cache=True, inline="always")  # inlined: a call per descent costs the fused search a third of its speed
def descend_below(visits, value_sum, raw_value, prior, legal, children, parent, action, terminal, num_nodes, logit, b,
                  root_action, c_visit, c_scale, sigma):
    """Game b's descent through the root's child `root_action`, by the deterministic rule below the root:
    argmax(pi'(a) - N(a) / (1 + sum N)). Returns (leaf node, whether it was created now)."""
    A = prior.shape[2]
    node, best_a = 0, root_action
    while True:
        c = children[b, node, best_a]
        if c < 0:
            return new_child(children, visits, value_sum, parent, action, terminal, num_nodes, b, node, best_a), True
        node = c
        if terminal[b, node]:
            return node, False
        completed_q(visits, value_sum, raw_value, prior, legal, children, b, node, c_visit, c_scale, sigma)
        hi = -np.inf
        for a in range(A):
            if legal[b, node, a]:
                sigma[a] += logit[b, node, a]
                hi = max(hi, sigma[a])
        total, sum_n = 0.0, 0
        for a in range(A):
            if legal[b, node, a]:
                sigma[a] = np.exp(sigma[a] - hi)
                total += sigma[a]
                c = children[b, node, a]
                sum_n += visits[b, c] if c >= 0 else 0
        best, best_a = -np.inf, -1
        for a in range(A):
            if legal[b, node, a]:
                c = children[b, node, a]
                n = visits[b, c] if c >= 0 else 0
                score = sigma[a] / total - n / (1.0 + sum_n)
                if score > best:
                    best, best_a = score, a


@njit(cache=True)
def select_rounds(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                  final_value, num_nodes, logit, sims, gumbel, table, table_id, done, max_considered, c_visit, c_scale,
                  out_games, out_leaf, out_fresh):
    """Like `select`, but a game whose next simulations form a whole round of sequential halving descends
    once below each action of that round at once: all leaves of a round go to one evaluation call.

    A round is a run of equal entries `want` in the schedule, and it is whole when the actions with `want`
    visits are exactly as many as the run: then each gets one visit whatever the order, and as their
    subtrees share no node, the tree after the round is the one the sequential search builds (only the
    root's own value sum adds in another order). Other simulations (those that choose which actions
    survive a halving) descend one at a time, as in `select`.

    sims, done: int32 (B,) budgets and simulations started so far (advanced here). out_games, out_leaf,
    out_fresh: (B * A,) the game, leaf node and whether it was created now of each descent.
    Returns K, the number of descents written.
    """
    B, _, A = prior.shape
    sigma = np.empty(A, np.float32)
    k = 0
    for b in range(B):
        if done[b] >= sims[b]:
            continue
        schedule = table[table_id[b]]
        n_legal = 0
        for a in range(A):
            n_legal += legal[b, 0, a]
        row = schedule[min(max_considered, n_legal)]
        want, run = row[done[b]], 0
        while done[b] + run < sims[b] and row[done[b] + run] == want:
            run += 1
        eligible = 0
        for a in range(A):
            c = children[b, 0, a]
            if legal[b, 0, a] and (visits[b, c] if c >= 0 else 0) == want:
                eligible += 1
        if run > 1 and eligible == run and not terminal[b, 0]:
            for a in range(A):
                c = children[b, 0, a]
                if legal[b, 0, a] and (visits[b, c] if c >= 0 else 0) == want:
                    out_games[k] = b
                    out_leaf[k], out_fresh[k] = descend_below(visits, value_sum, raw_value, prior, legal, children,
                                                              parent, action, terminal, num_nodes, logit, b, a,
                                                              c_visit, c_scale, sigma)
                    k += 1
            done[b] += run
        else:
            out_games[k] = b
            out_leaf[k], out_fresh[k] = descend(visits, value_sum, raw_value, prior, legal, children, parent, action,
                                                terminal, num_nodes, logit, b, gumbel, schedule, done[b],
                                                max_considered, c_visit, c_scale, sigma)
            k += 1
            done[b] += 1
    return k


@njit(cache=True)
def root_decision(visits, value_sum, raw_value, prior, legal, children, gumbel, c_visit, c_scale, discount,
                  out_action, out_policy, out_value):
    """The move, the improved policy target and the value of every game's root.

    out_action: int32 (B,), the most-visited considered action with the best g + logit + sigma(q).
    out_policy: float32 (B, A), pi' = softmax(logit + sigma(completed Q)) over legal actions.
    out_value: float32 (B,), the improved policy's value for the root's mover,
    discount * sum_a pi'(a) completed_Q(a) (the raw value while no child is visited). Not the
    root's mean backed-up value: sequential halving spreads the first rounds' visits evenly
    over the considered actions, so that mean counts weak moves as much as the best one, and
    on solved Connect Four positions it tracks the exact value far worse than pi''s value does
    (docs/results/zero.md).
    """
    B, _, A = prior.shape
    sigma = np.empty(A, np.float32)
    completed = np.empty(A, np.float32)
    for b in range(B):
        out_action[b] = -1
        out_value[b] = 0.0
        if not legal[b, 0].any():
            out_policy[b] = 0.0
            continue
        max_n = completed_values(visits, value_sum, raw_value, prior, legal, children, b, 0, completed)
        completed_q(visits, value_sum, raw_value, prior, legal, children, b, 0, c_visit, c_scale, sigma)
        best, hi = -np.inf, -np.inf
        for a in range(A):
            if not legal[b, 0, a]:
                continue
            c = children[b, 0, a]
            n = visits[b, c] if c >= 0 else 0
            logit = log_prior(prior[b, 0, a]) + sigma[a]
            hi = max(hi, logit)
            if n == max_n and gumbel[b, a] + logit > best:
                best, out_action[b] = gumbel[b, a] + logit, a
        total = 0.0
        for a in range(A):
            if legal[b, 0, a]:
                out_policy[b, a] = np.exp(log_prior(prior[b, 0, a]) + sigma[a] - hi)
                total += out_policy[b, a]
            else:
                out_policy[b, a] = 0.0
        value = 0.0
        for a in range(A):
            out_policy[b, a] /= total
            value += out_policy[b, a] * completed[a]
        out_value[b] = discount * value if max_n > 0 else raw_value[b, 0]
