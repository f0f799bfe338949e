"""Evaluators that compiled search runs inside its own loop, with no Python between simulations.

Any `evaluate(obs, legal) -> (priors, values)` works with search. One that also carries
a `kernel` attribute (a `Kernel`: what to compute and the weights, as flat arrays) can be
evaluated by compiled code one position at a time, so a compiled search (see
move37.search._fused_gumbel) calls no Python at all during a move. Its own `__call__`
runs the same compiled row function (`evaluate_row`), so both give bit-identical
priors and values and a search gives the same result whichever way it evaluates.

Kinds:
- UNIFORM: uniform priors over legal actions, value 0 (search without a network);
- MLP: a fully connected network, ReLU between layers; the last layer has A + 1 outputs,
  the policy logits then the value (tanh). Layer l reads `layout[l] = (n_in, n_out,
  weight offset, bias offset)` from `weights`, its weight stored (n_in, n_out) row-major,
  so an input that is zero (most of a board's one-hot planes) costs nothing in the first
  layer; later layers are dense and go to BLAS (`np.dot`, a matrix-vector product).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

UNIFORM, MLP = 1, 2


@dataclass(frozen=True)
class Kernel:
    """What compiled search evaluates: kind (UNIFORM, MLP); weights float32 (W,); layout int64 (L, 4);
    width: the widest layer (scratch size)."""

    kind: int
    weights: np.ndarray
    layout: np.ndarray
    width: int


_NONE = (np.zeros(1, np.float32), np.zeros((0, 4), np.int64))


@njit(cache=True)
def evaluate_row(kind, weights, layout, x, legal, prior, h0, h1):
    """One position: x float32 (D,) the flattened observation, legal bool (A,) -> prior float32 (A,)
    (written), returns the value (float32) for the player to move. h0, h1: float32 (width,) scratch."""
    A = prior.shape[0]
    if kind == UNIFORM:
        n = 0
        for a in range(A):
            n += legal[a]
        p = np.float32(1.0 / max(n, 1))
        for a in range(A):
            prior[a] = p if legal[a] else np.float32(0.0)
        return np.float32(0.0)
    src = x
    layers = layout.shape[0]
    for layer in range(layers):
        n_in, n_out, w0, b0 = layout[layer, 0], layout[layer, 1], layout[layer, 2], layout[layer, 3]
        dst = (h0 if layer % 2 == 0 else h1)[:n_out]
        if layer == 0:  # the input: one-hot planes, mostly zeros; add the rows of the ones
            dst[:] = weights[b0:b0 + n_out]
            for i in range(n_in):
                xi = src[i]
                if xi != 0.0:  # slices give the loop a known length: it vectorises
                    w = weights[w0 + i * n_out:w0 + (i + 1) * n_out]
                    for j in range(n_out):
                        dst[j] += xi * w[j]
        else:  # dense: BLAS's matrix-vector product
            dst[:] = np.dot(src[:n_in], weights[w0:w0 + n_in * n_out].reshape((n_in, n_out)))
            dst += weights[b0:b0 + n_out]
        if layer < layers - 1:
            for j in range(n_out):
                dst[j] = max(dst[j], np.float32(0.0))
        src = dst
    hi = np.float32(-np.inf)
    for a in range(A):
        if legal[a]:
            hi = max(hi, src[a])
    total = np.float32(0.0)
    for a in range(A):
        prior[a] = np.exp(src[a] - hi) if legal[a] else np.float32(0.0)
        total += prior[a]
    for a in range(A):
        prior[a] = prior[a] / total if total > 0 else np.float32(0.0)
    return np.float32(np.tanh(src[A]))


@njit(cache=True)
def evaluate_rows(kind, weights, layout, width, obs, legal, priors, values):
    """evaluate_row over K positions: obs float32 (K, D), legal bool (K, A) -> priors (K, A), values (K,)."""
    h0 = np.empty(width, np.float32)
    h1 = np.empty(width, np.float32)
    for k in range(obs.shape[0]):
        values[k] = evaluate_row(kind, weights, layout, obs[k], legal[k], priors[k], h0, h1)


def call(kernel: Kernel, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `evaluate(obs (K, *shape), legal (K, A))` of a kernel, for callers outside compiled search."""
    k = len(obs)
    flat = np.ascontiguousarray(obs, np.float32).reshape(k, -1)
    priors = np.empty(legal.shape, np.float32)
    values = np.empty(k, np.float32)
    evaluate_rows(kernel.kind, kernel.weights, kernel.layout, kernel.width, flat,
                  np.ascontiguousarray(legal, np.bool_), priors, values)
    return priors, values


class Uniform:
    """No network: uniform priors over legal actions and value 0, as an evaluator search can compile in."""

    kernel = Kernel(UNIFORM, *_NONE, 1)

    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return call(self.kernel, obs, legal)


def mlp_kernel(layers: list[tuple[np.ndarray, np.ndarray]]) -> Kernel:
    """A Kernel from [(weight (n_in, n_out), bias (n_out,)), ...]; the last layer's outputs are the
    policy logits followed by the value."""
    chunks, rows, offset = [], [], 0
    for w, b in layers:
        n_in, n_out = w.shape
        rows.append((n_in, n_out, offset, offset + w.size))
        chunks += [np.asarray(w, np.float32).ravel(), np.asarray(b, np.float32).ravel()]
        offset += w.size + b.size
    return Kernel(MLP, np.concatenate(chunks), np.array(rows, np.int64), max(r[1] for r in rows))
