"""Conjectures made from earlier assertions' patterns: posed before their source (which cannot prove them),
never a held-out theorem's goal, and a proof found for one is checked by our verifier like any other."""

import random

import pytest

from move37.errors import ProofError
from move37.prove import conjecture, search

SOURCES = ["syl", "mpd", "com12", "pm2.43i", "a2d", "con3i", "mtod", "imim2i", "sylcom", "mpdd"]


def test_conjectures_are_new_statements_posed_before_their_source(prop):
    db, theory = prop
    banned = {theory.rule_of["syl"].conclusion}
    made = conjecture.generate(theory, SOURCES, {}, 20, random.Random(0), banned)
    assert len(made) == 20 and len({(c.goal, c.hyps) for c in made}) == 20
    again = conjecture.generate(theory, SOURCES, {}, 20, random.Random(0), banned)
    assert again == made
    for c in made:
        assert c.source in SOURCES and c.goal not in banned and c.goal not in c.hyps
        task = conjecture.task(theory, c)
        assert all(r.number < db[c.source].number for r in task.rules)
        assert set(task.hyps) == set(c.hyps)
    # closed forms: some inferences' hypotheses were folded into the goal as antecedents
    assert any(not c.hyps and theory.rule_of[c.source].essentials for c in made)
    # weights steer the draw
    steered = conjecture.generate(theory, SOURCES, {"mtod": 1000.0}, 20, random.Random(1), banned)
    assert sum(c.source == "mtod" for c in steered) >= 15


def test_proofs_of_conjectures_are_checked(prop):
    db, theory = prop
    made = conjecture.generate(theory, SOURCES, {}, 30, random.Random(0), set())
    proved = hyps_used = 0
    for c in made:
        result = search.prove(theory, conjecture.task(theory, c), budget=40, method="uniform")
        if not result.proved:
            continue
        proved += 1
        conjecture.check(theory, c, result.proof)
        assert conjecture.proof_length(theory, result.proof) >= 1
        assert c.source not in result.proof
        with pytest.raises(ProofError):
            conjecture.check(theory, c, result.proof[:-1])
        if any(step.startswith(c.name + ".") for step in result.proof):
            hyps_used += 1  # a proof that puts a variable in place of a hypothesis does not check
            with pytest.raises(ProofError):
                conjecture.check(theory, c, [step if not step.startswith(c.name) else "wph"
                                             for step in result.proof])
    assert proved >= 5 and hyps_used >= 1
