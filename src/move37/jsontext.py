"""Parsing JSON that may be damaged or hostile, with one error for everything that can go wrong.

JSON reaches move37 from outside (web request bodies, config files, uploaded game records) and
from its own files, which a disk, an editor or a kill can damage. Python's parser fails in several
ways for such text: UnicodeDecodeError for bytes that are not UTF-8, JSONDecodeError for bad syntax,
RecursionError for "[[[[..." nested thousands deep. Every reader used to list those itself; here
they all become `JSONTextError` with a one-line reason, which each reader words for its own user.

NaN and Infinity are not JSON, but Python's parser accepts them: outside text may not hold them
(`constants=False`, the default); the project's own logs and checkpoint states, written by
`json.dumps`, may (`constants=True`).
"""

from __future__ import annotations

import json
from pathlib import Path

from move37.errors import JSONTextError


def loads(data: str | bytes, *, constants: bool = False) -> object:
    """The value that JSON text `data` holds; JSONTextError when it holds none."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        return json.loads(text, parse_constant=None if constants else _refuse_constant)
    except UnicodeDecodeError as e:
        raise JSONTextError(f"not UTF-8 text (byte {e.start})") from None
    except RecursionError:
        raise JSONTextError("nested too deeply") from None
    except ValueError as e:  # JSONDecodeError, and _refuse_constant's
        raise JSONTextError(str(e).splitlines()[0] if str(e) else "not JSON") from None


def read(path: str | Path, *, constants: bool = False) -> object:
    """The value in JSON file `path` (OSError when it cannot be read; JSONTextError when it is not JSON)."""
    return loads(Path(path).read_bytes(), constants=constants)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
