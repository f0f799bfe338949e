"""Evaluators that compiled search runs inside its own loop, with no Python between simulations.

Any `evaluate(obs, legal) -> (priors, values)` works with search. One that also carries
a `kernel` attribute (a `Kernel`: what to compute and the weights, as flat arrays) can be
evaluated by compiled code, so a compiled search (see move37.search._fused_gumbel)
calls no Python at all during a move. Its own `__call__` runs the same compiled
function (`evaluate_batch`, whose result for a position does not depend on the rest of
the batch), so both give bit-identical priors and values and a search gives the same
result whichever way and in whatever batches it evaluates.

Kinds:
- UNIFORM: uniform priors over legal actions, value 0 (search without a network);
- MLP: a fully connected network, ReLU between layers; the last layer has A + 1 outputs,
  the policy logits then the value (tanh). Layer l reads `layout[l] = (n_in, n_out,
  weight offset, bias offset)` from `weights`, its weight stored (n_in, n_out) row-major,
  so an input that is zero (most of a board's one-hot planes) costs nothing in the first
  layer; later layers are dense and go to BLAS as matrix products over blocks of BLOCK
  positions (the last block padded with zero rows). Every position goes through the same
  (BLOCK, n_in) x (n_in, n_out) product whatever else is in its block, so its result does
  not depend on the batch; a block reads each weight once for BLOCK positions, where a
  matrix-vector product per position read the 128x128 layer from the L2 cache every time
  (1.76 -> 0.72 us of CPU per evaluation of the 28k MLP, docs/results/speed.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

UNIFORM, MLP = 1, 2
BLOCK = 8  # positions per matrix product of a dense layer


@dataclass(frozen=True)
class Kernel:
    """What compiled search evaluates: kind (UNIFORM, MLP); weights float32 (W,); layout int64 (L, 4);
    width: the widest layer (scratch size)."""

    kind: int
    weights: np.ndarray
    layout: np.ndarray
    width: int


_NONE = (np.zeros(1, np.float32), np.zeros((0, 4), np.int64))


def scratch_size(k: int, width: int) -> int:
    """Length of each of evaluate_batch's two scratch arrays for k positions (whole blocks)."""
    return -(-max(k, 1) // BLOCK) * BLOCK * width


@njit(cache=True)
def evaluate_batch(kind, weights, layout, x, legal, priors, values, h0, h1):
    """K positions: x float32 (K, D) flattened observations, legal bool (K, A) -> priors float32 (K, A),
    values float32 (K,) for the players to move (written). h0, h1: float32 scratch of at least
    `scratch_size(K, width)` each.

    The first layer adds the weight rows of the nonzero inputs (a board's one-hot planes are
    mostly zeros), position by position; later layers are BLAS matrix products over blocks of
    BLOCK positions, the last block padded with zero rows. A position's arithmetic is the same
    whatever else is in the batch, so results do not depend on batching (search relies on it).
    """
    K, A = x.shape[0], priors.shape[1]
    if kind == UNIFORM:
        for k in range(K):
            n = 0
            for a in range(A):
                n += legal[k, a]
            p = np.float32(1.0 / max(n, 1))
            for a in range(A):
                priors[k, a] = p if legal[k, a] else np.float32(0.0)
            values[k] = 0.0
        return
    rows = -(-K // BLOCK) * BLOCK  # whole blocks
    src = x
    layers = layout.shape[0]
    for layer in range(layers):
        n_in, n_out, w0, b0 = layout[layer, 0], layout[layer, 1], layout[layer, 2], layout[layer, 3]
        dst = (h0 if layer % 2 == 0 else h1)[:rows * n_out].reshape((rows, n_out))  # C-contiguous rows
        bias = weights[b0:b0 + n_out]
        if layer == 0:  # the input: one-hot planes, mostly zeros; add the weight rows of the ones
            for k in range(K):
                row = dst[k]
                row[:] = bias
                for i in range(n_in):
                    xi = src[k, i]
                    if xi != 0.0:
                        w = weights[w0 + i * n_out:w0 + (i + 1) * n_out]  # known length: the loop vectorises
                        for j in range(n_out):
                            row[j] += xi * w[j]
            dst[K:] = 0.0  # the padding rows of the last block
        else:  # dense: BLAS matrix products, BLOCK positions at a time
            w = weights[w0:w0 + n_in * n_out].reshape((n_in, n_out))
            for k0 in range(0, rows, BLOCK):
                block = np.dot(src[k0:k0 + BLOCK], w)  # src: rows of n_in values
                for k in range(k0, k0 + BLOCK):
                    for j in range(n_out):
                        dst[k, j] = block[k - k0, j] + bias[j]
        if layer < layers - 1:
            for k in range(rows):
                for j in range(n_out):
                    dst[k, j] = max(dst[k, j], np.float32(0.0))
        src = dst
    for k in range(K):  # the last layer: policy logits, then the value
        hi = np.float32(-np.inf)
        for a in range(A):
            if legal[k, a]:
                hi = max(hi, src[k, a])
        total = np.float32(0.0)
        for a in range(A):
            priors[k, a] = np.exp(src[k, a] - hi) if legal[k, a] else np.float32(0.0)
            total += priors[k, a]
        for a in range(A):
            priors[k, a] = priors[k, a] / total if total > 0 else np.float32(0.0)
        values[k] = np.tanh(src[k, A])


def call(kernel: Kernel, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `evaluate(obs (K, *shape), legal (K, A))` of a kernel, for callers outside compiled search."""
    k = len(obs)
    flat = np.ascontiguousarray(obs, np.float32).reshape(k, -1)
    priors = np.empty(legal.shape, np.float32)
    values = np.empty(k, np.float32)
    size = scratch_size(k, kernel.width)
    h0, h1 = np.empty(size, np.float32), np.empty(size, np.float32)
    evaluate_batch(kernel.kind, kernel.weights, kernel.layout, flat, np.ascontiguousarray(legal, np.bool_),
                   priors, values, h0, h1)
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
