"""The learned prover's network: which step to take at a goal (policy) and whether a goal will be proved
within the budget (value), small enough to score every step of an expansion on a CPU.

Inputs are features, not raw symbols, so that a few hundred found proofs are enough to learn from:
  goal (GOAL_DIM): hashed counts of the syntax labels in the goal, its root label, its size, depth and
      number of variables, and what the hypotheses say about it (how many, how much of the goal's
      subterms occur in them, whether the goal is inside one) -- the policy sees the hypotheses;
  step (STEP_DIM): how many new goals, how many of them are hypotheses (closed at once), their size
      against the goal's, the unfixed variables and whether their terms are hypotheses, how specific
      the assertion's conclusion is; plus a learned embedding of the assertion's label (hashed).
  term (TERM_DIM): for a candidate term of an unfixed variable (modus ponens's antecedent): hashed counts
      of its syntax labels and its root, where it comes from (a hypothesis, the goal, a hypothesis's
      subterm, or built by one connective: environment.Theory.candidates), whether a hypothesis links it to
      the goal (`( term -> goal )` is one: both new goals of modus ponens closed), its size and variables.
Prior logits: an MLP over [goal, step, embedding]; softmax over the goal's steps. Value: an MLP over
the goal's features, sigmoid. Terms: an MLP over [goal, term] whose scores order the candidates (the
learned term generator; until it has been trained on some term it is not used). Weights are saved as
safetensors with a JSON description.
"""

from __future__ import annotations

import functools
import json
import zlib
from pathlib import Path

import torch
from safetensors.torch import load_file, save
from torch import nn

from move37 import runs
from move37.atomic import write_bytes, write_text
from move37.errors import RunFolderError
from move37.prove.environment import Step, Task, Theory, size, subterms
from move37.prove.grammar import Tree

BUCKETS = 32
RULE_BUCKETS = 4096
GOAL_DIM = 2 * BUCKETS + 7
STEP_DIM = 11
TERM_DIM = 2 * BUCKETS + 12
WEIGHTS = "policy.safetensors"
META = "policy.json"


def _bucket(label: str, n: int = BUCKETS) -> int:
    return zlib.crc32(label.encode()) % n


@functools.lru_cache(maxsize=1 << 17)
def _depth(tree: Tree) -> int:
    return 1 + max((_depth(c) for c in tree[1:]), default=0)


_HYP_SUBTERMS: dict[int, tuple[Task, set]] = {}
_BUCKET_OF: dict[str, int] = {}


def _hyp_subterms(task: Task) -> set:
    """The subterms of the task's hypotheses (cached for the task being searched)."""
    hit = _HYP_SUBTERMS.get(id(task))
    if hit is None or hit[0] is not task:
        _HYP_SUBTERMS.clear()
        hit = _HYP_SUBTERMS[id(task)] = (task, {t for h in task.hyps for t in subterms(h)})
    return hit[1]


_GOAL_FEATS: dict[Tree, list[float]] = {}
_GOAL_FEATS_OF: list = [None]  # the task whose goals _GOAL_FEATS holds
CACHE = 50_000  # goal features kept per task (a search meets the same goals many times)
_RULE_BUCKET: dict[str, int] = {}


def goal_features(theory: Theory, task: Task, goal: Tree) -> list[float]:
    """GOAL_DIM numbers describing `goal` among the task's hypotheses (cached for the task being searched)."""
    if _GOAL_FEATS_OF[0] is not task or len(_GOAL_FEATS) > CACHE:
        _GOAL_FEATS.clear()
        _GOAL_FEATS_OF[0] = task
    feats = _GOAL_FEATS.get(goal)
    if feats is None:
        feats = _GOAL_FEATS[goal] = _goal_features(theory, task, goal)
    return feats


def _rule_bucket(label: str) -> int:
    b = _RULE_BUCKET.get(label)
    if b is None:
        b = _RULE_BUCKET[label] = _bucket(label, RULE_BUCKETS)
    return b


def _symbol_features(tree: Tree, subs, dim: int) -> list[float]:
    """`dim` numbers, the first 2 * BUCKETS set (the rest 0): how often each bucket of symbols heads a
    subterm of `tree` (`subs`: its subterms), capped at 8 and over 4; then its own head's bucket, one-hot.
    Goals and candidate terms share them."""
    feats = [0.0] * dim
    for t in subs:
        b = _BUCKET_OF.get(t[0])
        if b is None:
            b = _BUCKET_OF[t[0]] = _bucket(t[0])
        feats[b] += 1.0
    feats = [min(x, 8.0) / 4.0 for x in feats]
    feats[BUCKETS + _bucket(tree[0])] = 1.0
    return feats


def _goal_features(theory: Theory, task: Task, goal: Tree) -> list[float]:
    subs = subterms(goal)
    feats = _symbol_features(goal, subs, GOAL_DIM)
    hyp_subs = _hyp_subterms(task)
    n = len(subs)
    base = 2 * BUCKETS
    feats[base] = n / 20.0
    feats[base + 1] = _depth(goal) / 10.0 if n > 1 else 0.1
    feats[base + 2] = len({t for t in subs if t[0] in theory.floating}) / 5.0
    feats[base + 3] = len(task.hyps) / 3.0
    feats[base + 4] = sum(t in hyp_subs for t in subs) / n
    feats[base + 5] = float(goal in hyp_subs)
    feats[base + 6] = float(goal in task.hyps)
    return feats


def step_features(task: Task, goal_size: int, step: Step) -> list[float]:
    """STEP_DIM numbers describing one step from a goal of `goal_size` nodes."""
    rule = step.rule
    closed = [g in task.hyps for g in step.subgoals]
    open_sizes = [size(g) for g, c in zip(step.subgoals, closed) if not c]
    subst = dict(step.subst)
    free_terms = [subst[f] for f in rule.free]
    return [
        len(step.subgoals) / 3.0,
        sum(closed) / 3.0,
        len(open_sizes) / 3.0,
        sum(open_sizes) / goal_size / 3.0,
        max(open_sizes, default=0) / goal_size,
        float(not open_sizes),
        len(rule.free) / 2.0,
        float(any(t in task.hyps for t in free_terms)),
        sum(size(t) for t in free_terms) / goal_size / 2.0,
        size(rule.conclusion) / goal_size,
        len(rule.hyps) / 6.0,
    ]


def term_features(theory: Theory, task: Task, goal: Tree, goal_subs: set, term: Tree) -> list[float]:
    """TERM_DIM numbers describing `term` as a candidate for an unfixed variable at `goal` (whose subterms
    are `goal_subs`)."""
    subs = subterms(term)
    feats = _symbol_features(term, subs, TERM_DIM)
    hyp_subs = _hyp_subterms(task)
    floating = theory.floating
    term_vars = {t for t in subs if t[0] in floating}
    goal_vars = {t for t in goal_subs if t[0] in floating}
    in_hyps, in_goal, in_hyp_subs = term in task.hyps, term in goal_subs, term in hyp_subs
    gsize = len(goal_subs) or 1
    base = 2 * BUCKETS
    feats[base:base + 12] = [
        float(in_hyps), float(in_goal), float(in_hyp_subs), float(not (in_hyps or in_goal or in_hyp_subs)),
        float(any(h[1:] == (term, goal) for h in task.hyps)),
        float(any(len(h) > 1 and h[1] == term for h in task.hyps)),
        float(any(term in h[1:] and goal in h[1:] for h in task.hyps)),
        len(subs) / gsize / 2.0,
        _depth(term) / 10.0,
        len(term_vars) / 5.0,
        len(term_vars - goal_vars) / 3.0,
        float(term_vars <= goal_vars),
    ]
    return feats


class Net(nn.Module):
    def __init__(self, hidden: int = 64, embed: int = 16) -> None:
        super().__init__()
        self.rule_embed = nn.Embedding(RULE_BUCKETS, embed)
        nn.init.normal_(self.rule_embed.weight, std=0.01)
        self.prior = nn.Sequential(nn.Linear(GOAL_DIM + STEP_DIM + embed, hidden), nn.ReLU(),
                                   nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.value = nn.Sequential(nn.Linear(GOAL_DIM, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.term = nn.Sequential(nn.Linear(GOAL_DIM + TERM_DIM, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def logits(self, goal: torch.Tensor, steps: torch.Tensor, rules: torch.Tensor) -> torch.Tensor:
        """goal [B, GOAL_DIM], steps [B, N, STEP_DIM], rules [B, N] (bucket ids) -> logits [B, N]."""
        b, n, _ = steps.shape
        x = torch.cat([goal[:, None, :].expand(b, n, GOAL_DIM), steps, self.rule_embed(rules)], dim=-1)
        return self.prior(x).squeeze(-1)

    def value_logit(self, goal: torch.Tensor) -> torch.Tensor:
        """goal [B, GOAL_DIM] -> logits [B] of being proved within the budget."""
        return self.value(goal).squeeze(-1)

    def term_logits(self, goal: torch.Tensor, terms: torch.Tensor) -> torch.Tensor:
        """goal [B, GOAL_DIM], terms [B, N, TERM_DIM] -> logits [B, N] (higher: tried earlier)."""
        b, n, _ = terms.shape
        return self.term(torch.cat([goal[:, None, :].expand(b, n, GOAL_DIM), terms], dim=-1)).squeeze(-1)


class Policy:
    """The network in use by the search: `score` gives priors for a goal's steps and values of new goals."""

    def __init__(self, net: Net | None = None, meta: dict | None = None) -> None:
        self.net = net or Net()
        self.net.eval()
        self.meta = meta or {}

    def score(self, theory: Theory, task: Task, goal: Tree, steps: list[Step], known=()):
        """(priors [len(steps)] as a list of floats summing to 1, value(tree) -> float for new goals); goals
        in `known` (already in the search) get no value."""
        gsize = size(goal)
        g = torch.tensor([goal_features(theory, task, goal)])
        s = torch.tensor([[step_features(task, gsize, st) for st in steps]])
        r = torch.tensor([[_rule_bucket(st.rule.label) for st in steps]])
        new = list(dict.fromkeys(sub for st in steps for sub in st.subgoals
                                 if sub not in task.hyps and sub not in known))
        with torch.no_grad():
            priors = torch.softmax(self.net.logits(g, s, r)[0], dim=0).tolist()
            values = {}
            if new:
                v = torch.sigmoid(self.net.value_logit(torch.tensor([goal_features(theory, task, t) for t in new])))
                values = dict(zip(new, v.tolist()))
        return priors, lambda t: values.get(t, 1.0)

    @property
    def ranks_terms(self) -> bool:
        """Whether the term generator was trained on any term (meta `term_targets`); if not, the search keeps
        the fixed order of candidates."""
        return self.meta.get("term_targets", 0) > 0

    def rank_terms(self, theory: Theory, task: Task, goal: Tree, candidates: list[Tree]) -> list[Tree]:
        """`candidates` (environment.Theory.candidates) ordered by the term generator, best first."""
        if not candidates:
            return candidates
        goal_subs = set(subterms(goal))
        g = torch.tensor([goal_features(theory, task, goal)])
        t = torch.tensor([[term_features(theory, task, goal, goal_subs, c) for c in candidates]])
        with torch.no_grad():
            logits = self.net.term_logits(g, t)[0].tolist()
        order = sorted(range(len(candidates)), key=lambda k: -logits[k])
        return [candidates[k] for k in order]

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous() for k, v in self.net.state_dict().items()}
        write_bytes(folder / WEIGHTS, save(state))
        write_text(folder / META, json.dumps({"goal_dim": GOAL_DIM, "step_dim": STEP_DIM, "term_dim": TERM_DIM, **self.meta}, indent=1))

    @classmethod
    def load(cls, folder: Path) -> "Policy":
        """A policy folder (policy.safetensors + policy.json), or a prove-train run folder (its latest
        checkpoint's policy). RunFolderError if neither."""
        folder = Path(folder)
        if not (folder / WEIGHTS).is_file():
            ckpt = runs.latest_checkpoint(folder) if folder.is_dir() else None
            if ckpt is None or not (ckpt / WEIGHTS).is_file():
                raise RunFolderError(f"{folder}: no {WEIGHTS} here nor in a checkpoint of a prove-train run")
            folder = ckpt
        meta = json.loads((folder / META).read_text()) if (folder / META).is_file() else {}
        if (meta.get("goal_dim", GOAL_DIM), meta.get("step_dim", STEP_DIM), meta.get("term_dim")) != (
                GOAL_DIM, STEP_DIM, TERM_DIM):
            raise RunFolderError(f"{folder}: a policy with other features (goal {meta.get('goal_dim')}, "
                                 f"step {meta.get('step_dim')}, term {meta.get('term_dim')})")
        net = Net()
        try:
            net.load_state_dict(load_file(str(folder / WEIGHTS)))
        except (RuntimeError, OSError, ValueError) as e:
            raise RunFolderError(f"{folder / WEIGHTS}: not a policy of this shape ({str(e).splitlines()[0]})") from None
        return cls(net, meta)
