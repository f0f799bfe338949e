"""Proof search over the AND/OR graph of goals (HTPS-style best-first, and the baselines).

Each goal is an OR node (any one of its steps proves it); each step is an AND node (all its new goals
must be proved). Goals are shared: the same tree reached twice is one node. An expansion takes the open
goal of least cost, lists its steps (environment.py) and adds their new goals; the budget counts
expansions. A goal is proved when one of its steps has all new goals proved (hypotheses count as proved),
and that propagates up; it fails when every step has a failed goal.

Costs, by method:
  bfs      the goal's depth (breadth-first);
  uniform  the path's -log prior with a uniform prior over each goal's steps;
  best     the path's -log prior from the policy, plus -log of the policy's value of the goal (its chance of
           being proved within the budget), as in HTPS / Holophrasm; the policy's term generator (once
           trained) orders the terms proposed for unfixed variables.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass, field

from move37.prove.environment import Step, Task, Theory
from move37.prove.grammar import Tree

METHODS = ("best", "bfs", "uniform")


class Node:
    __slots__ = ("goal", "depth", "cost", "steps", "parents", "proved_by", "proved", "failed", "expanded")

    def __init__(self, goal: Tree, depth: int, cost: float) -> None:
        self.goal = goal
        self.depth = depth
        self.cost = cost
        self.steps: list[tuple[Step, list[Node]]] = []
        self.parents: list[tuple[Node, int]] = []  # (parent, index of the step in parent.steps)
        self.proved_by: Step | None = None
        self.proved = False
        self.failed = False
        self.expanded = False


@dataclass
class Result:
    """The outcome of one search: `proof` (Metamath RPN labels) when proved; the expanded goals with the
    steps listed there and which one is on the proof (for training the policy)."""

    label: str
    proved: bool
    expansions: int
    seconds: float
    proof: list[str] | None = None
    # For learning: (goal, steps listed, index of the step that proved it or -1, proved within the search)
    expanded: list[tuple[Tree, list[Step], int, bool]] = field(default_factory=list)
    step_of: dict[Tree, Step] = field(default_factory=dict)


def prove(theory: Theory, task: Task, budget: int = 100, method: str = "best", policy=None,
          seconds: float | None = None) -> Result:
    """Search for a proof of `task` within `budget` expansions (and `seconds` of wall clock, if given).
    method "best" needs `policy` (policy.Policy); without one it is "uniform"."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    if method == "best" and policy is None:
        method = "uniform"
    start = time.perf_counter()
    nodes: dict[Tree, Node] = {}
    queue: list = []
    tick = itertools.count()
    rank = None
    if method == "best" and policy.ranks_terms:
        def rank(task, goal, candidates):
            return policy.rank_terms(theory, task, goal, candidates)

    def node_for(goal: Tree, depth: int, cost: float) -> Node:
        node = nodes.get(goal)
        if node is None:
            node = nodes[goal] = Node(goal, depth, cost)
            if goal in task.hyps:
                node.proved = True
            else:
                heapq.heappush(queue, (depth if method == "bfs" else cost, next(tick), node))
        return node

    root = node_for(task.goal, 0, 0.0)
    expansions = 0
    while queue and not root.proved and expansions < budget:
        if seconds is not None and time.perf_counter() - start > seconds:
            break
        _, _, node = heapq.heappop(queue)
        if node.proved or node.failed or node.expanded or not _alive(node, root):
            continue
        node.expanded = True
        expansions += 1
        steps = theory.steps(task, node.goal, rank)
        if not steps:
            _fail(node)
            continue
        if method == "best":
            priors, values = policy.score(theory, task, node.goal, steps, nodes)
        else:
            priors = [1.0 / len(steps)] * len(steps)
        for k, step in enumerate(steps):
            cost = node.cost - math.log(max(priors[k], 1e-9))
            kids = []
            for sub in step.subgoals:
                kid = nodes.get(sub)
                if kid is None:
                    v = values(sub) if method == "best" else 1.0
                    kid = node_for(sub, node.depth + 1, cost - math.log(max(v, 1e-6)))
                kids.append(kid)
                kid.parents.append((node, k))
            node.steps.append((step, kids))
        for k, (step, kids) in enumerate(node.steps):
            if all(kid.proved for kid in kids):
                _prove(node, k)
                break
        if not node.proved and all(any(kid.failed for kid in kids) for _, kids in node.steps):
            _fail(node)
    step_of = {n.goal: n.proved_by for n in nodes.values() if n.proved_by is not None}
    result = Result(task.label, root.proved, expansions, time.perf_counter() - start)
    if root.proved:
        result.proof = theory.proof(step_of, task)
        result.step_of = step_of
    for n in nodes.values():
        if n.expanded:
            steps = [s for s, _ in n.steps]
            # Hindsight: every goal proved inside the search, on the final proof or not (and in failed
            # searches too), teaches the step that proved it.
            chosen = steps.index(n.proved_by) if n.proved_by in steps else -1
            result.expanded.append((n.goal, steps, chosen, n.proved))
    return result


def _alive(node: Node, root: Node) -> bool:
    """Whether proving `node` could still help: the root, or a goal with a parent step not yet failed whose
    goal is open. (One level up only: cheap, and it prunes the bulk.)"""
    if node is root:
        return True
    return any(not p.proved and not p.failed for p, _ in node.parents)


def _prove(node: Node, k: int) -> None:
    todo = [(node, k)]
    while todo:
        node, k = todo.pop()
        if node.proved:
            continue
        node.proved = True
        node.proved_by = node.steps[k][0]
        for parent, j in node.parents:
            if not parent.proved and all(kid.proved for kid in parent.steps[j][1]):
                todo.append((parent, j))


def _fail(node: Node) -> None:
    todo = [node]
    while todo:
        node = todo.pop()
        if node.failed or node.proved:
            continue
        node.failed = True
        for parent, _ in node.parents:
            if not parent.failed and not parent.proved and parent.expanded and all(
                    any(kid.failed for kid in kids) for _, kids in parent.steps):
                todo.append(parent)
