"""Any reasoning-gym dataset (the `reasoning-gym` package) as a move37 task: `gym:DATASET`, e.g. `gym:spell_backward`.

reasoning-gym ships about a hundred procedurally generated tasks, each with its own
scorer and a curriculum of difficulty levels. The adapter keeps all three: the prompt
is the dataset's question (characters outside printable ASCII become '?'), the verdict
is the dataset's own `score_answer` on the final answer (1 when it scores 1, else 0; its
partial credit, e.g. 0.8 for "ark+1" against "ark", passes through with `partial=true`), and difficulty d is the curriculum's global level d - 1 (one level for a
dataset without a curriculum). Problems come from one dataset per level, indexed by the
move37 random stream, so generation is deterministic in its seed and costs microseconds.

reasoning-gym has no flawed demonstrator, so the adapter supplies one with a habit an
imitator inherits: the answer, with two adjacent characters transposed with probability
`slip` (a copying slip). The demonstration has no reasoning (``=>answer``); what the
model writes before the separator is its own business. Datasets whose answers span lines
or leave printable ASCII cannot be written by the character model and are refused.
"""

from __future__ import annotations

import json

import numpy as np

from move37.errors import ConfigError
from move37.reasoning.tasks.base import SEPARATOR, Problem, Verdict, check_difficulty
from move37.reasoning.vocab import CHARS

_PRINTABLE = set(CHARS)
_SIZE = 10**12  # the dataset's index space; items are generated on demand from (seed, index)
GYM_EXAMPLES = ("spell_backward", "chain_sum", "basic_arithmetic")  # short prompts a small model learns (docs)
# a dataset's own measured config (config.for_task); others take the generic one fitted to their levels.
# basic_arithmetic (bench/reasoning_basic_arithmetic.json): its answers come with no reasoning, so imitation needs
# 4000 steps on levels 1-2; RL at the default lr 5e-5 then reaches held-out greedy 0.84 at level 1 against the
# demonstrator's 0.675 (lr 2e-4 drifted and stayed at 0.72; docs/results/reasoning.md, fifth step)
TRAIN_DEFAULTS = {
    "basic_arithmetic": {
        "sft": {"steps": 4000, "min_difficulty": 1, "max_difficulty": 2},
        "grpo": {"steps": 200, "prompts_per_step": 16},
        "curriculum": {"start": 1, "min_difficulty": 1, "max_difficulty": 2},
        "eval": {"difficulties": [1, 2], "problems": 100, "every": 20}},
}


def datasets() -> list[str]:
    """The reasoning-gym dataset names (empty without the package)."""
    try:
        from reasoning_gym.factory import DATASETS
    except ImportError:
        return []
    return sorted(DATASETS)


def _ascii(text: str) -> str:
    return "".join(c if c in _PRINTABLE else "?" for c in text)


class Gym:
    name = "gym"
    min_difficulty = 1

    def __init__(self, dataset: str, /, slip: float = 0.5, seed: int = 0, partial: bool = False):
        try:
            from reasoning_gym.factory import DATASETS, create_curriculum, has_curriculum
        except ImportError:
            raise ConfigError("gym tasks need the reasoning-gym package (pip install 'move37[tasks]')") from None
        if dataset not in DATASETS:
            raise ConfigError(f"unknown reasoning-gym dataset {dataset!r} (e.g. spell_backward, lcm, chain_sum)")
        if not 0.0 <= slip <= 1.0:
            raise ValueError(f"slip={slip} must lie in [0, 1]")
        self.dataset, self.slip, self.seed, self.partial = dataset, slip, seed, partial
        self.name = f"gym:{dataset}"
        self._curriculum = create_curriculum(dataset) if has_curriculum(dataset) else None
        levels = [len(a.levels) for a in self._curriculum.attributes.values()] if self._curriculum else [1]
        self.max_difficulty = max(1, min(levels))
        self._cls, self._config_cls = DATASETS[dataset]
        self._made: dict[int, object] = {}
        self.train_defaults = TRAIN_DEFAULTS.get(dataset)

    def _data(self, difficulty: int):
        if difficulty not in self._made:
            if self._curriculum is not None:
                self._curriculum.set_global_level(difficulty - 1)
                config = self._curriculum.generate_configuration({"seed": self.seed, "size": _SIZE})
            else:
                config = self._config_cls(seed=self.seed, size=_SIZE)
            self._made[difficulty] = self._cls(config)
        return self._made[difficulty]

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem:
        d = check_difficulty(self, difficulty)
        for _ in range(100):
            entry = self._data(d)[int(rng.integers(0, _SIZE))]
            answer = str(entry["answer"])
            if answer and _ascii(answer) == answer and "\n" not in answer and SEPARATOR not in answer:
                break
        else:
            raise ConfigError(f"{self.name}: answers are not single lines of printable ASCII; the character "
                              "model cannot write them")
        meta = json.loads(json.dumps({"question": entry["question"], "answer": answer,
                                      "metadata": entry.get("metadata", {})}, default=str))
        return Problem(_ascii(" ".join(entry["question"].split())), answer, d, meta)

    def canonical(self, problem: Problem) -> str:
        return problem.meta["question"]

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        try:  # a third-party scorer: whatever it raises on odd text is a malformed answer, never a crash
            score = float(self._cls.score_answer(self._data(problem.difficulty), answer, problem.meta))
        except Exception as e:  # noqa: BLE001
            return Verdict(0.0, f"malformed: the scorer refused it ({type(e).__name__})")
        if not 0.0 <= score <= 1.0:
            return Verdict(0.0, "malformed: score outside [0, 1]")
        if score == 1.0:
            return Verdict(1.0, "ok")
        return Verdict(score if self.partial else 0.0, f"wrong (the dataset scores it {score:.2f})")

    def reference(self, problem: Problem) -> str:
        return SEPARATOR + problem.answer

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        answer = problem.answer
        if len(answer) > 1 and rng.random() < self.slip:
            i = int(rng.integers(0, len(answer) - 1))
            answer = answer[:i] + answer[i + 1] + answer[i] + answer[i + 2:]
        return SEPARATOR + answer
