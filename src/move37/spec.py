"""Specs: one-string names with options, as typed on the command line.

Grammar: ``NAME[:ITEM[,ITEM...]]`` where an ITEM is ``key=value`` or a bare
positional argument (a path or a command). Values may be quoted with "..." or '...'
to hold commas. Examples: ``alphabeta:depth=8``, ``mcts:sims=1000,c=1.4``,
``zero:runs/c4/ckpt.safetensors,sims=64``, ``othello:size=6``.

Options are matched against the keyword parameters of the factory that builds the
thing, converted by their annotations, so a typo or a bad value is a SpecError
that names the key instead of a crash deep inside.
"""

from __future__ import annotations

import inspect
import shlex
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from move37.errors import SpecError


@dataclass(frozen=True)
class Spec:
    """A parsed spec: its name, positional arguments and raw option strings."""

    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


def parse_spec(text: str) -> Spec:
    """Split ``name:a,k=v`` into a Spec; SpecError when malformed."""
    text = text.strip()
    if not text:
        raise SpecError("empty spec")
    name, _, rest = text.partition(":")
    name = name.strip()
    if not name or not all(c.isalnum() or c in "_-." for c in name):
        raise SpecError(f"bad name {name!r} in spec {text!r}")
    args: list[str] = []
    options: dict[str, str] = {}
    if rest:
        lexer = shlex.shlex(rest, posix=True, punctuation_chars=False)
        lexer.whitespace = ","
        lexer.whitespace_split = True
        lexer.commenters = ""
        try:
            items = list(lexer)
        except ValueError as e:
            raise SpecError(f"spec {text!r}: {e}") from None
        for item in items:
            key, eq, value = item.partition("=")
            if eq and key.strip().isidentifier():
                if key.strip() in options:
                    raise SpecError(f"option {key.strip()!r} given twice in {text!r}")
                options[key.strip()] = value.strip()
            else:
                args.append(item.strip())
    return Spec(name, tuple(args), options)


def convert(value: str, annotation: Any, key: str) -> Any:
    """Convert an option string by the parameter's annotation; SpecError on failure."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            raise SpecError(f"option {key}={value!r}: expected one of {', '.join(map(str, choices))}")
        return value
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value.lower() in ("none", "") and len(kinds) < len(typing.get_args(annotation)):
            return None
        annotation = kinds[0]
    try:
        if annotation is bool:
            low = value.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if annotation is int:
            return int(value)
        if annotation is float:
            out = float(value)
            if out != out:
                raise ValueError
            return out
    except ValueError:
        raise SpecError(f"option {key}={value!r}: expected {annotation.__name__}") from None
    return value


def call_with_spec(factory: Callable[..., Any], spec: Spec, what: str, **fixed: Any) -> Any:
    """Call factory(*fixed, *spec.args, **converted options); SpecError for unknown/bad options.

    `fixed` are keyword arguments supplied by the caller (e.g. the game), never by the user.
    """
    sig = inspect.signature(factory)
    # A class's own annotations are its fields; its options are those of __init__.
    hints = typing.get_type_hints(factory.__init__ if inspect.isclass(factory) else factory)
    params = {n: p for n, p in sig.parameters.items() if n not in fixed and p.kind is not p.VAR_KEYWORD}
    keywords = {n for n, p in params.items() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_ONLY]
    kwargs: dict[str, Any] = {}
    for key, raw in spec.options.items():
        if key not in keywords or key in positional:
            known = ", ".join(sorted(keywords - set(positional))) or "none"
            raise SpecError(f"{what} {spec.name!r} has no option {key!r} (options: {known})")
        kwargs[key] = convert(raw, hints.get(key, str), key)
    if len(spec.args) > len(positional):
        raise SpecError(f"{what} {spec.name!r} takes {len(positional)} positional argument(s), got {len(spec.args)}")
    args = [convert(a, hints.get(n, str), n) for a, n in zip(spec.args, positional)]
    missing = [n for n in positional[len(args):] if params[n].default is params[n].empty]
    if missing:
        raise SpecError(f"{what} {spec.name!r} needs {', '.join(missing)} (e.g. {spec.name}:VALUE)")
    try:
        return factory(*args, **fixed, **kwargs)
    except SpecError:
        raise
    except ValueError as e:
        raise SpecError(f"{what} {spec.name!r}: {e}") from None
