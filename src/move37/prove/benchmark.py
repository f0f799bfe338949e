"""The propositional-calculus benchmark of set.mm and its fixed held-out split.

The theorems are set.mm's $p statements before `ax-gen` (the first axiom of predicate calculus) whose
variables are all wffs: 1,624 of the Debian 2021 snapshot's. A random fifth, fixed by the seed, is held out;
each theorem, held out or not, may use only the assertions before it (environment.Theory.task).
"""

from __future__ import annotations

import random

from move37.prove.database import Database

BOUNDARY = "ax-gen"


def propositional(db: Database) -> list[str]:
    """Labels of the benchmark's theorems, in database order."""
    end = db[BOUNDARY].number
    out = []
    for stmt in db.statements.values():
        if stmt.number >= end:
            break
        if stmt.kind == "p" and stmt.expr[0] == "|-" and all(
                db.statements[db.floating[s]].expr[0] == "wff" for s in stmt.expr if s in db.variables):
            out.append(stmt.label)
    return out


def split(labels: list[str], seed: int = 0, held_out: float = 0.2) -> tuple[list[str], list[str]]:
    """(train, test): a random `held_out` fraction as the test set, fixed by `seed`; both in database order."""
    rng = random.Random(seed)
    test = set(rng.sample(labels, round(len(labels) * held_out)))
    return [lab for lab in labels if lab not in test], [lab for lab in labels if lab in test]
