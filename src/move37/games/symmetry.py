"""Board symmetries shared by grid games.

Symmetry k of a square board is one of the 8 elements of the dihedral group:
rotate k % 4 quarter turns, then transpose when k >= 4. A rectangular board
keeps only the identity and the left-right mirror (k = 0, 1).
"""

from __future__ import annotations

import numpy as np


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
