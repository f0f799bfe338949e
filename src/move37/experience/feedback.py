"""A reward learnt from a little grounded feedback: a simulated user with a hidden goal that changes, a rating
only every `rate_every` steps, and a reward function adapted from those ratings.

The agent's reward is r = phi . s, a linear function of the grounded signals s the stream measures at every
step (streams.SIGNALS: score, alive, death, x, y). The user's goal is a hidden weight vector w over the same
signals; the user's true utility of a step is w . s. Every `rate_every` steps the user rates the segment just
lived: the segment's mean utility plus Gaussian noise (`noise`). At step `change` the goal switches to the
second one named in `goals`.

The adaptation is the outer loop of a bi-level scheme (the inner loop is the agent learning from r): phi is
the ridge regression of the ratings on the segments' mean signals, with old ratings forgotten by a factor
`forget` per rating, so phi follows a goal that moves:
    A <- forget * A + x x^T,  b <- forget * b + y x,  phi = (A + ridge * I)^-1 b
`reward=first` keeps phi at the first goal for the whole stream (the fixed reward an agent would have been
given at the start); `reward=score` uses the game's score. Both log the same ratings, for comparison.

Rows ({"kind": "rating"} in metrics.jsonl): step, goal (index), rating, utility (the segment's mean true
utility), cosine (between phi and the active goal, over the signals seen: `seen`), phi.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Literal

import numpy as np

from move37.atomic import write_bytes
from move37.errors import SpecError
from move37.experience.streams import SIGNALS
from move37.registry import Registry
from move37.spec import Bound, call_with_spec, parse_spec

# Named goals over SIGNALS = (score, alive, death, x, y): each keeps the player alive and somewhere, or scoring.
GOALS = {
    "right": (0.0, 0.0, -1.0, 1.0, 0.0),
    "left": (0.0, 0.0, -1.0, -1.0, 0.0),
    "up": (0.0, 0.0, -1.0, 0.0, 1.0),
    "down": (0.0, 0.0, -1.0, 0.0, -1.0),
    "score": (1.0, 0.0, -1.0, 0.0, 0.0),
}
FOLLOW_COSINE = 0.9  # the adapted reward "follows" the goal once its cosine with it reaches this
RECOVERY = 0.9  # the utility has "recovered" at this fraction of its level before the change
WINDOW = 10  # ratings averaged for the utility's level


def _goals(text: str) -> tuple[str, ...]:
    names = tuple(text.split("+"))
    if len(names) != 2 or any(n not in GOALS for n in names):
        raise SpecError(f"goals={text!r}: expected two goals joined by '+' from {', '.join(GOALS)}")
    return names


class SimulatedUser:
    """The user, the ratings and the adapted reward (see the module's doc). `seed` drives the rating noise."""

    def __init__(self, *, goals: str = "right+left", change: Annotated[int, Bound(1, 10**12)] = 100_000,
                 rate_every: Annotated[int, Bound(1, 10**9)] = 1_000, noise: Annotated[float, Bound(0, 100)] = 0.05,
                 forget: Annotated[float, Bound(0.0, 1.0)] = 0.9, ridge: Annotated[float, Bound(0, 1e6)] = 1e-2,
                 reward: Literal["adapted", "first", "score"] = "adapted", seed: int = 0):
        self.goal_names, self.change, self.rate_every = _goals(goals), change, rate_every
        self.noise, self.forget, self.ridge, self.mode = noise, forget, ridge, reward
        self.goals = np.array([GOALS[g] for g in self.goal_names])
        self.rng = np.random.default_rng(seed + 1000)
        n = len(SIGNALS)
        self.A, self.b = np.zeros((n, n)), np.zeros(n)
        self.phi = self.goals[0].copy() if reward == "first" else np.zeros(n)
        self.segment, self.count = np.zeros(n), 0

    def goal(self, step: int) -> int:
        return 0 if step < self.change else 1

    def reward(self, signals: np.ndarray) -> float:
        """What the agent is given for a step with these signals."""
        return float(signals[0]) if self.mode == "score" else float(self.phi @ signals)

    def observe(self, step: int, signals: np.ndarray, episode_end: bool = False) -> list[dict]:
        """Count step `step` (1-based) into the segment; a rating row when the user rates now."""
        self.segment += signals
        self.count += 1
        if step % self.rate_every:
            return []
        g = self.goal(step - 1)
        x = self.segment / self.count
        utility = float(self.goals[g] @ x)
        rating = utility + float(self.rng.normal(0.0, self.noise))
        self.segment[:], self.count = 0.0, 0
        self.A = self.forget * self.A + np.outer(x, x)
        self.b = self.forget * self.b + rating * x
        if self.mode == "adapted":
            self.phi = np.linalg.solve(self.A + self.ridge * np.eye(len(x)), self.b)
        return [{"kind": "rating", "step": step, "goal": g, "rating": round(rating, 5), "utility": round(utility, 5),
                 "cosine": round(cosine(self.phi, self.goals[g], self.seen()), 4), "phi": [round(float(v), 4) for v in self.phi]}]

    def seen(self) -> np.ndarray:
        """bool [len(SIGNALS)]: the signals the ratings in memory have seen move away from zero. A goal's weight on a
        signal never seen (death, when the player never dies) cannot be learnt from ratings, and leaves the
        reward's ranking of what the agent does unchanged, so agreement is measured over the others."""
        d = np.diag(self.A)
        return d > 1e-6 * max(float(d.sum()), 1e-12)

    def state(self) -> dict:
        return {"A": self.A.tolist(), "b": self.b.tolist(), "phi": self.phi.tolist(), "segment": self.segment.tolist(),
                "count": self.count, "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.A, self.b, self.phi = np.array(state["A"]), np.array(state["b"]), np.array(state["phi"])
        self.segment, self.count = np.array(state["segment"]), int(state["count"])
        self.rng.bit_generator.state = state["rng"]


def cosine(a: np.ndarray, b: np.ndarray, over: np.ndarray | None = None) -> float:
    """The cosine of vectors a and b, over the coordinates `over` (bool mask) when given."""
    if over is not None:
        a, b = a[over], b[over]
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return 0.0 if na == 0 or nb == 0 else float(a @ b) / (na * nb)


FEEDBACK = Registry("feedback", {"user": "move37.experience.feedback:SimulatedUser"})


def make_feedback(text: str, seed: int = 0) -> SimulatedUser:
    """The feedback loop a spec names ("user:change=50000,rate_every=500"); SpecError for a bad one."""
    spec = parse_spec(text)
    return call_with_spec(FEEDBACK.load(spec.name), spec, "feedback", seed=seed)


def summarise(rows: list[dict]) -> dict:
    """Ratings to follow the change (cosine >= FOLLOW_COSINE), the utility's level before it (mean of the last WINDOW
    ratings) and after (the last WINDOW), and ratings until the running mean of WINDOW ratings' utility after the
    change first reaches RECOVERY of the level before."""
    ratings = [r for r in rows if r.get("kind") == "rating"]
    before = [r for r in ratings if r["goal"] == 0]
    after = [r for r in ratings if r["goal"] == 1]
    out: dict = {"ratings": len(ratings), "ratings_after_change": len(after)}
    if before:
        out["utility_before"] = round(float(np.mean([r["utility"] for r in before[-WINDOW:]])), 4)
        out["cosine_before"] = before[-1]["cosine"]
    if after:
        out["utility_after"] = round(float(np.mean([r["utility"] for r in after[-WINDOW:]])), 4)
        out["cosine_after"] = after[-1]["cosine"]
        out["ratings_to_follow"] = next((i + 1 for i, r in enumerate(after) if r["cosine"] >= FOLLOW_COSINE), None)
        level = out.get("utility_before")
        u = np.array([r["utility"] for r in after])
        running = [float(u[max(0, i - WINDOW + 1): i + 1].mean()) for i in range(len(u))]
        out["ratings_to_recover"] = next((i + 1 for i, m in enumerate(running)
                                          if level is not None and level > 0 and m >= RECOVERY * level), None)
    return out


def write_plot(rows: list[dict], path: Path) -> None:
    """Utility per rated segment and the adapted reward's cosine with the user's goal, against the step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratings = [r for r in rows if r.get("kind") == "rating"]
    steps = [r["step"] for r in ratings]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.6))
    a.plot(steps, [r["utility"] for r in ratings], lw=0.8)
    a.set_title("user's true utility per step (each rated segment)"), a.set_xlabel("step")
    b.plot(steps, [r["cosine"] for r in ratings], lw=0.8)
    b.set_title("cosine(reward weights, user's goal)"), b.set_xlabel("step"), b.set_ylim(-1.05, 1.05)
    changes = [r["step"] for p, r in zip(ratings, ratings[1:]) if r["goal"] != p["goal"]]
    for ax in (a, b):
        for c in changes:
            ax.axvline(c, color="grey", ls="--", lw=0.8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
