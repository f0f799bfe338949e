"""PUCT selection (AlphaZero): descend by Q + c * P * sqrt(N_parent) / (1 + N_child).

Unvisited children take the parent's own evaluation as their Q ("first-play urgency
= parent value"), so a child is not tried just because it is new. Exploration at the
root comes from Dirichlet noise mixed into the root priors (`add_dirichlet`) and from
the temperature with which self-play samples the move from the visit counts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.search._tree import new_child


@njit(cache=True)
def select(visits, value_sum, raw_value, prior, legal, children, parent, action, player, terminal,
           final_value, num_nodes, active, c_puct, out_leaf):
    """One descent per active game; creates the leaf node it stops at (unless terminal).

    active: bool (B,). out_leaf: int32 (B,), the node reached (-1 for inactive games).
    Returns bool (B,): whether the leaf is new (needs the game stepped and evaluated).
    """
    B, _, A = prior.shape
    fresh = np.zeros(B, np.bool_)
    for b in range(B):
        out_leaf[b] = -1
        if not active[b]:
            continue
        node = 0
        while True:
            if terminal[b, node]:
                out_leaf[b] = node
                break
            sqrt_n = np.sqrt(max(visits[b, node], 1))
            fpu = raw_value[b, node]
            best, best_a = -np.inf, -1
            for a in range(A):
                if not legal[b, node, a]:
                    continue
                c = children[b, node, a]
                n = visits[b, c] if c >= 0 else 0
                q = value_sum[b, c] / n if n > 0 else fpu
                score = q + c_puct * prior[b, node, a] * sqrt_n / (1 + n)
                if score > best:
                    best, best_a = score, a
            c = children[b, node, best_a]
            if c < 0:
                out_leaf[b] = new_child(children, visits, value_sum, parent, action, terminal, num_nodes, b, node, best_a)
                fresh[b] = True
                break
            node = c
    return fresh


def add_dirichlet(prior: np.ndarray, legal: np.ndarray, alpha: float, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Root priors (A,) mixed with Dirichlet(alpha) noise over the legal actions."""
    out = prior.copy()
    idx = np.flatnonzero(legal)
    if len(idx) > 1 and fraction > 0:
        out[idx] = (1 - fraction) * prior[idx] + fraction * rng.dirichlet(np.full(len(idx), alpha))
    return out


def visit_policy(visits: np.ndarray, temperature: float, rng: np.random.Generator | None) -> tuple[int, np.ndarray]:
    """(action, policy (A,)) from root visit counts (A,): sampled with N^(1/T), argmax when T = 0."""
    n = visits.astype(np.float64)
    target = n / n.sum()
    if temperature <= 0 or rng is None:
        return int(np.argmax(n)), target
    p = n ** (1.0 / temperature)
    p /= p.sum()
    return int(rng.choice(len(p), p=p)), target
