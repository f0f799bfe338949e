"""Curriculum from experience: keep the training difficulty at the edge of competence.

The solve rate of the model's own RL samples is tracked as an exponential moving
average; above `high` the difficulty rises one level, below `low` it falls, and
the average restarts in the middle of the band after each change. So the model
trains where a fair share of its attempts succeed: hard enough that groups
contain wrong answers to learn from, easy enough that they contain right ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CurriculumConfig:
    start: int = 5
    min_difficulty: int = 1
    max_difficulty: int = 6
    low: float = 0.3
    high: float = 0.8
    smoothing: float = 0.8  # weight of the old average in the EMA
    enabled: bool = True


class Curriculum:
    def __init__(self, cfg: CurriculumConfig):
        if not cfg.min_difficulty <= cfg.start <= cfg.max_difficulty:
            raise ValueError(f"curriculum start {cfg.start} outside [{cfg.min_difficulty}, {cfg.max_difficulty}]")
        if not 0 <= cfg.low < cfg.high <= 1:
            raise ValueError(f"curriculum band low={cfg.low} high={cfg.high} must satisfy 0 <= low < high <= 1")
        self.cfg = cfg
        self.difficulty = cfg.start
        self.solve_rate = (cfg.low + cfg.high) / 2

    def update(self, batch_solve_rate: float) -> int:
        """Record a batch's solve rate; return the (possibly changed) difficulty."""
        c = self.cfg
        self.solve_rate = c.smoothing * self.solve_rate + (1 - c.smoothing) * batch_solve_rate
        if not c.enabled:
            return self.difficulty
        step = (self.solve_rate > c.high) - (self.solve_rate < c.low)
        new = min(c.max_difficulty, max(c.min_difficulty, self.difficulty + step))
        if new != self.difficulty:
            self.difficulty, self.solve_rate = new, (c.low + c.high) / 2
        return self.difficulty

    def state(self) -> dict:
        return {"difficulty": self.difficulty, "solve_rate": self.solve_rate}

    def load_state(self, state: dict) -> None:
        self.difficulty, self.solve_rate = int(state["difficulty"]), float(state["solve_rate"])
