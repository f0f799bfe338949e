"""Board symmetries shared by grid games.

Symmetry k of a square board is one of the 8 elements of the dihedral group:
rotate k % 4 quarter turns, then transpose when k >= 4. A rectangular board
keeps only the identity and the left-right mirror (k = 0, 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from move37.games.base import Game


def dihedral(arr: np.ndarray, k: int) -> np.ndarray:
    """Apply square symmetry k (0..7) to the last two axes of `arr` (..., n, n)."""
    out = np.rot90(arr, k % 4, axes=(-2, -1))
    if k >= 4:
        out = np.swapaxes(out, -2, -1)
    return np.ascontiguousarray(out)


def mirror(arr: np.ndarray, k: int) -> np.ndarray:
    """Apply rectangular symmetry k (0 identity, 1 left-right mirror) to the last two axes."""
    return np.ascontiguousarray(np.flip(arr, axis=-1)) if k == 1 else arr


def cell_permutation(rows: int, cols: int, k: int) -> np.ndarray:
    """int64 (rows*cols,): perm[i] is where cell i (row-major) goes under symmetry k."""
    grid = np.arange(rows * cols).reshape(rows, cols)
    moved = dihedral(grid, k) if rows == cols else mirror(grid, k)
    perm = np.empty(rows * cols, dtype=np.int64)
    perm[moved.ravel()] = np.arange(rows * cols)
    return perm


def random_symmetries(game: Game, n: int, rng: np.random.Generator) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Draw one symmetry of `game` for each of a batch's n rows (uniformly, the identity included) and yield
    (k, rows, perm) for every other symmetry drawn: the rows it applies to (int64) and where it sends each
    action (game.action_permutation(k)). The training augmentations of AlphaZero (train.learner.augment) and
    MuZero (worldmodel.replay.augment) draw their symmetries here."""
    ks = rng.integers(0, game.info.num_symmetries, n)
    for k in range(1, game.info.num_symmetries):
        rows = np.flatnonzero(ks == k)
        if len(rows):
            yield k, rows, np.asarray(game.action_permutation(k))


def move_actions(values: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """values [..., A] (a policy or a legal mask per row) with each action a's entry moved to perm[a]."""
    moved = np.zeros_like(values)
    moved[..., perm] = values
    return moved
