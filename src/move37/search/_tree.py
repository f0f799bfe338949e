"""Search trees for B games at once, held in preallocated arrays (no node objects, no recursion).

Node 0 of every game is its root; a node is created when search first reaches it
and its index never changes until `compact` moves a reused subtree to the front.
Values are for two-player zero-sum games and are stored from a stated point of view:

    visits      int32   (B, M)     N: visits through the node
    value_sum   float32 (B, M)     W: sum of backed-up values, from the view of the player who
                                    moved INTO the node (the parent's mover); at the root, the root's mover
    raw_value   float32 (B, M)     the evaluation's value for the node's own mover
    prior       float32 (B, M, A)  P: the evaluation's policy over actions (0 on illegal ones)
    logit       float64 (B, M, A)  log(max(P, 1e-30)) on legal actions, written with P (Gumbel's
                                    descent reads it at every visit; PUCT and `compact` ignore it)
    legal       bool    (B, M, A)
    children    int32   (B, M, A)  child node index, -1 when not created
    parent      int32   (B, M)     -1 at the root
    action      int32   (B, M)     the action that leads from the parent here
    player      int8    (B, M)     the node's mover
    terminal    bool    (B, M)
    final_value float32 (B, M)     player 0's return at terminal nodes
    num_nodes   int32   (B,)
    reward      float32 (B, M)     the reward of the step into the node for the player who made it
                                    (searches over a model with rewards only, see `backup_rewards`)

Kernels here are shared by PUCT and Gumbel search; the selection rules live in
`puct.py` and `gumbel.py`.
"""

from __future__ import annotations

import numpy as np
from numba import njit


class Tree:
    """The arrays above for `batch` games, `capacity` nodes each, `num_actions` actions."""

    def __init__(self, batch: int, capacity: int, num_actions: int):
        B, M, A = batch, capacity, num_actions
        self.batch, self.capacity, self.num_actions = B, M, A
        self.visits = np.zeros((B, M), np.int32)
        self.value_sum = np.zeros((B, M), np.float32)
        self.raw_value = np.zeros((B, M), np.float32)
        self.prior = np.zeros((B, M, A), np.float32)
        self.logit = np.zeros((B, M, A), np.float64)
        self.legal = np.zeros((B, M, A), np.bool_)
        self.children = np.full((B, M, A), -1, np.int32)
        self.parent = np.full((B, M), -1, np.int32)
        self.action = np.full((B, M), -1, np.int32)
        self.player = np.zeros((B, M), np.int8)
        self.terminal = np.zeros((B, M), np.bool_)
        self.final_value = np.zeros((B, M), np.float32)
        self.num_nodes = np.zeros(B, np.int32)
        self.reward = np.zeros((B, M), np.float32)

    def arrays(self) -> tuple:
        """The arrays in the order every kernel takes them."""
        return (self.visits, self.value_sum, self.raw_value, self.prior, self.legal, self.children,
                self.parent, self.action, self.player, self.terminal, self.final_value, self.num_nodes)

    def clear(self, b: int) -> None:
        """Empty game b's tree: only an unexpanded root remains (node 0). Other nodes are left as they
        are: `new_child` resets a node's links and counts when it creates it, and the evaluation's
        fields are written before they are read."""
        _clear(self.visits, self.value_sum, self.children, self.parent, self.action, self.terminal,
               self.num_nodes, b)


@njit(cache=True)
def root_outputs(children, visits, value_sum, out_visits, out_q, out_value):
    """What search reports of every root: out_visits int32 (B, A) the children's visit counts (0 where
    not created), out_q float32 (B, A) their mean values for the root's mover (0 where unvisited),
    out_value float32 (B,) the root's mean backed-up value for its mover."""
    B, _, A = children.shape
    for b in range(B):
        for a in range(A):
            c = children[b, 0, a]
            n = visits[b, c] if c >= 0 else 0
            out_visits[b, a] = n
            out_q[b, a] = np.float64(value_sum[b, c]) / n if n > 0 else 0.0
        out_value[b] = np.float64(value_sum[b, 0]) / max(visits[b, 0], 1)


@njit(cache=True)
def _clear(visits, value_sum, children, parent, action, terminal, num_nodes, b):
    visits[b, 0] = 0
    value_sum[b, 0] = 0.0
    children[b, 0, :] = -1
    parent[b, 0] = -1
    action[b, 0] = -1
    terminal[b, 0] = False
    num_nodes[b] = 1


@njit(cache=True)
def new_child(children, visits, value_sum, parent, action, terminal, num_nodes, b, node, a):
    """Create the child of `node` reached by action a; returns its index."""
    c = num_nodes[b]
    num_nodes[b] = c + 1
    children[b, c, :] = -1
    visits[b, c] = 0
    value_sum[b, c] = 0.0
    parent[b, c] = node
    action[b, c] = a
    terminal[b, c] = False
    children[b, node, a] = c
    return c


@njit(cache=True)
def backup(visits, value_sum, parent, player, games, leaves, values0, discount):
    """Add one visit and the leaf value along the path from each leaf to its root.

    games, leaves: int (K,) the game and leaf node of each evaluated path.
    values0: float32 (K,) the leaf value for player 0. discount: see `backup_one`.
    """
    for k in range(games.shape[0]):
        backup_one(visits, value_sum, parent, player, games[k], leaves[k], values0[k], discount)


@njit(cache=True, inline="always")
def backup_one(visits, value_sum, parent, player, b, node, v0, discount):
    """`backup` of one path: game b, from `node` up; v0 (float32) the leaf value for player 0.

    discount (float32): the value shrinks by this factor per move between the leaf and the node
    it is added to, so a win found nearer is worth more (1: AlphaZero's undiscounted values).
    Without it search cannot tell a quick win from a slow one, and only the fastest win (or
    slowest loss) is the solver's optimal move.
    """
    while node >= 0:
        visits[b, node] += 1
        p = parent[b, node]
        mover = player[b, p] if p >= 0 else player[b, node]
        value_sum[b, node] += v0 if mover == 0 else -v0
        v0 = v0 * discount
        node = p


@njit(cache=True)
def backup_rewards(visits, value_sum, parent, player, reward, games, leaves, values0, discount):
    """`backup` for trees whose edges carry rewards (MuZero): a node's value sum gathers
    Q = reward[node] + discount * (the node's value for its parent's mover), so a child's mean value is
    the action's Q at its parent, the quantity `completed_values` and the root decision read.

    games, leaves: int (K,); values0: float32 (K,) the leaf value for player 0; discount: float32.
    A node's value for its parent's mover is its own mover's value, negated when the mover changed (board
    games: rewards and values keep the two-player sign convention); the root adds its own value.
    """
    for k in range(games.shape[0]):
        b, node = games[k], leaves[k]
        g = values0[k] if player[b, node] == 0 else -values0[k]  # for the node's own mover
        while node >= 0:
            visits[b, node] += 1
            p = parent[b, node]
            if p < 0:
                value_sum[b, node] += g
                break
            q = reward[b, node] + discount * (g if player[b, p] == player[b, node] else -g)
            value_sum[b, node] += q
            g = q
            node = p


@njit(cache=True, inline="always")
def completed_values(visits, value_sum, raw_value, prior, legal, children, b, node, out):
    """Gumbel AlphaZero's completed Q of every action of `node`, into out (A,) (0 on illegal actions);
    returns the largest child visit count.

    Visited children keep their mean value; unvisited ones get the mixed value
    v_mix = (v + sum_N * sum_visited(P q) / sum_visited(P)) / (1 + sum_N) (Danihelka et al. 2022,
    as in mctx's qtransform_completed_by_mix_value).
    """
    A = out.shape[0]
    sum_n = 0
    max_n = 0
    sum_p = 0.0
    sum_pq = 0.0
    for a in range(A):
        c = children[b, node, a]
        if legal[b, node, a] and c >= 0 and visits[b, c] > 0:
            n = visits[b, c]
            q = value_sum[b, c] / n
            sum_n += n
            max_n = max(max_n, n)
            p = max(prior[b, node, a], 1e-30)
            sum_p += p
            sum_pq += p * q
    weighted = sum_pq / sum_p if sum_p > 0 else 0.0
    v_mix = (raw_value[b, node] + sum_n * weighted) / (sum_n + 1)
    for a in range(A):
        c = children[b, node, a]
        if not legal[b, node, a]:
            out[a] = 0.0
        else:
            out[a] = value_sum[b, c] / visits[b, c] if c >= 0 and visits[b, c] > 0 else v_mix
    return max_n


@njit(cache=True)
def completed_q(visits, value_sum, raw_value, prior, legal, children, b, node, c_visit, c_scale, out):
    """Gumbel AlphaZero's sigma(completed Q) for every action of `node`, into out (A,): the completed
    values (`completed_values`) min-max rescaled over legal actions and multiplied by
    (c_visit + max_N) * c_scale."""
    max_n = completed_values(visits, value_sum, raw_value, prior, legal, children, b, node, out)
    A = out.shape[0]
    lo = np.inf
    hi = -np.inf
    for a in range(A):
        if legal[b, node, a]:
            lo = min(lo, out[a])
            hi = max(hi, out[a])
    scale = (c_visit + max_n) * c_scale
    span = max(hi - lo, 1e-8)
    for a in range(A):
        if legal[b, node, a]:
            out[a] = scale * (out[a] - lo) / span


@njit(cache=True)
def compact(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
            final_value, num_nodes, b, new_root):
    """Make node `new_root` of game b the root, keeping its subtree and dropping the rest.

    Returns int32 (M,): the new index of each old node, -1 for dropped ones (so a
    per-node store outside the arrays can follow the move).
    """
    M = visits.shape[1]
    old_parent_player = player[b, parent[b, new_root]]
    remap = np.full(M, -1, np.int32)
    order = np.empty(M, np.int32)
    order[0] = new_root
    remap[new_root] = 0
    head, tail = 0, 1
    while head < tail:  # breadth-first: order[k] is the old index of new node k
        old = order[head]
        head += 1
        for a in range(children.shape[2]):
            c = children[b, old, a]
            if c >= 0:
                remap[c] = tail
                order[tail] = c
                tail += 1
    n = tail
    v, w, rv = visits[b, order[:n]].copy(), value_sum[b, order[:n]].copy(), raw_value[b, order[:n]].copy()
    pr, lg, ch = prior[b, order[:n]].copy(), legal[b, order[:n]].copy(), children[b, order[:n]].copy()
    pa, ac, pl = parent[b, order[:n]].copy(), action[b, order[:n]].copy(), player[b, order[:n]].copy()
    te, fv = terminal[b, order[:n]].copy(), final_value[b, order[:n]].copy()
    for k in range(n):
        visits[b, k] = v[k]
        value_sum[b, k] = w[k]
        raw_value[b, k] = rv[k]
        prior[b, k] = pr[k]
        legal[b, k] = lg[k]
        for a in range(ch.shape[1]):
            children[b, k, a] = remap[ch[k, a]] if ch[k, a] >= 0 else -1
        parent[b, k] = remap[pa[k]] if k > 0 else -1
        action[b, k] = ac[k] if k > 0 else -1
        player[b, k] = pl[k]
        terminal[b, k] = te[k]
        final_value[b, k] = fv[k]
    # The new root's value sum was from its parent's mover's view; the root keeps its own mover's.
    if player[b, 0] != old_parent_player:
        value_sum[b, 0] = -value_sum[b, 0]
    num_nodes[b] = n
    return remap


@njit(cache=True, inline="always")
def log_prior(p):
    """The logit Gumbel search uses for prior p (float64; tiny priors floored)."""
    return np.log(max(p, 1e-30))


@njit(cache=True)
def write_leaves(prior, logit, legal, raw_value, player, terminal, final_value, games, nodes, leaf_legal, leaf_player,
                 leaf_terminal, leaf_final, open_idx, priors, values, values0):
    """Store K new nodes (games, nodes: (K,)) and their evaluations, and each one's value for player 0.

    open_idx: (J,) which of the K are not terminal; priors (J, A) and values (J,) are their evaluations.
    values0: float32 (K,) out.
    """
    for k in range(games.shape[0]):
        b, n = games[k], nodes[k]
        player[b, n] = leaf_player[k]
        terminal[b, n] = leaf_terminal[k]
        final_value[b, n] = leaf_final[k]
        values0[k] = leaf_final[k]
    for j in range(open_idx.shape[0]):
        k = open_idx[j]
        b, n = games[k], nodes[k]
        for a in range(prior.shape[2]):
            legal[b, n, a] = leaf_legal[k, a]
            prior[b, n, a] = priors[j, a] if leaf_legal[k, a] else 0.0
            logit[b, n, a] = log_prior(prior[b, n, a])
        raw_value[b, n] = values[j]
        values0[k] = values[j] if leaf_player[k] == 0 else -values[j]
