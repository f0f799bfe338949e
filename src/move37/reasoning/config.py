"""The training configuration: typed dataclasses, read from JSON with strict checking.

Unknown keys, wrong types and impossible values are ConfigErrors naming the key, so a
typo in a config file is a one-line error instead of a silently ignored setting (the
reading and type checks are move37.runs.config's, shared with the AlphaZero trainer;
the checks across fields, against the task, are `validate`'s).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from move37 import runs
from move37.errors import ConfigError, Move37Error
from move37.reasoning.curriculum import CurriculumConfig
from move37.reasoning.evaluate import EvalConfig
from move37.reasoning.grpo import GRPOConfig
from move37.reasoning.model import ModelConfig
from move37.reasoning.sft import SFTConfig


@dataclass(frozen=True)
class TrainConfig:
    task: str = "addition"         # task spec, e.g. "addition:slip=0.8"
    seed: int = 0
    threads: int = 1               # torch threads; one is fastest for this model size on a shared CPU
    checkpoint_every: int = 50     # steps between checkpoints
    log_every: int = 10            # steps between metrics lines
    grpo_preset: str = "dr_grpo"   # "grpo", "dr_grpo" or "dapo"; `grpo` fields override it
    reward: str = "verifier"       # what RL maximises: "verifier", "reward_model" or "mix" (their mean)
    reward_model: str = ""         # folder of a reward model (reasoning.reward_model); its score is logged
    model: ModelConfig = field(default_factory=ModelConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    grpo: dict = field(default_factory=dict)  # overrides on top of the preset, e.g. {"kl_beta": 0.01}
    curriculum: CurriculumConfig = field(default_factory=CurriculumConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def grpo_config(self) -> GRPOConfig:
        try:
            return GRPOConfig.preset(self.grpo_preset, **self.grpo)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"grpo: {e}") from None

    def to_dict(self) -> dict:
        return runs.to_dict(self)


def from_dict(data: dict) -> TrainConfig:
    """A checked TrainConfig from a JSON object (missing keys take their defaults)."""
    cfg = runs.build(TrainConfig, data)
    validate(cfg)
    return cfg


def for_task(spec: str) -> TrainConfig:
    """The default config for a task: the task's own `train_defaults` where it has them (a task whose
    completions outgrow the default model, say), else the default as is when its difficulties fit, else
    fitted to the task's range."""
    from move37.reasoning import tasks

    own = getattr(tasks.make(spec), "train_defaults", None)
    if own is not None:
        return from_dict({**own, "task": spec})
    cfg = dataclasses.replace(TrainConfig(), task=spec)
    try:
        validate(cfg)
        return cfg
    except ConfigError:
        pass
    task = tasks.make(spec)
    lo, hi = task.min_difficulty, min(task.max_difficulty, task.min_difficulty + 4)
    cfg = dataclasses.replace(
        cfg, sft=dataclasses.replace(cfg.sft, min_difficulty=lo, max_difficulty=hi),
        curriculum=dataclasses.replace(cfg.curriculum, start=lo + 1, min_difficulty=lo, max_difficulty=hi),
        eval=dataclasses.replace(cfg.eval, difficulties=(lo + 1, hi)))
    validate(cfg)
    return cfg


def load(path: Path) -> TrainConfig:
    """A checked TrainConfig from a JSON file; ConfigError (one line) for anything else in it."""
    return from_dict(runs.read_file(Path(path)))


def validate(cfg: TrainConfig) -> None:
    """Cross-field checks: the task exists, difficulties lie in its range, sizes are positive."""
    from move37.reasoning import tasks
    from move37.reasoning.curriculum import Curriculum

    try:
        task = tasks.make(cfg.task)
    except Move37Error as e:
        raise ConfigError(f"task: {e}") from None
    lo, hi = task.min_difficulty, task.max_difficulty
    checks = [("sft.min_difficulty", cfg.sft.min_difficulty), ("sft.max_difficulty", cfg.sft.max_difficulty),
              ("curriculum.min_difficulty", cfg.curriculum.min_difficulty),
              ("curriculum.max_difficulty", cfg.curriculum.max_difficulty)]
    checks += [(f"eval.difficulties[{i}]", d) for i, d in enumerate(cfg.eval.difficulties)]
    for key, d in checks:
        if not lo <= d <= hi:
            raise ConfigError(f"{key}={d} outside task {task.name!r} difficulties [{lo}, {hi}]")
    if cfg.sft.targets not in ("demonstrator", "format"):
        raise ConfigError(f"sft.targets={cfg.sft.targets!r}: one of demonstrator, format")
    if cfg.sft.min_difficulty > cfg.sft.max_difficulty:
        raise ConfigError("sft.min_difficulty exceeds sft.max_difficulty")
    positive = {"seed": cfg.seed + 1, "threads": cfg.threads, "checkpoint_every": cfg.checkpoint_every,
                "log_every": cfg.log_every, "sft.batch_size": cfg.sft.batch_size, "eval.problems": cfg.eval.problems,
                "eval.k": cfg.eval.k, "eval.every": cfg.eval.every, "model.n_layer": cfg.model.n_layer,
                "model.n_head": cfg.model.n_head, "model.n_embd": cfg.model.n_embd,
                "model.block_size": cfg.model.block_size}
    for key, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{key} must be positive")
    if cfg.seed >= 2**63 or cfg.threads > 1024:  # what numpy and torch accept as a seed; threads: a typo
        raise ConfigError("seed < 2**63 and threads <= 1024 required")
    if cfg.model.n_embd % cfg.model.n_head:
        raise ConfigError("model.n_embd must be a multiple of model.n_head")
    if cfg.reward not in ("verifier", "reward_model", "mix"):
        raise ConfigError(f"reward={cfg.reward!r}: one of verifier, reward_model, mix")
    if cfg.reward != "verifier" and not cfg.reward_model:
        raise ConfigError(f"reward={cfg.reward!r} needs reward_model (a folder with a reward model)")
    runs.build(GRPOConfig, cfg.grpo, "grpo")  # type-check the overrides
    g = cfg.grpo_config()
    if g.group_size < 2 or g.prompts_per_step < 1 or g.epochs < 1 or g.minibatches < 1 or g.overlong_buffer < 0:
        raise ConfigError("grpo: group_size >= 2, prompts_per_step >= 1, epochs >= 1, minibatches >= 1 and "
                          "overlong_buffer >= 0 are required")
    if cfg.sft.steps < 0 or g.steps < 0 or cfg.sft.lr < 0 or g.lr < 0:
        raise ConfigError("sft.steps, grpo.steps, sft.lr and grpo.lr must not be negative")
    try:
        Curriculum(cfg.curriculum)
    except ValueError as e:
        raise ConfigError(str(e)) from None
