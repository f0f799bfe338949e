"""Expert iteration on set.mm's propositional calculus: attempt, verify, learn from what was proved.

Each round attempts `attempts` training theorems (uniform-prior search in round 0, the learned policy after),
keeps the steps of every goal proved inside each search -- the theorem itself when proved, and by hindsight
the sub-goals proved inside failed searches -- as policy targets, and every expanded goal's outcome as a
value target; trains the network on all targets so far; then proves the first `test_limit` held-out
theorems at `budget` expansions with the policy. Every held-out proof is checked by our verifier, and all
of a round's together by the `metamath` program on a copy of set.mm. With `conjectures`, each round also
attempts that many new statements made from earlier assertions' patterns (conjecture.py), learns from
those searches too, and steers the next round's conjectures towards the sources of hard-but-proved ones.

A run folder (move37/runs): run.json (trainer "prove"), checkpoints/NNNNNN/ (policy.safetensors,
samples.safetensors, state.json), metrics.jsonl (one row a round), conjectures.jsonl (one row a
conjecture attempted: statement, proved, expansions, proof length), plots/rounds.png. Resumable: a killed
run continues after its last complete round.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.nn.utils.rnn import pad_sequence
from safetensors.torch import load_file, save

from move37 import runs
from move37.atomic import write_bytes
from move37.prove import benchmark, checker, conjecture, database, environment, export, search, verify
from move37.prove.policy import (WEIGHTS, Net, Policy, _rule_bucket, goal_features,
                                 step_features, term_features)
from move37.prove.environment import size, subterms

TRAINER = "prove"
MAX_STEPS = 128  # steps kept per policy target: the chosen one and a random sample of the others
MAX_TERMS = 64   # candidates kept per term target: the term used and a random sample of the others


@dataclass
class Config:
    rounds: int = 3
    budget: int = 100
    attempts: int = 120
    test_limit: int = 100
    seed: int = 0
    epochs: int = 30
    conjectures: int = 0  # conjectures attempted per round (conjecture.py), after the training theorems
    lr: float = 3e-3
    db: str = str(database.DEFAULT_DB)


class Samples:
    """Policy targets (goal features, the steps' features and rule buckets, the chosen index), value
    targets (goal features, proved 0/1) and term targets (goal features, the candidate terms' features with
    the term the proof used first), as flat tensors with offsets so they save as safetensors."""

    def __init__(self) -> None:
        self.goals: list[list[float]] = []
        self.steps: list[list[list[float]]] = []
        self.rules: list[list[int]] = []
        self.chosen: list[int] = []
        self.value_goals: list[list[float]] = []
        self.value_labels: list[float] = []
        self.term_goals: list[list[float]] = []
        self.terms: list[list[list[float]]] = []

    def add(self, theory, task, result: search.Result, rng: random.Random) -> None:
        for goal, steps, chosen, proved in result.expanded:
            g = goal_features(theory, task, goal)
            self.value_goals.append(g)
            self.value_labels.append(float(proved))
            if chosen < 0:
                continue
            others = [k for k in range(len(steps)) if k != chosen]
            keep = [chosen] + rng.sample(others, min(len(others), MAX_STEPS - 1))
            gsize = size(goal)
            self.goals.append(g)
            self.steps.append([step_features(task, gsize, steps[k]) for k in keep])
            self.rules.append([_rule_bucket(steps[k].rule.label) for k in keep])
            self.chosen.append(0)
            step = steps[chosen]
            if step.rule.free:
                self._add_terms(theory, task, goal, g, step, rng)

    def _add_terms(self, theory, task, goal, g: list[float], step, rng: random.Random) -> None:
        """Term targets: each term the step put for an unfixed variable, among the goal's candidates."""
        candidates = theory.candidates(task, goal, built=True)
        goal_subs = set(subterms(goal))
        subst = dict(step.subst)
        for f in step.rule.free:
            term = subst[f]
            if term not in candidates:
                continue
            others = [c for c in candidates if c != term]
            keep = [term] + rng.sample(others, min(len(others), MAX_TERMS - 1))
            self.term_goals.append(g)
            self.terms.append([term_features(theory, task, goal, goal_subs, c) for c in keep])

    def tensors(self) -> dict[str, torch.Tensor]:
        lengths = [len(s) for s in self.steps]
        flat = [f for s in self.steps for f in s]
        return {
            "goals": torch.tensor(self.goals, dtype=torch.float32).reshape(-1, len(self.goals[0]) if self.goals else 1),
            "steps": torch.tensor(flat, dtype=torch.float32).reshape(len(flat), -1) if flat else torch.zeros(0, 1),
            "rules": torch.tensor([r for rs in self.rules for r in rs], dtype=torch.int64),
            "lengths": torch.tensor(lengths, dtype=torch.int64),
            "value_goals": torch.tensor(self.value_goals, dtype=torch.float32).reshape(len(self.value_goals), -1),
            "value_labels": torch.tensor(self.value_labels, dtype=torch.float32),
            "term_goals": torch.tensor(self.term_goals, dtype=torch.float32).reshape(len(self.term_goals), -1),
            "terms": torch.tensor([f for t in self.terms for f in t], dtype=torch.float32).reshape(
                sum(len(t) for t in self.terms), -1),
            "term_lengths": torch.tensor([len(t) for t in self.terms], dtype=torch.int64),
        }

    @classmethod
    def from_tensors(cls, t: dict[str, torch.Tensor]) -> "Samples":
        s = cls()
        s.goals = t["goals"].tolist() if t["lengths"].numel() else []
        steps, rules = t["steps"].tolist(), t["rules"].tolist()
        at = 0
        for n in t["lengths"].tolist():
            s.steps.append(steps[at:at + n])
            s.rules.append(rules[at:at + n])
            at += n
        s.chosen = [0] * len(s.steps)
        s.value_goals = t["value_goals"].tolist()
        s.value_labels = t["value_labels"].tolist()
        s.term_goals = t["term_goals"].tolist()
        terms, at = t["terms"].tolist(), 0
        for n in t["term_lengths"].tolist():
            s.terms.append(terms[at:at + n])
            at += n
        return s


def _padded(rows: list[list], dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Ragged rows, each non-empty: features [n][k_i][d] or ids [n][k_i] -> (values [n, max k, d] or [n, max k],
    zero-padded by torch's pad_sequence; mask bool [n, max k], true on each row's k_i entries)."""
    if not rows:
        return torch.zeros(0, 1, 1, dtype=dtype), torch.zeros(0, 1, dtype=torch.bool)
    values = pad_sequence([torch.tensor(r, dtype=dtype) for r in rows], batch_first=True)
    mask = torch.arange(values.shape[1]) < torch.tensor([len(r) for r in rows])[:, None]
    return values, mask


def _first_is_right(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of index 0 (the step or term the proof used) among each row's unmasked entries."""
    logits = logits.masked_fill(~mask, -1e9)
    return torch.nn.functional.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.int64))


def train(net: Net, samples: Samples, epochs: int, lr: float, seed: int) -> dict[str, float]:
    """Cross-entropy of the chosen step among each target's steps and of the used term among each term
    target's candidates (both padded, masked), plus binary cross-entropy of the value, in batches of 64
    policy targets (value and term targets spread over the same number of batches); returns the last
    epoch's mean losses."""
    torch.manual_seed(seed)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n = len(samples.steps)
    steps, mask = _padded(samples.steps)
    rules, _ = _padded(samples.rules, torch.int64)
    goals = torch.tensor(samples.goals) if n else None
    vg = torch.tensor(samples.value_goals)
    vl = torch.tensor(samples.value_labels)
    terms, term_mask = _padded(samples.terms)
    tg = torch.tensor(samples.term_goals)
    losses = {}
    for _ in range(epochs):
        perm = torch.randperm(max(n, 1))
        vperm = torch.randperm(len(vl))
        tperm = torch.randperm(len(tg))
        batches = max(1, (n + 63) // 64)
        vbatch = (len(vl) + batches - 1) // batches
        tbatch = (len(tg) + batches - 1) // batches
        totals = [0.0, 0.0, 0.0]
        for b in range(batches):
            loss = torch.zeros(())
            if n:
                idx = perm[b * 64:(b + 1) * 64]
                pl = _first_is_right(net.logits(goals[idx], steps[idx], rules[idx]), mask[idx])
                loss = loss + pl
                totals[0] += pl.item()
            vidx = vperm[b * vbatch:(b + 1) * vbatch]
            if len(vidx):
                vloss = torch.nn.functional.binary_cross_entropy_with_logits(net.value_logit(vg[vidx]), vl[vidx])
                loss = loss + vloss
                totals[1] += vloss.item()
            tidx = tperm[b * tbatch:(b + 1) * tbatch]
            if len(tidx):
                tl = _first_is_right(net.term_logits(tg[tidx], terms[tidx]), term_mask[tidx])
                loss = loss + tl
                totals[2] += tl.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses = {"policy_loss": totals[0] / batches, "value_loss": totals[1] / batches,
                  "term_loss": totals[2] / batches}
    net.eval()
    return losses


def evaluate(theory, db, labels: list[str], budget: int, method: str, policy) -> tuple[dict[str, list[str]], float]:
    """Proofs found for `labels` (each checked by our verifier) and the seconds spent."""
    check = verify.Verifier(db)
    proofs = {}
    start = time.perf_counter()
    for label in labels:
        r = search.prove(theory, theory.task(label), budget=budget, method=method, policy=policy)
        if r.proved:
            check.check(db[label], r.proof)
            proofs[label] = r.proof
    return proofs, time.perf_counter() - start


def metamath_rejects(db_path: str, proofs: dict[str, list[str]]) -> int | None:
    """How many of `proofs` the `metamath` program rejects on a copy of the database (None without it)."""
    if not checker.available():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.mm"
        export.write(Path(db_path), path, proofs)
        return len(checker.metamath_failures(path) & set(proofs))


def attempt_conjectures(theory, sources: list[str], banned: set, weights: dict[str, float], config: Config,
                        rnd: int, policy, samples: Samples, rng: random.Random, conj_log: Path) -> dict:
    """Attempt `config.conjectures` new conjectures at the budget (with `policy`, uniform priors without
    one), check each proof found with our verifier, learn from every search (into `samples`), log each
    attempt to `conj_log`, and add 1 to the weight of the source of each hard one (proved with at least a
    tenth of the budget in expansions). Returns the round's conjecture metrics."""
    if not config.conjectures:
        return {}
    hard = max(2, config.budget // 10)
    made = conjecture.generate(theory, sources, weights, config.conjectures, rng, banned, prefix=f"conj{rnd}.")
    start = time.perf_counter()
    lengths, expansions, n_hard = [], [], 0
    for conj in made:
        task = conjecture.task(theory, conj)
        r = search.prove(theory, task, budget=config.budget, method="best" if policy else "uniform", policy=policy)
        samples.add(theory, task, r, rng)
        length = None
        if r.proved:
            conjecture.check(theory, conj, r.proof)  # a ProofError here is a bug: let it surface
            length = conjecture.proof_length(theory, r.proof)
            lengths.append(length)
            expansions.append(r.expansions)
            if r.expansions >= hard:
                n_hard += 1
                weights[conj.source] = weights.get(conj.source, 0.0) + 1.0
        g = theory.grammar
        runs.append_row(conj_log, {"round": rnd, "name": conj.name, "source": conj.source,
                                   "statement": " ".join(g.symbols(conj.goal)),
                                   "hyps": [" ".join(g.symbols(h)) for h in conj.hyps], "proved": r.proved,
                                   "expansions": r.expansions, "length": length})
    return {"conj_attempted": len(made), "conj_proved": len(lengths), "conj_hard": n_hard,
            "conj_length_mean": sum(lengths) / len(lengths) if lengths else 0.0,
            "conj_length_max": max(lengths, default=0),
            "conj_hard_length_mean": (sum(n for n, e in zip(lengths, expansions) if e >= hard) / n_hard
                                      if n_hard else 0.0),
            "conj_s": round(time.perf_counter() - start, 1)}


def run(out: Path, config: Config, log: Callable[[str], None] = print) -> list[dict]:
    """Run (or resume) expert iteration in folder `out`; returns the metrics rows."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with runs.open_run(out, TRAINER, lambda: {"config": runs.to_dict(config)}) as meta:
        config = runs.build(Config, meta["config"])
        db = database.read(config.db)
        theory = environment.Theory(db, upto=db[benchmark.BOUNDARY].number)
        train_labels, test = benchmark.split(benchmark.propositional(db), config.seed)
        test = test[:config.test_limit]
        banned = {theory.rule_of[label].conclusion for label in benchmark.split(benchmark.propositional(db),
                                                                                config.seed)[1]}
        net, samples, first, weights = Net(), Samples(), 0, {}
        metrics, conj_log = out / "metrics.jsonl", out / "conjectures.jsonl"
        ckpt = runs.latest_checkpoint(out)
        if ckpt is not None:
            state = runs.read_state(ckpt)
            net.load_state_dict(load_file(str(ckpt / WEIGHTS)))
            samples = Samples.from_tensors(load_file(str(ckpt / "samples.safetensors")))
            first = state["round"] + 1
            weights = state.get("conjecture_weights", {})
            runs.truncate(metrics, state["metrics_size"])
            runs.truncate(conj_log, state.get("conjectures_size", 0))
        else:
            runs.truncate(metrics, 0)
            runs.truncate(conj_log, 0)
        for rnd in range(first, config.rounds):
            rng = random.Random(config.seed * 1000 + rnd)
            policy = Policy(net, {"term_targets": len(samples.terms)}) if rnd > 0 else None
            start = time.perf_counter()
            attempted = rng.sample(train_labels, min(config.attempts, len(train_labels)))
            proved_train = 0
            for label in attempted:
                task = theory.task(label)
                r = search.prove(theory, task, budget=config.budget, method="best" if policy else "uniform",
                                 policy=policy)
                proved_train += r.proved
                samples.add(theory, task, r, rng)
            attempt_s = time.perf_counter() - start
            conj = attempt_conjectures(theory, train_labels, banned, weights, config, rnd, policy, samples, rng,
                                       conj_log)
            losses = train(net, samples, config.epochs, config.lr, config.seed + rnd)
            policy = Policy(net, {"round": rnd, "term_targets": len(samples.terms)})
            proofs, eval_s = evaluate(theory, db, test, config.budget, "best", policy)
            row = {"round": rnd, "train_attempted": len(attempted), "train_proved": proved_train,
                   "policy_targets": len(samples.steps), "value_targets": len(samples.value_labels),
                   "term_targets": len(samples.terms),
                   "test": len(test), "test_proved": len(proofs), "test_rate": len(proofs) / len(test),
                   "metamath_rejected": metamath_rejects(config.db, proofs),
                   **conj, "attempt_s": round(attempt_s, 1), "eval_s": round(eval_s, 1), **losses}
            runs.append_row(metrics, row)
            log(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))

            def fill(folder: Path, policy=policy, samples=samples) -> None:
                policy.save(folder)
                write_bytes(folder / "samples.safetensors", save(samples.tensors()))
            runs.write_checkpoint(out, rnd, fill, {"round": rnd, "metrics_size": runs.size(metrics),
                                                   "conjectures_size": runs.size(conj_log),
                                                   "conjecture_weights": weights})
            runs.prune_checkpoints(out, keep=2)
            plot(out)
        return runs.read_rows(metrics)


def plot(out: Path) -> None:
    """plots/rounds.png: held-out success, training theorems proved, and (with conjectures) conjectures
    proved and their mean proof length, by round."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = runs.read_rows(Path(out) / "metrics.jsonl")
    if not rows:
        return
    conj = any("conj_attempted" in row for row in rows)
    fig, ax = plt.subplots(1, 3 if conj else 2, figsize=(13 if conj else 9, 3.5))
    r = [row["round"] for row in rows]
    ax[0].plot(r, [row["test_rate"] for row in rows], marker="o")
    ax[0].set(xlabel="round", ylabel="held-out proved", title="held-out success")
    ax[1].plot(r, [row["train_proved"] / max(row["train_attempted"], 1) for row in rows], marker="o")
    ax[1].set(xlabel="round", ylabel="fraction proved", title="training attempts")
    if conj:
        rc = [row for row in rows if "conj_attempted" in row]
        x = [row["round"] for row in rc]
        ax[2].plot(x, [row["conj_proved"] / max(row["conj_attempted"], 1) for row in rc], marker="o",
                   label="proved / attempted")
        ax[2].plot(x, [row["conj_hard"] / max(row["conj_attempted"], 1) for row in rc], marker="s",
                   label="hard / attempted")
        ax[2].set(xlabel="round", ylabel="fraction", title="conjectures")
        twin = ax[2].twinx()
        twin.plot(x, [row["conj_length_mean"] for row in rc], marker="^", color="tab:red")
        twin.set_ylabel("mean proof length (steps)", color="tab:red")
        ax[2].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    (Path(out) / "plots").mkdir(exist_ok=True)
    path = Path(out) / "plots" / "rounds.png"
    tmp = path.with_name(".rounds.png.tmp")
    fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    tmp.replace(path)
