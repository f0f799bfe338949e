"""Typed configs: frozen dataclasses built from JSON/TOML objects with strict checking.

A trainer's config is a tree of frozen dataclasses whose fields say their types (bool, int, float,
str, dict, dict[str, T], tuple[T, ...], Literal[...], or a nested dataclass); `build` makes one from parsed JSON,
and every unknown key, wrong type or value the dataclass's own checks refuse is a ConfigError
naming the key, in one line, so a typo in a config file is an error rather than an ignored setting.
`read_file` parses the outside text itself and turns everything that can go wrong there (not
UTF-8, not JSON/TOML, nested too deep, NaN or infinite numbers) into the same one-line error.
Dotted keys ("learn.lr") name one setting for overrides and schedules (`setting`, `with_settings`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import typing
from pathlib import Path

from move37 import jsontext
from move37.errors import ConfigError, JSONTextError

MAX_DEPTH = 16  # objects and lists nested deeper than any config's sections
MAX_BYTES = 1 << 20  # a config is a few kilobytes


def read_file(path: Path) -> dict:
    """The object in JSON file `path` (TOML when it ends in .toml); ConfigError for anything but one."""
    path = Path(path)
    kind = "TOML" if path.suffix == ".toml" else "JSON"
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES} bytes, not a config")
    try:
        obj = _toml(data) if kind == "TOML" else jsontext.loads(data)
    except JSONTextError as e:
        raise ConfigError(f"{path}: not valid {kind} ({e})") from None
    if _depth(obj) > MAX_DEPTH:  # the deepest config is a few levels; bounds every recursion that follows
        raise ConfigError(f"{path}: nested deeper than {MAX_DEPTH} levels, not a config")
    if not isinstance(obj, dict):
        raise ConfigError(f"{path}: expected a {kind} object of settings, got {type(obj).__name__}")
    return obj


def _toml(data: bytes) -> dict:
    """TOML text parsed, its failures worded as JSON's are (JSONTextError)."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise JSONTextError(f"not UTF-8 text (byte {e.start})") from None
    except RecursionError:
        raise JSONTextError("nested too deeply") from None
    except tomllib.TOMLDecodeError as e:
        raise JSONTextError(str(e).splitlines()[0]) from None


def _depth(obj) -> int:
    """How deeply objects and lists nest in `obj` (0 for a scalar), without recursion."""
    deepest, todo = 0, [(obj, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def merge(base: dict, over: dict) -> dict:
    """`base` with `over`'s keys in place, section by section (nested objects merge, other values replace)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def build(cls, data, where: str = ""):
    """A `cls` (a dataclass) from the nested object `data`; missing keys take their defaults. ConfigError naming
    the key for unknown keys, wrong types and values refused by the dataclass's own checks."""
    if not isinstance(data, dict):
        raise ConfigError(f"config {where or 'file'}: expected an object of settings, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = sorted(f.name for f in dataclasses.fields(cls))
    unknown = sorted(str(k) for k in set(data) - set(names))
    if unknown:
        raise ConfigError(f"config {_key(where, unknown[0])}: unknown key (known: {', '.join(names)})")
    kwargs = {key: _convert(value, hints[key], _key(where, key)) for key, value in data.items()}
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as e:
        raise ConfigError(f"config {where or 'file'}: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None


def _key(where: str, key: str) -> str:
    """The dotted path of `key` for messages; a key with a newline or control character is quoted (one line)."""
    name = key if key.isprintable() else repr(key)
    return f"{where}.{name}" if where else name


def _convert(value, hint, where: str):
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where)
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        if value not in typing.get_args(hint):
            raise ConfigError(f"config {where}: {_show(value)} is not one of {', '.join(map(repr, typing.get_args(hint)))}")
        return value
    if origin is dict:  # dict[str, T]: a table of named entries, such as a schedule's
        if not isinstance(value, dict):
            raise ConfigError(f"config {where}: expected an object, got {_show(value)}")
        inner = typing.get_args(hint)[1]
        return {key: _convert(v, inner, _key(where, key)) for key, v in value.items()}
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"config {where}: expected a list, got {_show(value)}")
        inner = typing.get_args(hint)[0]
        return tuple(_convert(v, inner, f"{where}[{i}]") for i, v in enumerate(value))
    ok = {bool: lambda v: isinstance(v, bool),
          int: lambda v: isinstance(v, int) and not isinstance(v, bool),
          float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
          str: lambda v: isinstance(v, str),
          dict: lambda v: isinstance(v, dict)}[hint]
    if not ok(value):
        raise ConfigError(f"config {where}: expected {hint.__name__}, got {_show(value)}")
    return float(value) if hint is float else value


def _show(value) -> str:
    """A value for an error line: short, and one line."""
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def to_dict(config) -> dict:
    """A config as the JSON object `build` reads back (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def setting(config, key: str):
    """The value of dotted `key` ("learn.lr", or "seed" at the top)."""
    for name in key.split("."):
        config = getattr(config, name)
    return config


def with_settings(config, values: dict):
    """`config` with `values` ({"learn.lr": 1e-3, "keep_every": 5, ...}: dotted keys) in place."""
    for key, value in values.items():
        section, _, name = key.partition(".")
        config = dataclasses.replace(config, **{section: with_settings(getattr(config, section), {name: value})
                                                if name else value})
    return config
