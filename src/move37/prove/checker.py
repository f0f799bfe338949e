"""The independent check: the `metamath` program (Debian package metamath) on a database file.

Our verifier (verify.py) is what the prover uses; every proof we count or export is also re-checked here,
by Norman Megill's C program, which shares no code with ours. `mutants` makes broken copies of proofs for
the cross-check that both verifiers reject what they should.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

from move37.errors import MetamathError
from move37.prove.database import statement_start

# metamath wraps its lines at 79 columns, so the label may sit on the next line.
_ERROR_LABEL = re.compile(r'^\?Error on line \d+ .*?label\s+"([^"]+)",\s+type\s+"\$p"', re.MULTILINE | re.DOTALL)


def available() -> bool:
    return shutil.which("metamath") is not None


def metamath_failures(path: Path | str, timeout: float = 600) -> set[str]:
    """Labels of the $p statements whose proofs `metamath` rejects in the file at `path` (VERIFY PROOF *).
    MetamathError when the program is missing or the file does not read."""
    exe = shutil.which("metamath")
    if exe is None:
        raise MetamathError("the metamath program is not installed (Debian package metamath)")
    path = Path(path).resolve()
    if '"' in str(path):
        raise MetamathError(f"{path}: a path with a double quote cannot be passed to metamath")
    done = subprocess.run([exe, f'read "{path}"', "verify proof *", "exit"], capture_output=True, text=True,
                          timeout=timeout, cwd=path.parent)
    out = done.stdout + done.stderr
    head, _, checked = out.partition("MM> verify proof *")
    if "No errors were found" not in head:
        raise MetamathError(f"{path}: metamath could not read it: {head.strip().splitlines()[-1] if head.strip() else out}")
    failures = set(_ERROR_LABEL.findall(checked))
    if not failures and "All proofs in the database were verified" not in checked:
        raise MetamathError(f"{path}: metamath reported an error not tied to a proof")
    return failures


def proof_span(text: str, label: str) -> tuple[int, int]:
    """Character offsets (start, end) of the proof of $p `label` in database text: from after `$=` to the
    start of its `$.`. Skips occurrences inside comments. MetamathError if there is none."""
    start = statement_start(text, label)
    eq = text.find("$=", start)
    end = text.find("$.", eq)
    if not text.startswith("$p", text.find("$", start)) or eq < 0 or end < 0:
        raise MetamathError(f"{label!r} is not a $p statement with a proof")
    return eq + 2, end


def mutants(text: str, labels: list[str], seed: int = 0) -> tuple[str, dict[str, str]]:
    """A copy of database `text` in which the proof of each label is broken in one random way: two different
    steps swapped, or one step deleted (normal proofs), or the same on the letters of a compressed proof.
    Returns the text and {label: what was done}. A mutant may still be a valid proof (rarely): the
    cross-check compares both verifiers' verdicts, it does not assume failure."""
    rng = random.Random(seed)
    done: dict[str, str] = {}
    # Replace from the end so earlier offsets stay valid.
    spans = sorted(((proof_span(text, lab), lab) for lab in labels), reverse=True)
    for (start, end), lab in spans:
        proof = text[start:end].split()
        compressed = proof[:1] == ["("]
        if compressed:
            close = proof.index(")")
            letters = list("".join(proof[close + 1:]))
            body, head = letters, proof[:close + 1]
        else:
            body, head = proof, []
        if len(set(body)) < 2:
            continue
        if rng.random() < 0.5:
            i = rng.randrange(len(body))
            j = rng.choice([k for k in range(len(body)) if body[k] != body[i]])
            body[i], body[j] = body[j], body[i]
            done[lab] = f"swap {i} {j}"
        else:
            i = rng.randrange(len(body))
            del body[i]
            done[lab] = f"delete {i}"
        new = head + (["".join(body)] if compressed else body)
        text = text[:start] + " " + " ".join(new) + " " + text[end:]
    return text, done
