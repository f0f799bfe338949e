"""Writing found proofs back into a Metamath database, so a user can load and check them.

A found proof is an ordinary normal-format Metamath proof (labels in RPN: syntax steps, hypotheses, then
the assertion); `with_proofs` returns a copy of the database text in which each given $p's proof between
`$=` and `$.` is replaced, everything else (comments, formatting, other proofs) left byte for byte.
`write` saves it atomically; `metamath` then verifies the whole file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from move37.atomic import write_text
from move37.prove.checker import proof_span


def format_proof(proof: list[str], indent: int = 6, width: int = 79) -> str:
    """A proof as lines of labels, wrapped and indented like set.mm's own."""
    pad = " " * indent
    return "\n" + textwrap.fill(" ".join(proof), width=width, initial_indent=pad, subsequent_indent=pad,
                                break_long_words=False, break_on_hyphens=False) + "\n    "


def with_proofs(text: str, proofs: dict[str, list[str]]) -> str:
    """`text` with the proof of each label in `proofs` replaced (MetamathError for a label without a $p)."""
    spans = sorted(((proof_span(text, label), label) for label in proofs), reverse=True)
    for (start, end), label in spans:
        text = text[:start] + format_proof(proofs[label]) + text[end:]
    return text


def write(db_path: Path, out: Path, proofs: dict[str, list[str]]) -> None:
    """Write a copy of the database at `db_path` to `out` (atomically) with `proofs` in place."""
    write_text(Path(out), with_proofs(Path(db_path).read_text(encoding="utf-8"), proofs))
