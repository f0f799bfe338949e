"""The Numba cache folder follows the package's source: any change to any module compiles afresh."""

import os
import subprocess
import sys

from move37 import _compile_cache


def test_source_key_changes_with_any_file(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    first = _compile_cache.source_key(tmp_path)
    assert _compile_cache.source_key(tmp_path) == first
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    second = _compile_cache.source_key(tmp_path)
    assert second != first
    (tmp_path / "c.py").write_text("")
    assert _compile_cache.source_key(tmp_path) not in (first, second)
    (tmp_path / "c.py").unlink()
    (tmp_path / "sub" / "b.py").rename(tmp_path / "b.py")  # same bytes, another path
    assert _compile_cache.source_key(tmp_path) not in (first, second)


def _numba_cache_dir(env: dict, first: str = "move37") -> str:
    code = f"import {first}; import move37, numba; print(numba.config.CACHE_DIR)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_importing_move37_points_numba_at_the_keyed_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    want = str(tmp_path / "move37" / f"numba-{_compile_cache.source_key()}")
    assert _numba_cache_dir(env) == want
    assert _numba_cache_dir(env, first="numba") == want  # numba imported before move37
    assert _numba_cache_dir({**env, "NUMBA_CACHE_DIR": str(tmp_path / "mine")}) == str(tmp_path / "mine")


def test_prune_keeps_the_current_and_the_newest_others(tmp_path):
    folders = [tmp_path / f"numba-{i}" for i in range(6)]
    for age, folder in enumerate(folders):
        folder.mkdir()
        (folder / "kernel.nbi").write_bytes(b"x")
        os.utime(folder, (1000 + age, 1000 + age))  # numba-5 written last
    (tmp_path / "other").mkdir()  # not a cache folder: untouched
    _compile_cache.prune(folders[0], keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["numba-0", "numba-4", "numba-5", "other"]
