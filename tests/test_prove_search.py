"""The proving environment and the search on set.mm's propositional calculus: steps unify backwards, found
proofs verify, only earlier assertions are used, and the grammar round-trips every statement."""

import pytest

from move37.prove import search, verify



def test_grammar_round_trips_every_statement(prop):
    db, theory = prop
    g = theory.grammar
    for stmt in db.statements.values():
        if stmt.expr[0] == "|-":
            assert g.symbols(g.statement(stmt)) == stmt.expr[1:]
    assert g.statement(db["syl"]) == ("wi", ("wph",), ("wch",))


def test_modus_ponens_needs_a_proposed_term(prop):
    db, theory = prop
    rule = theory.rule_of["ax-mp"]
    assert rule.free == ("wph",)
    task = theory.task("mpd")  # |- ( ph -> ch ) from ( ph -> ps ) and ( ph -> ( ps -> ch ) )
    steps = [s for s in theory.steps(task, task.goal) if s.rule.label == "ax-mp"]
    assert steps and all(task.goal not in s.subgoals for s in steps)
    # one of the proposed terms is a hypothesis, so that one new goal is closed at once
    assert any(any(g in task.hyps for g in s.subgoals) for s in steps)


@pytest.mark.parametrize("method", ["bfs", "uniform"])
def test_found_proofs_verify_and_use_only_earlier_assertions(prop, method):
    db, theory = prop
    checker = verify.Verifier(db)
    proved = 0
    for label in ["a1i", "syl", "idd", "mpsyl", "pm2.43i", "com12"]:
        task = theory.task(label)
        result = search.prove(theory, task, budget=60, method=method)
        assert result.expansions <= 60
        if result.proved:
            proved += 1
            checker.check(db[label], result.proof)
            used = [db[step] for step in result.proof]
            assert all(s.number < db[label].number for s in used)
            assert label not in result.proof
    assert proved >= 4


def test_a_wrong_step_order_is_caught_by_the_verifier(prop):
    db, theory = prop
    result = search.prove(theory, theory.task("syl"), budget=60, method="bfs")
    assert result.proved
    broken = result.proof[:-1]
    with pytest.raises(Exception):
        verify.Verifier(db).check(db["syl"], broken)
