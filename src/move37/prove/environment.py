"""The proving game over a Metamath database: goals, and steps that apply an earlier assertion backwards.

A task is a `|-` statement of the database to prove: its goal (a syntax tree, grammar.py), its $e
hypotheses (trees: a goal equal to one is closed), and the assertions it may use -- only those before it
in the database, never itself or later ones. A step unifies an assertion's conclusion with a goal (one-way
matching: goals have no unknowns), and its $e hypotheses under the substitution become the new goals,
all of which must be proved (an AND node; the goal's alternative steps are its OR branches).

An assertion whose hypotheses have variables that its conclusion does not fix -- modus ponens
(`|- ph`, `|- ( ph -> ps )` => `|- ps`) is the main one -- needs a term for each: they are proposed from
the subterms of the goal and of the hypotheses (in that order, smallest first: `Theory.candidates`), or, with
a learned generator of terms (`rank`, policy.Policy.rank_terms), from those and from terms built out of them
by one connective of the goal's grammar (`( a -> b )`, `-. a`, ...), in the order the generator scores them.
Either way the first MAX_TERMS of the order are tried. Steps that would break a $d condition, or whose new
goals include the goal itself, are left out.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from move37.errors import MetamathError
from move37.prove.database import Database, Statement
from move37.prove.grammar import PROVABLE, Grammar, Tree

MAX_FREE = 2    # assertions with more unfixed variables than this are not used
MAX_TERMS = 10  # candidate terms tried for an unfixed variable (the first of the pool, see Theory._terms)
MAX_PAIRS = 5   # ... and for each of two unfixed variables
MAX_BUILT = 80  # terms built by one connective from the goal's subterms and the hypotheses, for a generator
MAX_PARTS = 12  # ... from the smallest this many of those


@dataclass(frozen=True, slots=True)
class Rule:
    """An assertion as a backward step: conclusion pattern, hypotheses in push order (`("f", $f label)` or
    `("e", pattern)`), the $f labels its conclusion does not fix (`free`), its $d pairs as $f-label pairs."""

    label: str
    number: int
    conclusion: Tree
    hyps: tuple
    free: tuple[str, ...]
    dv: tuple[tuple[str, str], ...]
    essentials: tuple[Tree, ...]  # the patterns of the $e hypotheses, in order


@dataclass(frozen=True, slots=True)
class Step:
    """One backward step: the rule, the full substitution ($f label -> tree, sorted), the new goals."""

    rule: Rule
    subst: tuple[tuple[str, Tree], ...]
    subgoals: tuple[Tree, ...]


@dataclass
class Task:
    """A statement to prove: `goal`, its hypotheses (tree -> $e label), and the rules before it."""

    label: str
    statement: Statement
    goal: Tree
    hyps: dict[Tree, str]
    rules: list[Rule]
    dv_all: frozenset = frozenset()
    _by_root: dict[str, list[Rule]] = field(default_factory=dict, repr=False)
    _any_root: list[Rule] = field(default_factory=list, repr=False)


class Theory:
    """The database, its grammar, and every `|-` assertion as a Rule (in database order)."""

    def __init__(self, db: Database, upto: int | None = None) -> None:
        """`upto`: only the assertions numbered below it (and so only tasks before it) -- parsing all of
        set.mm's statements takes far longer than proving an early one."""
        self.db = db
        self.grammar = Grammar(db)
        self.rules: list[Rule] = []
        self.rule_of: dict[str, Rule] = {}
        self.floating = self.grammar.floating
        for stmt in db.statements.values():
            if upto is not None and stmt.number >= upto:
                break
            if stmt.is_assertion and stmt.expr[0] == PROVABLE:
                try:
                    rule = self._rule(stmt)
                except MetamathError:
                    continue  # a statement outside the grammar (none in set.mm): never a step
                self.rules.append(rule)
                self.rule_of[rule.label] = rule

    def _rule(self, stmt: Statement) -> Rule:
        db, g = self.db, self.grammar
        conclusion = g.statement(stmt)
        hyps = []
        for h in stmt.hyps:
            hyp = db.statements[h]
            hyps.append(("f", h) if hyp.kind == "f" else ("e", g.statement(hyp)))
        fixed = leaves(conclusion, self.floating)
        free = tuple(h for kind, h in hyps if kind == "f" and h not in fixed)
        dv = tuple(sorted(tuple(sorted(db.floating[v] for v in pair)) for pair in stmt.dv))
        return Rule(stmt.label, stmt.number, conclusion, tuple(hyps), free, dv,
                    tuple(h[1] for h in hyps if h[0] == "e"))

    def task(self, label: str) -> Task:
        """The task of proving `label` with the rules before it (MetamathError if it is not a `|-` assertion)."""
        stmt = self.db[label]
        if not stmt.is_assertion or stmt.expr[0] != PROVABLE:
            raise MetamathError(f"{label} is not a {PROVABLE} assertion")
        g = self.grammar
        hyps = {}
        for h in stmt.hyps:
            if self.db.statements[h].kind == "e":
                hyps.setdefault(g.statement(self.db.statements[h]), h)
        return self._indexed(Task(label, stmt, g.statement(stmt), hyps, self.rules_before(stmt.number),
                                  stmt.dv_all))

    def rules_before(self, number: int) -> list[Rule]:
        return [r for r in self.rules if r.number < number]

    def _indexed(self, task: Task) -> Task:
        """`task` with its rules indexed by the root label of their conclusions."""
        for r in task.rules:
            root = r.conclusion[0]
            if root in self.floating:
                task._any_root.append(r)
            else:
                task._by_root.setdefault(root, []).append(r)
        return task

    def made_task(self, stmt: Statement, goal: Tree, hyps: dict[Tree, str]) -> Task:
        """A task for a statement that is not in the database (a conjecture, conjecture.py): `stmt` gives its
        position (`number`: the rules before it may be used), `hyps` its hypotheses (tree -> label)."""
        return self._indexed(Task(stmt.label, stmt, goal, dict(hyps), self.rules_before(stmt.number)))

    def steps(self, task: Task, goal: Tree, rank: Callable | None = None) -> list[Step]:
        """Every step that applies to `goal` (see the module docstring). `rank(task, goal, candidates)`, if
        given, orders the candidate terms for unfixed variables (built terms included), best first."""
        out = []
        pool = None
        for rule in task._by_root.get(goal[0], []) + task._any_root:
            subst: dict[str, Tree] = {}
            if not match(rule.conclusion, goal, subst, self.floating):
                continue
            if rule.free:
                if len(rule.free) > MAX_FREE:
                    continue
                if pool is None:
                    pool = self._pool(task, goal, rank)
                cap = MAX_TERMS if len(rule.free) == 1 else MAX_PAIRS
                options = [pool.get(self.grammar.type_of[f], [])[:cap] for f in rule.free]
                choices = itertools.product(*options)
            else:
                choices = [()]
            for choice in choices:
                full = dict(subst)
                full.update(zip(rule.free, choice))
                if rule.dv and not self._distinct(task, rule, full):
                    continue
                subgoals = tuple(instantiate(e, full, self.floating) for e in rule.essentials)
                if goal in subgoals:
                    continue
                out.append(Step(rule, tuple(sorted(full.items())), subgoals))
        return out

    def candidates(self, task: Task, goal: Tree, built: bool = False) -> list[Tree]:
        """Candidate terms for unfixed variables at `goal`, without repeats: the hypotheses themselves, the
        goal's proper subterms, the hypotheses' subterms (smallest first within each source); with `built`,
        then up to MAX_BUILT terms made by one connective that occurs in the goal or hypotheses (a syntax
        axiom of one or two arguments) from the smallest MAX_PARTS hypotheses and goal subterms (smallest first)."""
        seen: set[Tree] = {goal}
        out: list[Tree] = []
        hyp_terms = [t for h in task.hyps for t in subterms(h)]
        for source in (list(task.hyps), subterms(goal)[1:], hyp_terms):
            for t in sorted(source, key=size):
                if t not in seen:
                    seen.add(t)
                    out.append(t)
        if built:
            parts = sorted(dict.fromkeys([*task.hyps, *subterms(goal)[1:]]), key=size)[:MAX_PARTS]
            by_type: dict[str, list[Tree]] = {}
            for t in parts:
                by_type.setdefault(self.grammar.type_of[t[0]], []).append(t)
            heads = {t[0] for h in [*task.hyps, goal] for t in subterms(h) if len(t) in (2, 3)}
            made: list[Tree] = []
            for head in sorted(heads):
                kinds = [by_type.get(self.db.statements[h].expr[0], []) for h in self.db[head].hyps]
                made.extend((head, *args) for args in itertools.product(*kinds))
            fresh = [t for t in sorted(made, key=size) if t not in seen]
            out.extend(list(dict.fromkeys(fresh))[:MAX_BUILT])
        return out

    def _pool(self, task: Task, goal: Tree, rank: Callable | None) -> dict[str, list[Tree]]:
        """The candidate terms by typecode, in the order tried."""
        terms = self.candidates(task, goal, built=rank is not None)
        if rank is not None:
            terms = rank(task, goal, terms)
        pool: dict[str, list[Tree]] = {}
        for t in terms:
            pool.setdefault(self.grammar.type_of[t[0]], []).append(t)
        return pool

    def _distinct(self, task: Task, rule: Rule, subst: dict[str, Tree]) -> bool:
        var_of = self.grammar.var_of
        for x, y in rule.dv:
            for a in leaves(subst[x], self.floating):
                for b in leaves(subst[y], self.floating):
                    if a == b or frozenset((var_of[a], var_of[b])) not in task.dv_all:
                        return False
        return True

    def proof(self, step_of: dict[Tree, Step], task: Task, goal: Tree | None = None) -> list[str]:
        """The normal (uncompressed) Metamath proof of `goal` (the task's goal by default) given the step that
        proved each goal (`step_of`; goals equal to hypotheses need none)."""
        out: list[str] = []
        self._emit(step_of, task, task.goal if goal is None else goal, out)
        return out

    def _emit(self, step_of: dict[Tree, Step], task: Task, goal: Tree, out: list[str]) -> None:
        if goal in task.hyps:
            out.append(task.hyps[goal])
            return
        step = step_of[goal]
        subst = dict(step.subst)
        k = 0
        for kind, h in step.rule.hyps:
            if kind == "f":
                self.grammar.rpn(subst[h], out)
            else:
                self._emit(step_of, task, step.subgoals[k], out)
                k += 1
        out.append(step.rule.label)


def match(pattern: Tree, tree: Tree, subst: dict[str, Tree], floating: set[str]) -> bool:
    """Extend `subst` so that `pattern` under it equals `tree` (one-way); False if impossible."""
    head = pattern[0]
    if head in floating:
        bound = subst.get(head)
        if bound is None:
            subst[head] = tree
            return True
        return bound == tree
    if head != tree[0]:
        return False
    for p, t in zip(pattern[1:], tree[1:]):
        if not match(p, t, subst, floating):
            return False
    return True


def instantiate(pattern: Tree, subst: dict[str, Tree], floating: set[str]) -> Tree:
    head = pattern[0]
    if head in floating:
        return subst[head]
    if len(pattern) == 1:
        return pattern
    return (head,) + tuple(instantiate(p, subst, floating) for p in pattern[1:])


def subterms(tree: Tree) -> list[Tree]:
    out = [tree]
    for child in tree[1:]:
        out.extend(subterms(child))
    return out


def leaves(tree: Tree, floating: set[str]) -> set[str]:
    """The $f labels (variables) in a tree."""
    if tree[0] in floating:
        return {tree[0]}
    out: set[str] = set()
    for child in tree[1:]:
        out |= leaves(child, floating)
    return out


@functools.lru_cache(maxsize=1 << 17)
def size(tree: Tree) -> int:
    """The number of nodes of a tree (cached: features ask for the same goals' sizes again and again)."""
    return 1 + sum(size(c) for c in tree[1:])
