"""Parsing Metamath expressions into syntax trees by the database's own syntax axioms.

set.mm's syntax is itself a set of axioms: `wi $a wff ( ph -> ps ) $.` says that `( A -> B )` is a wff when
A and B are. A syntax tree is a tuple `(label, child, ...)`: the syntax axiom and one subtree per mandatory
$f hypothesis of it, in the axiom's hypothesis order -- which is exactly the order a Metamath proof of the
expression's syntax pushes them -- and a variable is the one-tuple of its $f label, `("wph",)`. Trees are
hashable, so goals can be compared and deduplicated; `rpn` turns one back into the proof steps that build
it, `symbols` back into the math string.

The parser is a memoised top-down parser over all the rules (packrat); set.mm's grammar is unambiguous,
so one parse of the whole string is expected and more than one is an error. A provable statement
`|- <wff>` parses its body as a wff (the convention of mmj2 and of every set.mm prover).
"""

from __future__ import annotations

from move37.errors import MetamathError
from move37.prove.database import Database, Statement

Tree = tuple

PROVABLE = "|-"
BODY = "wff"


class Grammar:
    """The syntax axioms of `db` ($a statements whose typecode is a variable type, such as wff or class)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.var_types = {db.statements[f].expr[0] for f in db.floating.values()}
        self.floating = set(db.floating.values())  # labels of $f statements that are leaves
        self.var_of = {f: db.statements[f].expr[1] for f in self.floating}
        self.type_of: dict[str, str] = {f: db.statements[f].expr[0] for f in self.floating}
        # rules[(typecode, first constant)] and starts_nt[typecode]: (label, pattern) where pattern items are
        # ("c", symbol) or ("v", typecode, argument index).
        self.by_const: dict[tuple[str, str], list] = {}
        self.by_nt: dict[str, list] = {}
        self.templates: dict[str, tuple] = {}  # label -> math string with ints for argument positions
        for stmt in db.statements.values():
            if stmt.kind == "a" and stmt.expr[0] in self.var_types:
                self._add(stmt)

    def _add(self, stmt: Statement) -> None:
        db = self.db
        args = {db.statements[h].expr[1]: k for k, h in enumerate(stmt.hyps) if db.statements[h].kind == "f"}
        pattern = []
        for s in stmt.expr[1:]:
            if s in args:
                pattern.append(("v", db.statements[db.floating[s]].expr[0], args[s]))
            else:
                pattern.append(("c", s))
        if not pattern:
            return
        self.type_of[stmt.label] = stmt.expr[0]
        self.templates[stmt.label] = tuple(p[2] if p[0] == "v" else p[1] for p in pattern)
        rule = (stmt.label, tuple(pattern), len(args))
        if pattern[0][0] == "c":
            self.by_const.setdefault((stmt.expr[0], pattern[0][1]), []).append(rule)
        else:
            self.by_nt.setdefault(stmt.expr[0], []).append(rule)

    def parse(self, typecode: str, symbols: tuple[str, ...] | list[str]) -> Tree:
        """The syntax tree of `symbols` as a `typecode`; MetamathError if it does not parse (or is ambiguous)."""
        toks = tuple(symbols)
        memo: dict[tuple[str, int], list] = {}
        busy: set[tuple[str, int]] = set()
        db = self.db

        def nt(tc: str, pos: int) -> list:
            key = (tc, pos)
            if key in memo:
                return memo[key]
            if key in busy or pos >= len(toks):
                return []
            busy.add(key)
            out = []
            sym = toks[pos]
            f = db.floating.get(sym)
            if f is not None and self.type_of[f] == tc:
                out.append((pos + 1, (f,)))
            for label, pattern, arity in self.by_const.get((tc, sym), []) + self.by_nt.get(tc, []):
                for end, kids in seq(pattern, 0, pos, {}):
                    out.append((end, (label,) + tuple(kids[k] for k in range(arity))))
            busy.discard(key)
            memo[key] = out
            return out

        def seq(pattern, k: int, pos: int, kids: dict):
            if k == len(pattern):
                yield pos, kids
                return
            item = pattern[k]
            if item[0] == "c":
                if pos < len(toks) and toks[pos] == item[1]:
                    yield from seq(pattern, k + 1, pos + 1, kids)
                return
            for end, tree in nt(item[1], pos):
                yield from seq(pattern, k + 1, end, {**kids, item[2]: tree})

        full = [tree for end, tree in nt(typecode, 0) if end == len(toks)]
        if not full:
            raise MetamathError(f"{' '.join(toks)!r} does not parse as a {typecode}")
        if len(set(full)) > 1:
            raise MetamathError(f"{' '.join(toks)!r} parses as a {typecode} in {len(set(full))} ways")
        return full[0]

    def statement(self, stmt: Statement) -> Tree:
        """The tree of a `|-` statement's body (or of any expression whose typecode is a variable type)."""
        tc = BODY if stmt.expr[0] == PROVABLE else stmt.expr[0]
        return self.parse(tc, stmt.expr[1:])

    def symbols(self, tree: Tree) -> tuple[str, ...]:
        """The math string of a tree (without typecode)."""
        out: list[str] = []
        self._flat(tree, out)
        return tuple(out)

    def _flat(self, tree: Tree, out: list[str]) -> None:
        label = tree[0]
        if label in self.var_of:
            out.append(self.var_of[label])
            return
        for s in self.templates[label]:
            if isinstance(s, int):
                self._flat(tree[1 + s], out)
            else:
                out.append(s)

    def rpn(self, tree: Tree, out: list[str]) -> list[str]:
        """Append the proof steps that build `tree` (its syntax proof, in RPN) to `out`."""
        for child in tree[1:]:
            self.rpn(child, out)
        out.append(tree[0])
        return out
