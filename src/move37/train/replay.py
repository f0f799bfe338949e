"""The replay window: the most recent self-play positions, as chunk files plus arrays in memory.

Each iteration's positions are one chunk, written once to `buffer/chunk_NNNNNN.npz`
(atomically) and never changed. The window keeps the newest chunks that hold at most
`window` positions (the newest chunk always stays), so memory is bounded however
long the run; chunks that left the window are deleted from disk after the checkpoint
that no longer needs them. A checkpoint stores the names of its window's chunks,
which is all a resumed run needs to rebuild the same window. A window without a folder
(the Ray learner's copy, ray_stages.py) holds chunks in memory only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from move37.errors import RunFolderError
from move37.atomic import write_npz

FIELDS = ("obs", "legal", "policy", "value")


class ReplayWindow:
    """Chunks of (obs float32 (n, *obs_shape), legal bool (n, A), policy float32 (n, A), value float32 (n,))."""

    def __init__(self, folder: Path | None, window: int):
        self.folder = Path(folder) if folder is not None else None
        self.window = window
        self.chunks: list[tuple[str, dict[str, np.ndarray]]] = []
        self._joined: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return sum(len(c["value"]) for _, c in self.chunks)

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.chunks]

    def add(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        """Write a new chunk file and add it to the window."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_npz(self.folder / name, **arrays)
        self.append(name, arrays)

    def append(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        """Add a chunk to the window, in memory only; the oldest chunks leave when it is full."""
        self.chunks.append((name, arrays))
        while len(self.chunks) > 1 and len(self) - len(self.chunks[0][1]["value"]) >= self.window:
            self.chunks.pop(0)
        self._joined = None

    def load(self, names: list[str]) -> None:
        """Rebuild the window from chunk files (resume); RunFolderError if one is missing or damaged."""
        self.chunks = []
        for name in names:
            path = self.folder / name
            try:
                with np.load(path, allow_pickle=False) as z:
                    arrays = {k: z[k] for k in FIELDS}
            except (OSError, ValueError, KeyError, EOFError) as e:
                raise RunFolderError(f"{path}: missing or damaged replay chunk ({type(e).__name__})") from None
            self.append(name, arrays)

    def prune_files(self, keep: set[str]) -> None:
        """Delete chunk files that neither this window nor `keep` (older checkpoints' windows) use."""
        used = set(self.names) | keep
        for path in self.folder.glob("chunk_*.npz"):
            if path.name not in used:
                path.unlink(missing_ok=True)

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """A uniform batch (with replacement) from the window."""
        if self._joined is None:
            self._joined = {k: np.concatenate([c[k] for _, c in self.chunks]) for k in FIELDS}
        idx = rng.integers(0, len(self._joined["value"]), batch)
        return {k: v[idx] for k, v in self._joined.items()}
