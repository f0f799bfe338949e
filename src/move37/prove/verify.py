"""Checking Metamath proofs: the stack machine of the Metamath book (section 2.3), our own code.

A proof is a sequence of steps. A hypothesis label pushes its expression; an assertion label pops one entry
per mandatory hypothesis, finds the substitution that its $f hypotheses fix (each entry for a $f must start
with that typecode; the variable stands for the rest), checks that each $e hypothesis under the substitution
equals its entry, checks its $d conditions (no two distinct-variable variables may be substituted by
expressions sharing a variable, and each pair of variables so substituted must be under a $d of the theorem
being proved), and pushes its conclusion under the substitution. A proof is correct when one entry is left
and it equals the statement.

Compressed proofs (Metamath book, appendix B): `( labels )` then letters; A-T end a number, U-Y are its
higher digits in base 5, Z saves the top of the stack for later reuse. Number k refers to the mandatory
hypotheses, then the labels in parentheses, then the saved entries, in that order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from move37.errors import ProofError
from move37.prove.database import Database, Statement

_SAVE = -1


def compressed_steps(stmt: Statement) -> Iterator[int]:
    """The numbers of a compressed proof (1-based; `_SAVE` for Z); ProofError on a bad letter or `?`."""
    proof = stmt.proof
    close = proof.index(")")
    letters = "".join(proof[close + 1:])
    number = 0
    for ch in letters:
        if "A" <= ch <= "T":
            yield number * 20 + (ord(ch) - 64)
            number = 0
        elif "U" <= ch <= "Y":
            number = number * 5 + (ord(ch) - 84)
        elif ch == "Z":
            if number:
                raise ProofError(f"{stmt.label}: Z in the middle of a number")
            yield _SAVE
        elif ch == "?":
            raise ProofError(f"{stmt.label}: incomplete proof (unknown step ?)")
        else:
            raise ProofError(f"{stmt.label}: {ch!r} is not a compressed-proof letter")
    if number:
        raise ProofError(f"{stmt.label}: compressed proof ends in the middle of a number")


def proof_labels(db: Database, stmt: Statement) -> list[str]:
    """The labels a proof refers to (for a compressed proof, the hypotheses then the parenthesised ones)."""
    proof = stmt.proof or []
    if proof and proof[0] == "(":
        if ")" not in proof:
            raise ProofError(f"{stmt.label}: compressed proof without ')'")
        return list(stmt.hyps) + proof[1:proof.index(")")]
    return list(proof)


class Verifier:
    """Verifies the proofs of one database. `verify(label)` raises ProofError or returns None."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _referable(self, stmt: Statement, label: str) -> Statement:
        """The statement `label`, if the proof of `stmt` may use it: an earlier assertion, or a hypothesis in
        scope of `stmt` (a $f active at it -- declared before it in a scope not closed before it -- or one
        of its mandatory $e)."""
        ref = self.db.statements.get(label)
        if ref is None:
            raise ProofError(f"{stmt.label}: proof refers to unknown label {label!r}")
        if ref.number >= stmt.number:
            raise ProofError(f"{stmt.label}: proof refers to {label!r}, which is not earlier")
        if ref.kind == "e" and label not in stmt.hyps:
            raise ProofError(f"{stmt.label}: proof uses hypothesis {label!r}, which is not its own")
        if ref.kind == "f" and ref.scope_end is not None and ref.scope_end <= stmt.number:
            raise ProofError(f"{stmt.label}: proof uses {label!r}, a $f whose scope has closed")
        return ref

    def verify(self, label: str) -> None:
        stmt = self.db[label]
        if stmt.kind != "p":
            raise ProofError(f"{label} is not a $p statement")
        self.check(stmt, stmt.proof or [])

    def check(self, stmt: Statement, proof: list[str]) -> None:
        """Verify `proof` (tokens, normal or compressed) as a proof of `stmt` (its expression, hypotheses and
        $d conditions)."""
        if not proof:
            raise ProofError(f"{stmt.label}: empty proof")
        if proof[0] == "(":
            if ")" not in proof:
                raise ProofError(f"{stmt.label}: compressed proof without ')'")
            labels = list(stmt.hyps) + proof[1:proof.index(")")]
            refs = [self._referable(stmt, lab) for lab in labels]
            for ref in refs[len(stmt.hyps):]:
                if ref.label in stmt.hyps:
                    raise ProofError(f"{stmt.label}: mandatory hypothesis {ref.label} in the label list of a "
                                     "compressed proof")
            probe = Statement(stmt.label, stmt.kind, stmt.expr, stmt.number, stmt.hyps, proof=proof)
            steps: Iterable = _compressed(refs, compressed_steps(probe))
        else:
            if "?" in proof:
                raise ProofError(f"{stmt.label}: incomplete proof (unknown step ?)")
            steps = (self._referable(stmt, lab) for lab in proof)
        stack: list[tuple[str, ...]] = []
        saved: list[tuple[str, ...]] = []
        for step in steps:
            if step is None:  # Z: save the top
                if not stack:
                    raise ProofError(f"{stmt.label}: Z with an empty stack")
                saved.append(stack[-1])
            elif isinstance(step, int):
                if step >= len(saved):
                    raise ProofError(f"{stmt.label}: compressed proof refers to an entry not yet saved")
                stack.append(saved[step])
            elif step.kind in "fe":
                stack.append(step.expr)
            else:
                self._apply(stmt, step, stack)
        if len(stack) != 1:
            raise ProofError(f"{stmt.label}: proof leaves {len(stack)} entries on the stack, not 1")
        if stack[0] != stmt.expr:
            raise ProofError(f"{stmt.label}: proof proves {' '.join(stack[0])}, not {' '.join(stmt.expr)}")

    def _apply(self, stmt: Statement, ref: Statement, stack: list[tuple[str, ...]]) -> None:
        hyps = ref.hyps
        k = len(hyps)
        if len(stack) < k:
            raise ProofError(f"{stmt.label}: {ref.label} needs {k} entries, the stack has {len(stack)}")
        base = len(stack) - k
        statements = self.db.statements
        subst: dict[str, tuple[str, ...]] = {}
        for h, entry in zip(hyps, stack[base:]):
            hyp = statements[h]
            if hyp.kind == "f":
                if entry[0] != hyp.expr[0]:
                    raise ProofError(f"{stmt.label}: {ref.label} wants a {hyp.expr[0]} for {hyp.expr[1]}, "
                                     f"got {' '.join(entry)}")
                subst[hyp.expr[1]] = entry[1:]
        for h, entry in zip(hyps, stack[base:]):
            hyp = statements[h]
            if hyp.kind == "e" and substitute(hyp.expr, subst) != entry:
                raise ProofError(f"{stmt.label}: hypothesis {h} of {ref.label} does not match {' '.join(entry)}")
        if ref.dv:
            variables = self.db.variables
            for pair in ref.dv:
                x, y = tuple(pair)
                xs = {s for s in subst[x] if s in variables}
                ys = {s for s in subst[y] if s in variables}
                for a in xs:
                    for b in ys:
                        if a == b or frozenset((a, b)) not in stmt.dv_all:
                            raise ProofError(f"{stmt.label}: {ref.label} breaks $d {x} {y} "
                                             f"(substituted variables {a} and {b})")
        del stack[base:]
        stack.append(substitute(ref.expr, subst))


def substitute(expr: tuple[str, ...], subst: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for s in expr:
        rep = subst.get(s)
        if rep is None:
            out.append(s)
        else:
            out.extend(rep)
    return tuple(out)


def _compressed(refs: list[Statement], numbers: Iterable[int]) -> Iterator:
    """Compressed numbers -> steps: a Statement, None (save), or the int index of a saved entry."""
    m = len(refs)
    for k in numbers:
        if k == _SAVE:
            yield None
        elif k <= m:
            yield refs[k - 1]
        else:
            yield k - m - 1


def normal_proof(db: Database, stmt: Statement) -> list[str]:
    """The proof of `stmt` in normal format with every reused step written out in full (the form the prover
    finds proofs in, so that lengths compare); a normal proof is returned as it is."""
    proof = stmt.proof or []
    if not proof or proof[0] != "(":
        return list(proof)
    refs = [db.statements[label] for label in proof_labels(db, stmt)]
    stack: list[list[str]] = []
    saved: list[list[str]] = []
    for step in _compressed(refs, compressed_steps(stmt)):
        if step is None:
            saved.append(stack[-1])
        elif isinstance(step, int):
            stack.append(saved[step])
        elif step.kind in "fe":
            stack.append([step.label])
        else:
            k = len(step.hyps)
            args = stack[len(stack) - k:]
            del stack[len(stack) - k:]
            stack.append([label for arg in args for label in arg] + [step.label])
    if len(stack) != 1:
        raise ProofError(f"{stmt.label}: proof leaves {len(stack)} entries on the stack, not 1")
    return stack[0]


def verify_all(db: Database, labels: Iterable[str] | None = None) -> dict[str, str]:
    """Verify the given $p statements (all of them by default); returns {label: error} for those that fail."""
    verifier = Verifier(db)
    failures: dict[str, str] = {}
    for label in (labels if labels is not None else [s.label for s in db.theorems()]):
        try:
            verifier.verify(label)
        except ProofError as e:
            failures[label] = str(e)
    return failures
