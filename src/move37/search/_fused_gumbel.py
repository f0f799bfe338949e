"""Gumbel search fused with Connect Four's compiled rules: descent, game step, terminal test,
encoding, evaluation, write-back and backup in compiled code.

Why: at 64 games a simulation step of the unfused search is a dozen small NumPy and
Numba calls, each paying Python's dispatch cost, which costs more than the work itself
without a network or with a small one. Kernels over the tree arrays of
move37.search._tree and the (B, M) bitboards of `BitboardStore`:

- `run_kernel`: all simulations of a move for every game, when the evaluator can be
  evaluated in compiled code (`evaluate.kernel`, see move37.search.kernel_eval). Games
  are independent when each leaf is evaluated alone (and a position's evaluation does
  not depend on its batch), so each game runs its whole search in turn, its tree staying
  in cache, leaves evaluated as they come, or looked up in an evaluation cache keyed by
  position.
- `run_kernel_parallel`: the same with the games spread over Numba's threads.
- `step_kernel`: one simulation step of every game for any Python evaluator: writes back
  the previous step's evaluations, descends, steps and describes the new leaves, and
  returns how many need the evaluator, whose one batched call Python makes between two
  steps.

All descend with `gumbel.descend` (shared with the unfused `gumbel.select`), use the same
float32 arithmetic, and a position's evaluation does not depend on its batch, so visit
counts, actions and policies are identical to the unfused loop's (tests compare them).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from move37.games._connect4_kernels import WIDTH, aligned, can_play, is_terminal_one, play_one, popcount
from move37.search.kernel_eval import BLOCK, UNIFORM, evaluate_batch
from move37.search._tree import backup_one, log_prior
from move37.search.gumbel import descend

OBS_SIZE = 2 * 6 * WIDTH  # Connect Four's observation (2, 6, 7), flattened
GROUP = 32  # games searched in lockstep with a network (their leaves evaluated together)


@njit(cache=True, inline="always")
def _describe(position, mask, player, terminal, final_value, b, n):
    """Record node n's mover and terminal status from its bitboards; True when it is terminal."""
    pos, msk = position[b, n], mask[b, n]
    mover = popcount(msk) & 1
    player[b, n] = mover
    if is_terminal_one(pos, msk):
        terminal[b, n] = True
        # the previous mover (1 - mover) connected four, or a draw
        final_value[b, n] = 0.0 if not aligned(pos ^ msk) else (1.0 if mover == 1 else -1.0)
        return True
    terminal[b, n] = False
    final_value[b, n] = 0.0
    return False


@njit(cache=True, inline="always")
def _step(position, mask, parent, action, b, n):
    """The bitboards of new node n: its parent's, stepped by its action."""
    p = parent[b, n]
    position[b, n], mask[b, n] = play_one(position[b, p], mask[b, p], action[b, n])


@njit(cache=True, inline="always")
def _encode(pos, msk, x, legal):
    """x float32 (84,): the (2, 6, 7) observation flattened (as `_connect4_kernels.encode`); legal bool (7,)."""
    x[:] = 0.0
    theirs = pos ^ msk
    for c in range(WIDTH):
        legal[c] = can_play(msk, c)
        for r in range(6):
            bit = 1 << (7 * c + r)
            i = (5 - r) * WIDTH + c
            if pos & bit:
                x[i] = 1.0
            elif theirs & bit:
                x[OBS_SIZE // 2 + i] = 1.0


@njit(cache=True, inline="always")
def _legal(msk, legal):
    """legal bool (7,): the columns with room."""
    for c in range(WIDTH):
        legal[c] = can_play(msk, c)


@njit(cache=True, inline="always")
def _store(prior, logit, legal, raw_value, player, b, n, legal_row, prior_row, value):
    """Write a leaf's evaluation (as `_tree.write_leaves`); returns its value for player 0 (float32)."""
    last_p, last_log = np.float32(-1.0), 0.0  # equal priors (all of them without a network) share one log
    for a in range(prior.shape[2]):
        legal[b, n, a] = legal_row[a]
        p = prior_row[a] if legal_row[a] else np.float32(0.0)
        prior[b, n, a] = p
        if p != last_p:
            last_p, last_log = p, log_prior(p)
        logit[b, n, a] = last_log
    raw_value[b, n] = value
    return value if player[b, n] == 0 else -value


@njit(cache=True, inline="always")
def _slot(key, slots):
    """Cache slot of a position key (Fibonacci hashing; slots a power of two)."""
    h = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64((h >> np.uint64(32)) & np.uint64(slots - 1))


@njit(cache=True)
def _search_group(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                  final_value, num_nodes, logit, position, mask, lo, hi, sims, gumbel, table, table_id, max_considered,
                  c_visit, c_scale, discount, net, cache, counts):
    """Games lo..hi-1 searched in lockstep: their roots expanded when new, then at each simulation
    step every game of the group descends once, and the new leaves that the cache does not hold are
    evaluated together, so a network's dense layers are matrix products over blocks of leaves
    (kernel_eval.BLOCK) instead of one matrix-vector product per leaf. Games are independent and a
    position's evaluation does not depend on its batch, so each game's tree is the one a group of one
    (a game searched alone, its tree staying in cache: how `run_kernel` searches without a network)
    builds.

    sims int32 (B,) simulations per game (0: skip it); table and table_id as `run_kernel`.
    net: (kind, weights, layout, width) a `Kernel`. cache: this thread's (keys int64 (S,), priors
    float32 (S, A), values float32 (S,)): a position whose key (`position + mask`, unique) is
    stored is not evaluated again; the stored result is what `evaluate_batch` gives it (same
    input, and a position's result does not depend on its batch). S = 0: no cache.
    counts: int64 (2,) evaluations found in the cache, evaluations made.
    """
    A = prior.shape[2]
    kind, weights, layout, width = net
    keys, cached_priors, cached_values = cache
    G = hi - lo
    sigma = np.empty(A, np.float32)
    x = np.zeros((G, OBS_SIZE), np.float32)
    rows_legal = np.zeros((G, A), np.bool_)
    hit_legal = np.zeros(A, np.bool_)  # a cached leaf's legal moves (the rows may hold pending leaves)
    rows_prior = np.empty((G, A), np.float32)
    rows_value = np.empty(G, np.float32)
    rows_game = np.empty(G, np.int64)
    rows_node = np.empty(G, np.int64)
    rows_slot = np.empty(G, np.int64)
    rows_key = np.empty(G, np.int64)
    size = -(-G // BLOCK) * BLOCK * width
    h0 = np.empty(size, np.float32)
    h1 = np.empty(size, np.float32)
    steps = 0
    for b in range(lo, hi):
        steps = max(steps, sims[b])
    hits, made = 0, 0  # counted here, added to `counts` once: threads' rows share a cache line
    for s in range(-1, steps):
        count = 0
        for b in range(lo, hi):
            if sims[b] <= s or sims[b] <= 0:
                continue
            if s < 0:  # the root, when new (a live root: not terminal)
                if visits[b, 0] != 0:
                    continue
                leaf = 0
                _describe(position, mask, player, terminal, final_value, b, 0)
            else:
                leaf, fresh = descend(visits, value_sum, raw_value, prior, legal, children, parent, action,
                                      terminal, num_nodes, logit, b, gumbel, table[table_id[b]], s, max_considered,
                                      c_visit, c_scale, sigma)
                if fresh:
                    _step(position, mask, parent, action, b, leaf)
                if not fresh or _describe(position, mask, player, terminal, final_value, b, leaf):
                    backup_one(visits, value_sum, parent, player, b, leaf, final_value[b, leaf], discount)
                    continue
            pos, msk = position[b, leaf], mask[b, leaf]
            key = pos + msk + 1  # 0 marks an empty cache slot
            slot = _slot(key, keys.shape[0]) if keys.shape[0] > 0 else -1
            if slot >= 0 and keys[slot] == key:
                hits += 1
                _legal(msk, hit_legal)
                v0 = _store(prior, logit, legal, raw_value, player, b, leaf, hit_legal, cached_priors[slot],
                            cached_values[slot])
                backup_one(visits, value_sum, parent, player, b, leaf, v0, discount)
                continue
            if kind == UNIFORM:  # no network: the priors need only the legal moves
                _legal(msk, rows_legal[count])
            else:
                _encode(pos, msk, x[count], rows_legal[count])
            rows_game[count], rows_node[count], rows_slot[count], rows_key[count] = b, leaf, slot, key
            count += 1
        if count == 0:
            continue
        made += count
        if count == G:  # whole arrays: no views to make (a group of one, every step)
            evaluate_batch(kind, weights, layout, x, rows_legal, rows_prior, rows_value, h0, h1)
        else:
            evaluate_batch(kind, weights, layout, x[:count], rows_legal[:count], rows_prior[:count],
                           rows_value[:count], h0, h1)
        for k in range(count):
            b, leaf, slot = rows_game[k], rows_node[k], rows_slot[k]
            if slot >= 0:
                keys[slot] = rows_key[k]
                cached_priors[slot] = rows_prior[k]
                cached_values[slot] = rows_value[k]
            v0 = _store(prior, logit, legal, raw_value, player, b, leaf, rows_legal[k], rows_prior[k], rows_value[k])
            backup_one(visits, value_sum, parent, player, b, leaf, v0, discount)
    counts[0] += hits
    counts[1] += made


@njit(cache=True)
def run_kernel(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal, final_value,
               num_nodes, logit, position, mask, sims, gumbel, table, table_id, max_considered, c_visit, c_scale,
               discount, kind, weights, layout, width, cache_keys, cache_priors, cache_values, counts):
    """Every game's search with a compiled evaluator: game by game without a network (its tree
    stays in cache: a group of one), in lockstep groups of GROUP games with one (`_search_group`).

    sims: int32 (B,) simulations per game (0: skip the game); gumbel float32 (B, A); table int32
    (T, K+1, S) with table_id int32 (B,), as `gumbel.select`; kind, weights, layout, width: a `Kernel`;
    cache_keys (T, S), cache_priors (T, S, A), cache_values (T, S): the evaluation cache, a row per
    thread (see `_search_group`; S = 0 for none); counts: int64 (T, 2) out, evaluations found in the
    cache and made, per thread.
    """
    net = (kind, weights, layout, width)
    cache = (cache_keys[0], cache_priors[0], cache_values[0])
    B = sims.shape[0]
    if kind != UNIFORM:
        for lo in range(0, B, GROUP):
            _search_group(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                          final_value, num_nodes, logit, position, mask, lo, min(lo + GROUP, B), sims, gumbel,
                          table, table_id, max_considered, c_visit, c_scale, discount, net, cache, counts[0])
        return
    for b in range(B):  # no network: game by game, each tree staying in cache
        if sims[b] > 0:
            _search_group(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                          final_value, num_nodes, logit, position, mask, b, b + 1, sims, gumbel, table, table_id,
                          max_considered, c_visit, c_scale, discount, net, cache, counts[0])


@njit(cache=True, parallel=True)
def run_kernel_parallel(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                        final_value, num_nodes, logit, position, mask, sims, gumbel, table, table_id, max_considered,
                        c_visit, c_scale, discount, kind, weights, layout, width, cache_keys, cache_priors, cache_values, counts):
    """`run_kernel` with the games (or lockstep groups) spread over Numba's threads
    (`numba.set_num_threads`); each thread has its own row of the cache and of counts."""
    net = (kind, weights, layout, width)
    B = sims.shape[0]
    if kind != UNIFORM:
        for g in prange(-(-B // GROUP)):
            t = numba.get_thread_id()
            _search_group(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                          final_value, num_nodes, logit, position, mask, g * GROUP, min((g + 1) * GROUP, B), sims,
                          gumbel, table, table_id, max_considered, c_visit, c_scale, discount, net,
                          (cache_keys[t], cache_priors[t], cache_values[t]), counts[t])
        return
    for b in prange(B):
        if sims[b] > 0:
            t = numba.get_thread_id()
            _search_group(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
                          final_value, num_nodes, logit, position, mask, b, b + 1, sims, gumbel, table, table_id,
                          max_considered, c_visit, c_scale, discount, net,
                          (cache_keys[t], cache_priors[t], cache_values[t]), counts[t])


@njit(cache=True)
def step_kernel(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal, final_value,
                num_nodes, logit, position, mask, sims, gumbel, table, table_id, max_considered, c_visit, c_scale, discount,
                s, pending, priors, values, games, nodes, obs, leaf_legal):
    """Write back the previous step's `pending` evaluations, then run simulation step s of every game.

    games, nodes: int64 (B,) the game and node of each leaf to evaluate; obs float32 (B, 84) and
    leaf_legal bool (B, A) its evaluator input; priors float32 (pending, A), values float32 (pending,)
    what the evaluator answered for the first `pending` rows of the previous call.
    Returns how many rows of this step need the evaluator (terminal leaves are backed up here).
    """
    A = prior.shape[2]
    for k in range(pending):
        b, n = games[k], nodes[k]
        backup_one(visits, value_sum, parent, player, b, n,
                   _store(prior, logit, legal, raw_value, player, b, n, leaf_legal[k], priors[k], values[k]), discount)
    sigma = np.empty(A, np.float32)
    count = 0
    for b in range(sims.shape[0]):
        if sims[b] <= s:
            continue
        leaf, fresh = descend(visits, value_sum, raw_value, prior, legal, children, parent, action, terminal,
                              num_nodes, logit, b, gumbel, table[table_id[b]], s, max_considered, c_visit, c_scale, sigma)
        if fresh:
            _step(position, mask, parent, action, b, leaf)
            if not _describe(position, mask, player, terminal, final_value, b, leaf):
                _encode(position[b, leaf], mask[b, leaf], obs[count], leaf_legal[count])
                games[count], nodes[count] = b, leaf
                count += 1
                continue
        backup_one(visits, value_sum, parent, player, b, leaf, final_value[b, leaf], discount)
    return count
