"""The learned term generator: candidates for an unfixed variable (modus ponens's antecedent) include terms
built by one connective, and training on the terms that found proofs used moves the needed term up."""

import math
import random


from move37.prove import environment, learn, search
from move37.prove.policy import Net, Policy

LABELS = ["mpd", "syl", "mpsyl", "pm2.43i", "com12", "a2d", "sylcom", "mpdd", "mpdi", "mt2", "con3i", "mtod"]


def test_built_candidates_use_the_goals_connectives(prop):
    db, theory = prop
    task = theory.task("a2d")
    plain = theory.candidates(task, task.goal)
    built = theory.candidates(task, task.goal, built=True)
    assert built[:len(plain)] == plain and len(built) > len(plain)
    new = built[len(plain):]
    assert all(t not in plain and t != task.goal for t in new)
    assert {t[0] for t in new} <= {"wi"}  # a2d's statements have no other connective
    assert len(set(new)) == len(new) <= environment.MAX_BUILT


def test_the_generator_learns_to_rank_the_needed_term(prop, one_thread):
    db, theory = prop
    rng = random.Random(0)
    samples = learn.Samples()
    used = []  # (task, goal, term the found proof put for ax-mp's antecedent)
    for label in LABELS:
        task = theory.task(label)
        result = search.prove(theory, task, budget=60, method="uniform")
        samples.add(theory, task, result, rng)
        used += [(task, goal, dict(step.subst)[step.rule.free[0]]) for goal, step in result.step_of.items()
                 if step.rule.free]
    assert len(samples.terms) >= len(used) >= 10
    net = Net()
    losses = learn.train(net, samples, epochs=20, lr=3e-3, seed=0)
    chance = sum(math.log(len(t)) for t in samples.terms) / len(samples.terms)  # loss of a uniform guess
    assert losses["term_loss"] < 0.75 * chance
    policy = Policy(net, {"term_targets": len(samples.terms)})
    assert policy.ranks_terms and not Policy(Net()).ranks_terms
    default = learned = 0
    for task, goal, term in used:
        default += theory.candidates(task, goal).index(term)
        learned += policy.rank_terms(theory, task, goal, theory.candidates(task, goal, built=True)).index(term)
    # ranked among more candidates (the built ones too), the needed terms still come earlier on average
    assert learned < default
    # syl's proof: the term it needed comes fifth in the fixed order, among the first two in the learned one
    task, goal, term = next(u for u in used if u[0].label == "syl")
    assert theory.candidates(task, goal).index(term) == 4
    assert term in policy.rank_terms(theory, task, goal, theory.candidates(task, goal, built=True))[:2]
