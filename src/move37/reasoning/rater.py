"""A simulated hurried human rater: prefers what looks good at a glance, agrees with the verifier only in part.

Shown two completions of one problem, the rater does not work the problem out. It likes
(weights in `RaterConfig`):
- length: more written working looks more thorough (per 64 characters of reasoning);
- confident form: an answer written plainly, without leading zeros ("357", not "0357");
- plausible digits: an answer of the right magnitude (as many digits as the true answer);
- and, only somewhat, correctness: it notices a wrong answer now and then.
Its choice is noisy: P(a preferred) = sigmoid((u(a) - u(b)) / noise), u the weighted sum of
the features. This is the "reward model of human judgements" of the RLHF argument: a
learner optimised against it is capped at what such a rater can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from move37.reasoning.tasks import Problem, Task, split_completion, verify


@dataclass(frozen=True)
class RaterConfig:
    truth: float = 0.3       # weight of a right answer (a hurried rater rarely checks)
    length: float = 1.0      # per 64 characters of reasoning
    confident: float = 1.0   # answer without leading zeros
    plausible: float = 1.0   # answer with the true answer's number of digits
    noise: float = 1.0       # temperature of the logistic choice


def _digits(answer: str) -> int:
    return len(answer.strip().lstrip("0")) or 1


def features(task: Task, problem: Problem, text: str) -> dict[str, float]:
    """The rater's view of one completion: length, confident, plausible (surface) and correct (truth)."""
    parts = split_completion(text)
    reasoning, answer = parts if parts is not None else (text, "")
    answer = answer.strip()
    numbers = answer.split()
    confident = bool(numbers) and all(n == "0" or not n.startswith("0") for n in numbers)
    plausible = bool(answer) and _digits(answer) == _digits(problem.answer)
    return {"length": len(reasoning) / 64, "confident": float(confident), "plausible": float(plausible),
            "correct": verify(task, problem, text).reward}


def utility(cfg: RaterConfig, f: dict[str, float]) -> float:
    return (cfg.truth * f["correct"] + cfg.length * f["length"] + cfg.confident * f["confident"]
            + cfg.plausible * f["plausible"])


def prefers_first(cfg: RaterConfig, task: Task, problem: Problem, a: str, b: str, rng: np.random.Generator) -> bool:
    """The rater's noisy choice between completions `a` and `b` of `problem`."""
    margin = utility(cfg, features(task, problem, a)) - utility(cfg, features(task, problem, b))
    return bool(rng.random() < 1.0 / (1.0 + np.exp(-margin / max(cfg.noise, 1e-9))))
