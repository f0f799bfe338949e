"""Reading a Metamath database (.mm) into its statements, in database order.

Metamath's language (metamath.org, "Metamath: A Computer Language for Mathematical Proofs", ch. 4) has
$c / $v declarations, $f (floating: a variable's type) and $e (essential) hypotheses, $a axioms, $p
theorems with proofs (normal or compressed), $d distinct-variable conditions, and ${ $} scopes that hide
the hypotheses, variables and $d conditions declared inside them. Comments $( $) are skipped; file
inclusion $[ $] is refused (set.mm and the other Debian databases are single files).

Each assertion ($a, $p) records its mandatory hypotheses in database order -- the $e hypotheses in scope,
and the $f hypotheses of the variables that occur in it or in those $e -- which is the order a proof
pushes them in; and its mandatory $d pairs (pairs of its mandatory variables). A $p also keeps every $d
pair in scope, since its proof may need one its statement does not mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from move37.errors import MetamathError

DEFAULT_DB = Path("/usr/share/metamath/databases/set.mm")


@dataclass(slots=True, eq=False)
class Statement:
    """One labelled statement. `expr` is the typecode followed by the math symbols (a tuple of str).

    For $a/$p: `hyps` are the mandatory hypothesis labels in push order, `dv` the mandatory distinct-variable
    pairs (frozensets of two variables), `dv_all` (for $p) all $d pairs in scope, `proof` the proof tokens
    after `$=` (normal: labels; compressed: `(` labels `)` then the letter string, split at whitespace), and
    `number` the statement's position among all labelled statements (what "before" means). For $f/$e,
    `scope_end` is the number of statements there were when its ${ $} scope closed (None: never closed),
    so that a later proof may not refer to it."""

    label: str
    kind: str  # "f", "e", "a" or "p"
    expr: tuple[str, ...]
    number: int
    hyps: tuple[str, ...] = ()
    dv: frozenset = frozenset()
    dv_all: frozenset = frozenset()
    proof: list[str] | None = None
    scope_end: int | None = None

    @property
    def typecode(self) -> str:
        return self.expr[0]

    @property
    def is_assertion(self) -> bool:
        return self.kind in "ap"


@dataclass
class Database:
    """Every labelled statement by label (dict order = database order), and the symbols declared."""

    statements: dict[str, Statement] = field(default_factory=dict)
    constants: set[str] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)
    # The $f label and typecode of each variable (the first $f seen for it: set.mm declares each once).
    floating: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, label: str) -> Statement:
        try:
            return self.statements[label]
        except KeyError:
            raise MetamathError(f"no statement labelled {label!r} in the database") from None

    def __contains__(self, label: str) -> bool:
        return label in self.statements

    def assertions(self) -> list[Statement]:
        return [s for s in self.statements.values() if s.is_assertion]

    def theorems(self) -> list[Statement]:
        return [s for s in self.statements.values() if s.kind == "p"]


class _Frame:
    """One ${ $} scope: what it declared, in order."""

    __slots__ = ("variables", "hyps", "essentials", "dv")

    def __init__(self) -> None:
        self.variables: set[str] = set()
        self.hyps: list[tuple[str, str | None]] = []  # (label, variable of a $f | None for a $e), in order
        self.essentials: list[tuple[str, ...]] = []
        self.dv: set[frozenset] = set()


def tokens(text: str, where: str = "database") -> list[str]:
    """The whitespace-separated tokens of `text` outside comments.

    Comments may not nest nor contain `$(` or `$)`, so splitting at `$(` and cutting each later piece at its
    first `$)` removes them exactly (and fast: set.mm is 41 MB)."""
    pieces = text.split("$(")
    out = pieces[0].split()
    for piece in pieces[1:]:
        end = piece.find("$)")
        if end < 0:
            raise MetamathError(f"{where}: comment opened with $( is never closed")
        out.extend(piece[end + 2:].split())
    return out


def read(path: Path | str = DEFAULT_DB) -> Database:
    """Read the database at `path` (MetamathError on malformed text, OSError if unreadable)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MetamathError(f"{path}: not a UTF-8 text file") from None
    return parse(text, str(path))


def parse(text: str, where: str = "database") -> Database:
    """Parse the text of a database (see `read`)."""
    toks = tokens(text, where)
    db = Database()
    frames = [_Frame()]
    active_vars: set[str] = set()
    floating_of: dict[str, str] = {}  # active variable -> its active $f label
    n = len(toks)
    i = 0
    label: str | None = None

    def fail(message: str):
        raise MetamathError(f"{where}: {message}" + (f" (at {label})" if label else ""))

    def until(start: int, stop: str) -> int:
        j = start
        while j < n and toks[j] != stop:
            j += 1
        if j == n:
            fail(f"statement not ended by {stop}")
        return j

    def math(start: int, stop: int) -> tuple[str, ...]:
        expr = tuple(toks[start:stop])
        for s in expr:
            if s.startswith("$"):
                fail(f"unexpected keyword {s} in a math string")
            if s not in db.constants and s not in active_vars:
                fail(f"symbol {s!r} is not an active constant or variable")
        if not expr or expr[0] not in db.constants:
            fail("a statement must start with a constant typecode")
        return expr

    def add(stmt: Statement) -> None:
        if stmt.label in db.statements or stmt.label in db.constants or stmt.label in db.variables:
            fail(f"label {stmt.label!r} used twice")
        db.statements[stmt.label] = stmt

    def mandatory(expr: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset, frozenset]:
        needed = {s for s in expr if s in active_vars}
        for frame in frames:
            for e in frame.essentials:
                needed.update(s for s in e if s in active_vars)
        hyps = tuple(lab for frame in frames for lab, var in frame.hyps if var is None or var in needed)
        dv_all = frozenset().union(*(frame.dv for frame in frames))
        dv = frozenset(p for p in dv_all if p <= needed)
        return hyps, dv, dv_all

    while i < n:
        tok = toks[i]
        if tok == "${":
            frames.append(_Frame())
            i += 1
        elif tok == "$}":
            if len(frames) == 1:
                fail("$} without a matching ${")
            frame = frames.pop()
            active_vars -= frame.variables
            for lab, _ in frame.hyps:
                db.statements[lab].scope_end = len(db.statements)
            for lab, var in frame.hyps:
                if var is not None and floating_of.get(var) == lab:
                    del floating_of[var]
            i += 1
        elif tok == "$c":
            if len(frames) > 1:
                fail("$c must be in the outermost scope")
            j = until(i + 1, "$.")
            for s in toks[i + 1:j]:
                if s in db.constants or s in db.variables or s.startswith("$"):
                    fail(f"constant {s!r} declared twice or not a math symbol")
                db.constants.add(s)
            i = j + 1
        elif tok == "$v":
            j = until(i + 1, "$.")
            for s in toks[i + 1:j]:
                if s in db.constants or s in active_vars or s.startswith("$"):
                    fail(f"variable {s!r} declared twice or not a math symbol")
                db.variables.add(s)
                active_vars.add(s)
                frames[-1].variables.add(s)
            i = j + 1
        elif tok == "$d":
            j = until(i + 1, "$.")
            vs = toks[i + 1:j]
            for v in vs:
                if v not in active_vars:
                    fail(f"$d names {v!r}, not an active variable")
            if len(set(vs)) != len(vs):
                fail("$d names a variable twice")
            frames[-1].dv.update(frozenset((a, b)) for k, a in enumerate(vs) for b in vs[k + 1:])
            i = j + 1
        elif tok == "$[":
            fail("file inclusion ($[ $]) is not supported")
        elif tok.startswith("$"):
            fail(f"unexpected keyword {tok}")
        else:
            label = tok
            if i + 1 >= n:
                fail(f"label {label!r} at the end of the database")
            kind = toks[i + 1]
            if kind == "$f":
                j = until(i + 2, "$.")
                expr = math(i + 2, j)
                if len(expr) != 2 or expr[1] not in active_vars:
                    fail("a $f statement is a typecode and one active variable")
                var = expr[1]
                if var in floating_of:
                    fail(f"variable {var!r} already has an active $f")
                add(Statement(label, "f", expr, len(db.statements)))
                frames[-1].hyps.append((label, var))
                floating_of[var] = label
                db.floating.setdefault(var, label)
            elif kind == "$e":
                j = until(i + 2, "$.")
                expr = math(i + 2, j)
                add(Statement(label, "e", expr, len(db.statements)))
                frames[-1].hyps.append((label, None))
                frames[-1].essentials.append(expr)
            elif kind == "$a":
                j = until(i + 2, "$.")
                expr = math(i + 2, j)
                hyps, dv, _ = mandatory(expr)
                add(Statement(label, "a", expr, len(db.statements), hyps, dv))
            elif kind == "$p":
                k = until(i + 2, "$=")
                expr = math(i + 2, k)
                j = until(k + 1, "$.")
                proof = toks[k + 1:j]
                if not proof:
                    fail("empty proof")
                hyps, dv, dv_all = mandatory(expr)
                add(Statement(label, "p", expr, len(db.statements), hyps, dv, dv_all, proof))
            else:
                fail(f"label {label!r} followed by {kind!r}, not $f $e $a $p")
            for s in db.statements[label].expr[1:]:
                if s in active_vars and s not in floating_of:
                    fail(f"variable {s!r} has no active $f")
            i = j + 1
            label = None
    if len(frames) != 1:
        raise MetamathError(f"{where}: {len(frames) - 1} scope(s) opened with ${{ never closed")
    return db


def statement_start(text: str, label: str) -> int:
    """Character offset of statement `label` (its label token) in database text, skipping comments;
    MetamathError if there is none."""
    for m in re.finditer(rf"(?<!\S){re.escape(label)}\s+\$[faep]\s", text):
        before = text.rfind("$(", 0, m.start())
        if before >= 0 and text.find("$)", before, m.start()) < 0:
            continue  # inside a comment
        return m.start()
    raise MetamathError(f"no statement labelled {label!r} in the text")


def prefix(text: str, label: str) -> str:
    """The database text before statement `label`, with its open scopes closed: a smaller database that
    `metamath` and `parse` both read (set.mm's `$( Begin $[ file $] $)` markers, which tell `metamath`
    where an included file would start and end, are neutralised so a cut between them still reads)."""
    cut = text[:statement_start(text, label)]
    toks = tokens(cut)
    cut += " $}" * (toks.count("${") - toks.count("$}")) + "\n"
    return cut.replace("$( Begin $[", "$( Begin [").replace("$( End $[", "$( End [")
