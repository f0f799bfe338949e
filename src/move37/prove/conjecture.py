"""Conjecturing in the Minimo way: new statements from set.mm's grammar, attempted by the prover, learned
from when proved, and steered towards the hard-but-provable.

A conjecture instantiates an earlier assertion's pattern (its source): each variable is replaced by a
variable or by a small random term built by the grammar's connectives (those of the source's statements,
and `->`, `-.`); an inference's hypotheses are either kept as hypotheses or folded into the goal as
antecedents (`( h1 -> ( h2 -> c ) )`, the closed form, which needs a deduction-style proof). It is posed at
its source's position: only the assertions before the source may prove it, so the source itself (which
proves an instance in one step) never can. Conjectures whose goal is a held-out theorem's are not made.
Many are false or out of reach; the proved ones teach the policy like any other search (learn.Samples,
hindsight included).

Hard but provable: a proved conjecture is hard when the search needed at least `hard` expansions; each
hard one adds to its source's weight in the next draw of sources (a simple form of Minimo's conditioning
of the conjecturer on difficulty). The difficulty of each (expansions, proof length in assertion steps)
is recorded by the caller (learn.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from move37.prove.database import Database, Statement
from move37.prove.environment import Task, Theory, instantiate, leaves, subterms
from move37.prove.grammar import PROVABLE, Tree
from move37.prove.verify import Verifier

KEEP_HYPS = 0.5  # chance that an inference's hypotheses stay hypotheses (else the closed form)
AS_VARIABLE = 0.4  # chance that a variable is replaced by a variable (else by a random term)
VARIABLES = 4  # variables drawn from: the first this many of the source's type
BASIC = ("wi", "wn")  # connectives always available (when the grammar has them)


@dataclass(frozen=True)
class Conjecture:
    """A statement to attempt: `goal` and `hyps` (trees), posed at the position of assertion `source`."""

    name: str
    source: str
    goal: Tree
    hyps: tuple[Tree, ...] = ()


def generate(theory: Theory, sources: list[str], weights: dict[str, float], n: int, rng: random.Random,
             banned: set[Tree], prefix: str = "conj") -> list[Conjecture]:
    """`n` distinct conjectures (fewer if the draws keep repeating): sources drawn with weight 1 + weights[s];
    none has a goal in `banned` or among its own hypotheses."""
    weight = [1.0 + weights.get(s, 0.0) for s in sources]
    out: list[Conjecture] = []
    seen: set = set()
    for _ in range(20 * n):
        if len(out) >= n:
            break
        source = rng.choices(sources, weight)[0]
        goal, hyps = _instance(theory, theory.rule_of[source], rng)
        key = (goal, hyps)
        if goal in banned or goal in hyps or key in seen:
            continue
        seen.add(key)
        out.append(Conjecture(f"{prefix}{len(out)}", source, goal, hyps))
    return out


def _instance(theory: Theory, rule, rng: random.Random) -> tuple[Tree, tuple[Tree, ...]]:
    floating = theory.floating
    type_of = theory.grammar.type_of
    statements = [rule.conclusion, *rule.essentials]
    heads = {t[0] for s in statements for t in subterms(s) if t[0] not in floating}
    heads |= {h for h in BASIC if h in theory.grammar.templates}
    variables = sorted({v for s in statements for v in leaves(s, floating)}, key=lambda v: theory.db[v].number)
    pool: dict[str, list[str]] = {}
    for f in sorted(floating, key=lambda v: theory.db[v].number):
        pool.setdefault(type_of[f], []).append(f)
    subst = {}
    for v in variables:
        if rng.random() < AS_VARIABLE:
            subst[v] = (rng.choice(pool[type_of[v]][:VARIABLES]),)
        else:
            subst[v] = _term(theory, type_of[v], sorted(heads), pool, rng, depth=2)
    goal = instantiate(rule.conclusion, subst, floating)
    hyps = tuple(instantiate(e, subst, floating) for e in rule.essentials)
    if hyps and rng.random() >= KEEP_HYPS and "wi" in theory.grammar.templates:
        for h in reversed(hyps):
            goal = ("wi", h, goal)
        hyps = ()
    return goal, hyps


def _term(theory: Theory, typecode: str, heads: list[str], pool: dict[str, list[str]], rng: random.Random,
          depth: int) -> Tree:
    """A random term of `typecode`: a variable, or (depth > 0) a connective of `heads` over random terms."""
    db, type_of = theory.db, theory.grammar.type_of
    fitting = [h for h in heads if type_of.get(h) == typecode]
    if depth == 0 or not fitting or rng.random() < 0.3:
        return (rng.choice(pool[typecode][:VARIABLES]),)
    head = rng.choice(fitting)
    args = [db.statements[h].expr[0] for h in db[head].hyps]
    return (head, *(_term(theory, a, heads, pool, rng, depth - 1) for a in args))


def statement(theory: Theory, conj: Conjecture) -> tuple[Statement, dict[str, Statement]]:
    """The conjecture as a $p statement at its source's position, and its $e hypotheses (label ->
    statement), so that the verifier can check a proof of it like any other."""
    db, g = theory.db, theory.grammar
    number = db[conj.source].number
    essentials = {f"{conj.name}.{k + 1}": Statement(f"{conj.name}.{k + 1}", "e", (PROVABLE, *g.symbols(h)),
                                                    number - 1) for k, h in enumerate(conj.hyps)}
    used = set().union(*(leaves(t, theory.floating) for t in (conj.goal, *conj.hyps)))
    floats = tuple(sorted(used, key=lambda v: db[v].number))
    stmt = Statement(conj.name, "p", (PROVABLE, *g.symbols(conj.goal)), number, floats + tuple(essentials))
    return stmt, essentials


def task(theory: Theory, conj: Conjecture) -> Task:
    stmt, essentials = statement(theory, conj)
    hyps: dict[Tree, str] = {}
    for h, label in zip(conj.hyps, essentials):
        hyps.setdefault(h, label)
    return theory.made_task(stmt, conj.goal, hyps)


def check(theory: Theory, conj: Conjecture, proof: list[str]) -> None:
    """Verify `proof` of `conj` with our verifier (ProofError if it is wrong)."""
    stmt, essentials = statement(theory, conj)
    db = theory.db
    view = Database({**db.statements, **essentials, conj.name: stmt}, db.constants, db.variables, db.floating)
    Verifier(view).check(stmt, proof)


def proof_length(theory: Theory, proof: list[str]) -> int:
    """The number of assertion steps in a proof (syntax steps and hypotheses not counted)."""
    return sum(label in theory.rule_of for label in proof)
