"""Specs: one-string names with options, as typed on the command line.

Grammar: ``NAME[:ITEM[,ITEM...]]`` where an ITEM is ``key=value`` or a bare
positional argument (a path or a command). Values may be quoted with "..." or '...'
to hold commas. Examples: ``alphabeta:depth=8``, ``mcts:sims=1000,c=1.4``,
``zero:runs/c4/ckpt.safetensors,sims=64``, ``othello:size=6``.

Options are matched against the keyword parameters of the factory that builds the
thing, converted by their annotations, so a typo or a bad value is a SpecError
that names the key instead of a crash deep inside. A number option may carry a
`Bound` in its annotation (`Annotated[int, Bound(1, 10**7, outside=10**5)]`): a value
outside it is a LimitError, so `alphabeta:tt_size=8589934592` is refused before it
allocates 64 GB. Specs that arrive from outside the machine's user (the web server) are
converted with `outside=True` and meet the tighter `outside` tops; an option they leave out
whose default is above its outside top is given the top.
"""

from __future__ import annotations

import inspect
import shlex
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from move37.errors import LimitError, SpecError


@dataclass(frozen=True)
class Spec:
    """A parsed spec: its name, positional arguments and raw option strings."""

    name: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bound:
    """The values a number option may take, declared on the factory's annotation.

    low..high: what any caller may ask for, the command line included: values whose memory and
    time a machine can pay (a GUI's `go`/clock limits are clamped into it too);
    outside: the lower top for a spec that arrives from outside (the web server, which any page
    the user visits can reach); None: the same as high.
    """

    low: float
    high: float
    outside: float | None = None

    def top(self, outside: bool = False) -> float:
        return self.outside if outside and self.outside is not None else self.high

    def check(self, key: str, value: float, outside: bool = False) -> float:
        """`value`, or LimitError naming the option and its range."""
        top = self.top(outside)
        if not self.low <= value <= top:
            who = " for a request from outside" if top < self.high else ""
            raise LimitError(f"option {key}={_show(value)}: must be in {_show(self.low)}..{_show(top)}{who}")
        return value

    def clamp(self, value: float, outside: bool = False) -> float:
        """`value` moved into the range (for limits a protocol sets, where refusing would stall a game)."""
        return min(max(value, self.low), self.top(outside))


def _show(x: float) -> str:
    return str(int(x)) if isinstance(x, int) or float(x).is_integer() else f"{x:g}"


def parse_spec(text: str) -> Spec:
    """Split ``name:a,k=v`` into a Spec; SpecError when malformed."""
    text = text.strip()
    if not text:
        raise SpecError("empty spec")
    name, _, rest = text.partition(":")
    name = name.strip()
    if not name or not all(c.isalnum() or c in "_-." for c in name):
        hint = f" (options follow a colon: {name.split(',')[0].strip()}:{name.partition(',')[2]})" if "," in name else ""
        raise SpecError(f"bad name {name!r} in spec {text!r}{hint}")
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


def convert(value: str, annotation: Any, key: str, outside: bool = False) -> Any:
    """Convert an option string by the parameter's annotation; SpecError on failure, LimitError
    beyond a `Bound` in the annotation (its `outside` top when `outside`)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        out = convert(value, typing.get_args(annotation)[0], key, outside)
        for bound in annotation.__metadata__:
            if isinstance(bound, Bound) and out is not None:
                bound.check(key, out, outside)
        return out
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            raise SpecError(f"option {key}={value!r}: expected one of {', '.join(map(str, choices))}")
        return value
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value.lower() in ("none", "") and len(kinds) < len(typing.get_args(annotation)):
            return None
        return convert(value, kinds[0], key, outside)
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


def _hints(factory: Callable[..., Any]) -> dict[str, Any]:
    # A class's own annotations are its fields; its options are those of __init__.
    return typing.get_type_hints(factory.__init__ if inspect.isclass(factory) else factory, include_extras=True)


def option_bounds(factory: Callable[..., Any]) -> dict[str, Bound]:
    """The `Bound` of each bounded option of `factory`, by option name."""
    out = {}
    for key, hint in _hints(factory).items():
        for arg in (hint, *typing.get_args(hint)):  # Annotated[...] itself, or inside `... | None`
            if typing.get_origin(arg) is typing.Annotated:
                out.update({key: m for m in arg.__metadata__ if isinstance(m, Bound)})
    return out


def call_with_spec(factory: Callable[..., Any], spec: Spec, what: str, *, outside: bool = False,
                   **fixed: Any) -> Any:
    """Call factory(*fixed, *spec.args, **converted options); SpecError for unknown/bad options,
    LimitError for a value beyond its Bound (the `outside` tops when `outside`).

    `fixed` are keyword arguments supplied by the caller (e.g. the game), never by the user.
    """
    sig = inspect.signature(factory)
    hints = _hints(factory)
    params = {n: p for n, p in sig.parameters.items() if n not in fixed and p.kind is not p.VAR_KEYWORD}
    keywords = {n for n, p in params.items() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_ONLY]
    kwargs: dict[str, Any] = {}
    for key, raw in spec.options.items():
        if key not in keywords or key in positional:
            known = ", ".join(sorted(keywords - set(positional))) or "none"
            raise SpecError(f"{what} {spec.name!r} has no option {key!r} (options: {known})")
        try:
            kwargs[key] = convert(raw, hints.get(key, str), key, outside)
        except LimitError as e:
            raise LimitError(f"{what} {spec.name!r}: {e}") from None
    if len(spec.args) > len(positional):
        raise SpecError(f"{what} {spec.name!r} takes {len(positional)} positional argument(s), got {len(spec.args)}")
    args = [convert(a, hints.get(n, str), n, outside) for a, n in zip(spec.args, positional)]
    missing = [n for n in positional[len(args):] if params[n].default is params[n].empty]
    if missing:
        raise SpecError(f"{what} {spec.name!r} needs {', '.join(missing)} (e.g. {spec.name}:VALUE)")
    if outside:  # a default beyond the outside top (an engine's 60 s timeout) comes down to it
        for key, bound in option_bounds(factory).items():
            default = params[key].default if key in params else None
            if key not in kwargs and key not in positional and isinstance(default, (int, float)) \
                    and default > bound.top(outside):
                kwargs[key] = type(default)(bound.top(outside))
    try:
        return factory(*args, **fixed, **kwargs)
    except SpecError:
        raise
    except ValueError as e:
        raise SpecError(f"{what} {spec.name!r}: {e}") from None
