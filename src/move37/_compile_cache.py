"""Where Numba keeps move37's compiled kernels: one folder per version of the package's source.

Numba's on-disk cache (`cache=True`) checks only the source file of the function it
compiled. A kernel that calls an inlined function from another module (the fused search
calls `gumbel.descend`) keeps running the old machine code after that other module
changes. Keying the cache folder by a hash of every source file of the package makes any
change compile afresh, once. A NUMBA_CACHE_DIR the user set is left alone. Beside the
current folder the KEEP most recently written others stay (another checkout or version may
be in use); older ones are removed, so editing the source does not fill the disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
KEEP = 3  # folders of other source versions kept beside the current one


def source_key(root: Path = PACKAGE) -> str:
    """16 hex digits of a hash over the relative path and bytes of every .py file under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/move37/numba-KEY (~/.cache when XDG_CACHE_HOME is unset)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "move37" / f"numba-{source_key()}"


def configure() -> None:
    """Point Numba's cache at `cache_dir()` unless NUMBA_CACHE_DIR is set; works before or after numba is imported."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    try:
        path = str(cache_dir())
    except (OSError, RuntimeError):  # no home folder to put it in: Numba's default (beside the sources)
        return
    os.environ["NUMBA_CACHE_DIR"] = path
    if "numba" in sys.modules:  # already read its environment: set the live value too
        sys.modules["numba"].config.CACHE_DIR = path
    prune(Path(path))


def prune(current: Path, keep: int = KEEP) -> None:
    """Remove the numba-* folders beside `current` except the `keep` most recently written."""
    try:
        others = [p for p in current.parent.glob("numba-*") if p != current and p.is_dir()]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in others[keep:]:
        shutil.rmtree(old, ignore_errors=True)  # a process still using it just compiles again
