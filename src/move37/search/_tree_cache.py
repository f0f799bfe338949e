"""A cache of evaluations keyed by the exact network input, for games whose positions repeat.

Self-play runs hundreds of games from the same start, and Connect Four transposes
heavily, so many leaves ask for an evaluation the network already gave. Only misses
reach `evaluate` (still in one batched call). The cache must be dropped whenever the
evaluator changes (new weights); it empties itself when it reaches `capacity` entries
(about 600 bytes each for Connect Four), so its memory is bounded.

An evaluator that compiled search runs in its own loop (a `CompiledEvaluate`) gets a
`CompiledEvaluationCache`, which passes its kernel through: that search keeps its own cache
keyed by position in compiled code and reports its hits and misses here (`record`), so
callers read the same statistics either way. `evaluation_cache` picks the right one.
"""

from __future__ import annotations

import numpy as np

from move37.search.batched import CompiledEvaluate, Evaluate


class EvaluationCache:
    """Wraps `evaluate(obs (K, ...), legal (K, A)) -> (priors (K, A), values (K,))` with an exact-input cache."""

    def __init__(self, evaluate: Evaluate, capacity: int = 100_000):
        self.evaluate = evaluate
        self.capacity = capacity
        self.table: dict[bytes, tuple[np.ndarray, float]] = {}
        self.hits = 0
        self.misses = 0

    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = len(obs)
        rows = np.concatenate([obs.reshape(k, -1).view(np.uint8), legal.reshape(k, -1).view(np.uint8)], axis=1)
        keys = [r.tobytes() for r in rows]
        priors = np.empty(legal.shape, np.float32)
        values = np.empty(k, np.float32)
        missing = []
        for i, key in enumerate(keys):
            found = self.table.get(key)
            if found is None:
                missing.append(i)
            else:
                priors[i], values[i] = found
        self.hits += k - len(missing)
        self.misses += len(missing)
        if missing:
            if len(self.table) + len(missing) > self.capacity:
                self.table.clear()
            idx = np.array(missing)
            p, v = self.evaluate(obs[idx], legal[idx])
            priors[idx], values[idx] = p, v
            for j, i in enumerate(missing):
                self.table[keys[i]] = (p[j], float(v[j]))
        return priors, values


class CompiledEvaluationCache(EvaluationCache):
    """An EvaluationCache around a `CompiledEvaluate`, itself one: compiled search evaluates `kernel`
    in its own loop, behind its own cache, and counts its hits and misses here."""

    @property
    def kernel(self):
        """The wrapped evaluator's compiled kernel (it changes with the weights)."""
        return self.evaluate.kernel

    def record(self, hits: int, misses: int) -> None:
        """Count evaluations a compiled search looked up or made with `kernel`."""
        self.hits += hits
        self.misses += misses


def evaluation_cache(evaluate: Evaluate, capacity: int = 100_000) -> EvaluationCache:
    """A cache around `evaluate`: one that compiled search can see through when `evaluate` is compiled."""
    cls = CompiledEvaluationCache if isinstance(evaluate, CompiledEvaluate) else EvaluationCache
    return cls(evaluate, capacity)
