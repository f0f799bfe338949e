"""The pipeline: imitate the demonstrator (SFT), then improve against the verifier (GRPO).

Everything lives in a run folder: config.json, metrics.jsonl, checkpoint.safetensors
(weights, optimiser, run state), sft.safetensors (the imitation model, which is
also the reference model for the KL and style terms), summary.json and
accuracy.png. Calling `train` on an existing folder resumes it exactly: same
problems, same samples, same weights as a run that was never interrupted.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from move37.errors import RunFolderError
from move37.reasoning import config as config_mod
from move37.reasoning import tasks
from move37.reasoning.config import TrainConfig
from move37.reasoning.curriculum import Curriculum
from move37.reasoning.evaluate import demonstrator_accuracy, evaluate, fresh_problem, held_out, held_out_prompts
from move37.reasoning.grpo import grpo_step
from move37.reasoning.model import CharTransformer
from move37.reasoning.rollout import rollout
from move37.reasoning.run import MetricsLog, atomic_write_json, load_checkpoint, read_state, save_checkpoint
from move37.reasoning.sft import sft_step


def open_run(out: Path, cfg: TrainConfig | None) -> TrainConfig:
    """The run's config: written for a new folder, read (and compared) for an existing one."""
    path = out / "config.json"
    if path.exists():
        stored = config_mod.load(path)
        if cfg is not None and cfg != stored:
            raise RunFolderError(f"{out} holds a run with a different config; use another folder")
        return stored
    if out.exists() and any(out.iterdir()):
        raise RunFolderError(f"{out} exists and is not a reasoning run folder")
    cfg = cfg or TrainConfig()
    config_mod.validate(cfg)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, cfg.to_dict())
    return cfg


def _sft_lr(cfg: TrainConfig, step: int) -> float:
    """Linear warm-up over 50 steps, then linear decay to 5% of the peak."""
    s = cfg.sft
    return s.lr * min(1.0, (step + 1) / 50) * max(0.05, 1 - step / max(1, s.steps))


class Trainer:
    """One run: the model, its optimiser for the current phase, the random streams and the logs."""

    def __init__(self, out: Path, cfg: TrainConfig | None = None):
        self.out = Path(out)
        self.cfg = open_run(self.out, cfg)
        torch.set_num_threads(self.cfg.threads)
        self.task = tasks.make(self.cfg.task)
        self.grpo = self.cfg.grpo_config()
        self.problems = held_out(self.task, self.cfg.eval)
        self.reject = held_out_prompts(self.problems)
        self.log = MetricsLog(self.out / "metrics.jsonl")
        torch.manual_seed(self.cfg.seed)
        self.model = CharTransformer(self.cfg.model)
        self.rng = np.random.default_rng(self.cfg.seed)
        self.gen = torch.Generator().manual_seed(self.cfg.seed)
        self.curriculum = Curriculum(self.cfg.curriculum)
        self.step, self.elapsed = 0, 0.0
        ckpt = self.out / "checkpoint.safetensors"
        if ckpt.exists():
            self.step = int(read_state(ckpt)["step"])
            self.optimizer = self._optimizer()
            self._restore(load_checkpoint(ckpt, self.model, self.optimizer))
            self.log.truncate_after(self.step)
        else:
            self.optimizer = self._optimizer()
            self.log.truncate_after(-1)
            demo = demonstrator_accuracy(self.task, self.problems, self.cfg.eval.k, self.cfg.eval.seed)
            self.log.append({"phase": "demonstrator", "step": 0, **{f"accuracy/{d}": a for d, a in demo.items()}})
        self.reference = self._load_reference()

    @property
    def total_steps(self) -> int:
        return self.cfg.sft.steps + self.grpo.steps

    @property
    def phase(self) -> str:
        return "sft" if self.step < self.cfg.sft.steps else "rl"

    def _optimizer(self) -> torch.optim.Optimizer:
        lr = self.cfg.sft.lr if self.phase == "sft" else self.grpo.lr
        return torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.99))

    def _load_reference(self) -> CharTransformer | None:
        path = self.out / "sft.safetensors"
        if not path.exists():
            return None
        reference = CharTransformer(self.cfg.model)
        load_checkpoint(path, reference)
        return reference.eval().requires_grad_(False)

    def _state(self) -> dict:
        return {"step": self.step, "elapsed": self.elapsed, "curriculum": self.curriculum.state(),
                "np_rng": self.rng.bit_generator.state, "torch_rng": self.gen.get_state().tolist()}

    def _restore(self, state: dict) -> None:
        self.elapsed = float(state["elapsed"])
        self.curriculum.load_state(state["curriculum"])
        self.rng.bit_generator.state = state["np_rng"]
        self.gen.set_state(torch.tensor(state["torch_rng"], dtype=torch.uint8))

    def checkpoint(self) -> None:
        save_checkpoint(self.out / "checkpoint.safetensors", self.model, self.optimizer, self._state())

    def evaluate(self, stage: str) -> dict:
        metrics = evaluate(self.model, self.task, self.problems, self.cfg.eval)
        self.log.append({"phase": "eval", "stage": stage, "step": self.step, **metrics})
        return metrics

    def _end_sft(self) -> None:
        """Freeze the imitation model as the reference and switch to the RL optimiser."""
        save_checkpoint(self.out / "sft.safetensors", self.model, None, {"step": self.step})
        self.reference = self._load_reference()
        self.evaluate("sft")
        self.optimizer = self._optimizer()
        self.checkpoint()

    def _sft_step(self) -> dict:
        for group in self.optimizer.param_groups:
            group["lr"] = _sft_lr(self.cfg, self.step)
        loss = sft_step(self.model, self.optimizer, self.task, self.cfg.sft, self.rng, self.reject)
        return {"loss": loss}

    def _rl_step(self) -> dict:
        difficulty = self.curriculum.difficulty
        problems = [fresh_problem(self.task, difficulty, self.rng, self.reject) for _ in range(self.grpo.prompts_per_step)]
        batch = rollout(self.model, self.task, problems, self.grpo.group_size, self.grpo.temperature, self.gen)
        stats = grpo_step(self.model, self.reference, self.optimizer, batch, self.grpo)
        self.curriculum.update(float(batch.rewards.mean()))
        return {"difficulty": difficulty, **stats}

    def run(self, minutes: float | None = None, progress: bool = True) -> dict:
        """Train until done or until `minutes` of wall clock pass (then checkpoint and stop)."""
        start, deadline = time.monotonic(), None if minutes is None else time.monotonic() + 60 * minutes
        base = self.elapsed
        bar = tqdm(total=self.total_steps, initial=self.step, disable=not progress, desc="reason", unit="step")
        sft_evals = {self.cfg.sft.steps * i // 4 for i in (1, 2, 3)}
        while self.step < self.total_steps:
            if self.step == self.cfg.sft.steps and self.reference is None:
                self._end_sft()
            phase = self.phase
            stats = self._sft_step() if phase == "sft" else self._rl_step()
            self.step += 1
            self.elapsed = base + time.monotonic() - start
            if self.step % self.cfg.log_every == 0:
                self.log.append({"phase": phase, "step": self.step, "elapsed": round(self.elapsed, 2), **stats})
            rl_step = self.step - self.cfg.sft.steps
            if (phase == "sft" and self.step in sft_evals) or (phase == "rl" and rl_step % self.cfg.eval.every == 0):
                self.evaluate(phase)
            bar.update(1)
            bar.set_postfix({k: round(v, 3) for k, v in stats.items() if k in ("loss", "reward", "difficulty")})
            if self.step % self.cfg.checkpoint_every == 0 or self.step == self.total_steps:
                self.checkpoint()
            if deadline is not None and time.monotonic() > deadline and self.step < self.total_steps:
                self.checkpoint()
                bar.close()
                return {"finished": False, "step": self.step}
        bar.close()
        if self.reference is None:  # no RL steps configured
            self._end_sft()
        return self.finish()

    def finish(self) -> dict:
        """Final evaluation (unless the last RL evaluation was at this step), summary and plot."""
        from move37.reasoning.report import summarise, write_plot

        rows = self.log.read()
        evaluated = any(r.get("phase") == "eval" and r["step"] == self.step and r.get("stage") == "rl" for r in rows)
        if self.grpo.steps > 0 and not evaluated:
            self.evaluate("rl")
            rows = self.log.read()
        summary = {"finished": True, **summarise(rows, self.cfg)}
        atomic_write_json(self.out / "summary.json", summary)
        write_plot(rows, self.cfg, self.out / "accuracy.png")
        return summary


def train(out: Path, cfg: TrainConfig | None = None, minutes: float | None = None, progress: bool = True) -> dict:
    """Run (or resume) a run folder; see the module docstring."""
    return Trainer(out, cfg).run(minutes, progress)


def load_model(out: Path, which: str = "checkpoint") -> tuple[CharTransformer, TrainConfig]:
    """The model of a run folder: "checkpoint" (latest) or "sft" (the imitation model)."""
    out = Path(out)
    cfg_path = out / "config.json"
    if not cfg_path.exists():
        raise RunFolderError(f"{out} is not a reasoning run folder (no config.json)")
    cfg = config_mod.load(cfg_path)
    path = out / f"{which}.safetensors"
    if not path.exists():
        raise RunFolderError(f"{out} has no {which}.safetensors yet")
    model = CharTransformer(cfg.model)
    load_checkpoint(path, model)
    return model.eval(), cfg


__all__ = ["Trainer", "train", "load_model"]
