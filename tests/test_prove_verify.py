"""Our Metamath reader and verifier against the `metamath` program: every proof of set.mm's propositional
calculus accepted by both, mutated proofs rejected by both (the same verdict, proof by proof), $d conditions
enforced, malformed databases refused with one MetamathError. The whole of set.mm is the slow test."""

import random

import pytest

from move37.errors import MetamathError, ProofError
from move37.prove import checker, database, verify

SETMM = database.DEFAULT_DB
needs_setmm = pytest.mark.skipif(not SETMM.is_file(), reason="set.mm not installed (Debian metamath-databases)")
needs_metamath = pytest.mark.skipif(not checker.available(), reason="metamath not installed (Debian metamath)")

DV = """$c |- var $.
$v x y $.
vx $f var x $.
vy $f var y $.
${ $d x y $. ax-d $a |- x y $. $}
${ $d x y $. good $p |- x y $= vx vy ax-d $. $}
same $p |- x x $= vx vx ax-d $.
nodv $p |- y x $= vy vx ax-d $.
"""


def test_demo0_verifies():
    db = database.read(SETMM.parent / "demo0.mm")
    assert [s.label for s in db.theorems()] == ["th1"]
    assert verify.verify_all(db) == {}
    assert db["th1"].hyps == ("tt",)


def test_distinct_variables_are_enforced(tmp_path):
    db = database.parse(DV)
    assert db["ax-d"].dv == {frozenset(("x", "y"))}
    failures = verify.verify_all(db)
    assert set(failures) == {"same", "nodv"}
    assert "$d" in failures["same"] and "$d" in failures["nodv"]
    if checker.available():
        (tmp_path / "dv.mm").write_text(DV)
        assert checker.metamath_failures(tmp_path / "dv.mm") == {"same", "nodv"}

SCOPE = """$c a b $.
$v x y $.
fy $f a y $.
${ fx $f a x $. $}
${ ey $e a y $. ax $a b $. $}
t $p b $= fx fx ax $.
u $p b $= fy fy ax $.
"""


def test_a_floating_hypothesis_out_of_scope_is_refused(tmp_path):
    failures = verify.verify_all(database.parse(SCOPE))
    assert set(failures) == {"t"} and "scope has closed" in failures["t"]
    if checker.available():
        (tmp_path / "scope.mm").write_text(SCOPE)
        assert checker.metamath_failures(tmp_path / "scope.mm") == {"t"}


def test_compressed_proofs_expand_to_normal_ones(prop_text):
    db = database.parse(prop_text)
    check = verify.Verifier(db)
    compressed = [s for s in db.theorems() if s.proof[0] == "("][:300]
    for stmt in compressed:
        normal = verify.normal_proof(db, stmt)
        assert "(" not in normal and normal[-1] != stmt.label
        check.check(stmt, normal)
    assert verify.normal_proof(db, db["syl"]) == ["wph", "wps", "wch", "syl.1", "wps", "wch", "wi", "wph",
                                                  "syl.2", "a1i", "mpd"]


@needs_metamath
def test_propositional_calculus_agrees_with_metamath(prop_text, tmp_path):
    db = database.parse(prop_text)
    labels = [s.label for s in db.theorems()]
    assert len(labels) > 1400 and any(db[lab].proof[0] == "(" for lab in labels)
    assert verify.verify_all(db) == {}
    (tmp_path / "prop.mm").write_text(prop_text)
    assert checker.metamath_failures(tmp_path / "prop.mm") == set()

    broken = random.Random(7).sample(labels, 60)
    text, done = checker.mutants(prop_text, broken, seed=7)
    (tmp_path / "mutants.mm").write_text(text)
    ours = set(verify.verify_all(database.parse(text)))
    theirs = checker.metamath_failures(tmp_path / "mutants.mm")
    assert ours == theirs
    assert len(ours) >= 50 and ours <= set(done)


@pytest.mark.parametrize("text, message", [
    ("$c a $. $( never closed", "never closed"),
    ("$c a $. x $a a b $.", "not an active"),
    ("$c a $. ${ ", "never closed"),
    ("$c a $. $}", "without a matching"),
    ("$c a $. x $a a $. x $a a $.", "used twice"),
    ("$c a $. $[ other.mm $]", "inclusion"),
    ("$c a $. $v v $. x $a a v $.", "no active $f"),
    ("$c a $. x $q a $.", "not $f $e $a $p"),
    ("$c a $. x $p a $= $.", "empty proof"),
])
def test_malformed_databases_are_refused(text, message):
    with pytest.raises(MetamathError, match=message.replace("$", r"\$")):
        database.parse(text)


def test_bad_proofs_raise_proof_error():
    base = "$c a b $. x $a a $. y $a b $.\n"
    for proof, message in [("x x", "2 entries"), ("y", "proves"), ("z", "unknown label"), ("t", "not earlier"),
                           ("( ) ?", "incomplete"), ("( x ) AB", "not yet saved")]:
        db = database.parse(base + f"t $p a $= {proof} $.")
        with pytest.raises(ProofError, match=message):
            verify.Verifier(db).verify("t")


@pytest.mark.slow
@needs_setmm
@needs_metamath
def test_all_of_setmm_verifies_with_both():
    db = database.read(SETMM)
    assert len(db.theorems()) > 30000
    assert verify.verify_all(db) == {}
    assert checker.metamath_failures(SETMM) == set()
