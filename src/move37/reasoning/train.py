"""The pipeline: imitate the demonstrator (SFT), then improve against the verifier (GRPO).

Everything lives in a run folder (move37.runs: run.json with the config, .lock, one process
at a time): metrics.jsonl, checkpoints/NNNNNN/ (N = the step) with model.safetensors,
optimizer.safetensors, reference.safetensors (the frozen imitation model, the reference for the
KL and style terms; from the end of imitation on) and state.json (step, phase, curriculum,
random generator states, the optimiser's hyper-parameters, metrics.jsonl's length), and at the
end summary.json, accuracy.png and learner.png (clip fraction, entropy, KL, length over RL).

The phase is part of the checkpoint: the end of imitation is one checkpoint that says phase "rl"
and holds the frozen reference and the fresh RL optimiser together, so a kill on either side of
it resumes the right optimiser, never the imitation one's learning rate and moments in RL.
Calling `train` on an existing folder resumes it exactly: same problems, same samples, same
weights as a run that was never interrupted (tests/test_reasoning_run.py kills it at every write).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from tqdm import tqdm

from move37 import runs
from move37.atomic import write_bytes, write_json
from move37.errors import ConfigError, RunFolderError
from move37.reasoning import config as config_mod
from move37.reasoning import tasks
from move37.reasoning.config import TrainConfig
from move37.reasoning.curriculum import Curriculum
from move37.reasoning.evaluate import (check_training_space, demonstrator_accuracy, evaluate, fresh_problem, held_out,
                                      held_out_keys)
from move37.reasoning.grpo import grpo_step
from move37.reasoning.model import CharTransformer
from move37.reasoning.rollout import rollout
from move37.reasoning.sft import sft_step

TRAINER = "reasoning"
KEEP_CHECKPOINTS = 2


def read_config(out: Path) -> TrainConfig:
    """The config of run folder `out` (RunFolderError when it is not a reasoning run)."""
    return _config(out, runs.read_run(out, TRAINER))


def _config(out: Path, meta: dict) -> TrainConfig:
    try:
        return config_mod.from_dict(meta["config"])
    except ConfigError as e:
        raise RunFolderError(f"{out}/run.json: damaged config ({e})") from None


@contextlib.contextmanager
def _open(out: Path, cfg: TrainConfig | None):
    """Hold run folder `out` (a context manager) and give its config: `cfg` (or the default) for a new
    folder; for an existing one its own, which a given `cfg` must equal."""
    def new_run() -> dict:
        fresh = cfg or TrainConfig()
        config_mod.validate(fresh)
        return {"config": fresh.to_dict()}

    with runs.open_run(out, TRAINER, new_run) as meta:
        stored = _config(out, meta)
        if cfg is not None and cfg != stored:
            raise RunFolderError(f"{out} holds a run with a different config; use another folder")
        yield stored


def _weights(model: torch.nn.Module) -> bytes:
    return save({k: v.detach().contiguous().clone() for k, v in model.state_dict().items()})


def _sft_lr(cfg: TrainConfig, step: int) -> float:
    """Linear warm-up over 50 steps, then linear decay to 5% of the peak."""
    s = cfg.sft
    return s.lr * min(1.0, (step + 1) / 50) * max(0.05, 1 - step / max(1, s.steps))


class Trainer:
    """One run: the model, its optimiser for the current phase, the random streams and the logs.

    It holds its run folder from construction to `close` (a context manager): a second process on
    the same folder is a RunFolderError before anything is written."""

    def __init__(self, out: Path, cfg: TrainConfig | None = None):
        self.out = Path(out)
        self._held = contextlib.ExitStack()
        try:
            self.cfg = self._held.enter_context(_open(self.out, cfg))
            self._start()
        except BaseException:
            self._held.close()
            raise

    def close(self) -> None:
        """Let the run folder go (another process may then resume it)."""
        self._held.close()

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        torch.set_num_threads(self.cfg.threads)
        self.task = tasks.make(self.cfg.task)
        self.grpo = self.cfg.grpo_config()
        self.problems = held_out(self.task, self.cfg.eval)
        self.reject = held_out_keys(self.task, self.problems)
        self.metrics = self.out / "metrics.jsonl"
        torch.manual_seed(self.cfg.seed)
        self.model = CharTransformer(self.cfg.model)
        self.rng = np.random.default_rng(self.cfg.seed)
        self.gen = torch.Generator().manual_seed(self.cfg.seed)
        self.curriculum = Curriculum(self.cfg.curriculum)
        self.step, self.elapsed, self.phase = 0, 0.0, "sft"
        self.reference: CharTransformer | None = None
        self.reward_model = None
        if self.cfg.reward_model:
            from move37.reasoning.reward_model import load_reward_model

            self.reward_model, rm_meta = load_reward_model(Path(self.cfg.reward_model))
            self.rm_norm = (float(rm_meta["mean"]), float(rm_meta["std"]) or 1.0)
        self.optimizer = self._optimizer()
        ckpt = runs.latest_checkpoint(self.out)
        if ckpt is not None:
            self._restore(ckpt)
        else:
            c, s = self.cfg.curriculum, self.cfg.sft
            trained = [*range(s.min_difficulty, s.max_difficulty + 1)] if s.steps else []
            trained += [*range(c.min_difficulty, c.max_difficulty + 1)] if self.grpo.steps else []
            check_training_space(self.task, self.reject, trained, self.cfg.eval.seed)
            runs.truncate(self.metrics, 0)
            demo = demonstrator_accuracy(self.task, self.problems, self.cfg.eval.k, self.cfg.eval.seed)
            runs.append_row(self.metrics, {"phase": "demonstrator", "step": 0,
                                           **{f"accuracy/{d}": a for d, a in demo.items()}})

    @property
    def total_steps(self) -> int:
        return self.cfg.sft.steps + self.grpo.steps

    def _optimizer(self) -> torch.optim.Optimizer:
        lr = self.cfg.sft.lr if self.phase == "sft" else self.grpo.lr
        return torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.99))

    def _frozen(self, weights: dict[str, torch.Tensor]) -> CharTransformer:
        reference = CharTransformer(self.cfg.model)
        reference.load_state_dict(weights)
        return reference.eval().requires_grad_(False)

    def _state(self) -> dict:
        return {"step": self.step, "phase": self.phase, "elapsed": self.elapsed, "curriculum": self.curriculum.state(),
                "np_rng": self.rng.bit_generator.state, "torch_rng": self.gen.get_state().tolist()}

    def _restore(self, ckpt: Path) -> None:
        """Everything from checkpoint `ckpt`, the phase first: it decides the optimiser and the reference."""
        state = runs.read_state(ckpt)
        try:
            self.step, self.phase = int(state["step"]), state["phase"]
            if self.phase not in ("sft", "rl"):
                raise ValueError(f"phase {self.phase!r}")
            self.model.load_state_dict(load_file(str(ckpt / "model.safetensors")))
            self.optimizer = self._optimizer()
            runs.restore_optimizer(self.optimizer, load_file(str(ckpt / "optimizer.safetensors")), state["optimizer"])
            if self.phase == "rl":
                self.reference = self._frozen(load_file(str(ckpt / "reference.safetensors")))
                for group in self.optimizer.param_groups:  # the config's rate (a forked run may set another)
                    group["lr"] = self.grpo.lr
            self.elapsed = float(state["elapsed"])
            self.curriculum.load_state(state["curriculum"])
            self.rng.bit_generator.state = state["np_rng"]
            self.gen.set_state(torch.tensor(state["torch_rng"], dtype=torch.uint8))
            metrics_bytes = int(state["metrics_bytes"])
        except (SafetensorError, OSError, KeyError, ValueError, TypeError, RuntimeError) as e:
            raise RunFolderError(f"{ckpt}: damaged checkpoint ({type(e).__name__}: {str(e)[:80]})") from None
        runs.truncate(self.metrics, metrics_bytes)  # the lines after the checkpoint belong to work redone now
        runs.prune_checkpoints(self.out, KEEP_CHECKPOINTS)  # a kill may have come between a checkpoint and this

    def checkpoint(self) -> None:
        """Checkpoint `step` (one atomic folder): weights, optimiser, phase and run state, the reference once in RL."""
        tensors, record = runs.optimizer_record(self.optimizer)

        def fill(folder: Path) -> None:
            write_bytes(folder / "model.safetensors", _weights(self.model))
            write_bytes(folder / "optimizer.safetensors", save(tensors))
            if self.reference is not None:
                write_bytes(folder / "reference.safetensors", _weights(self.reference))

        runs.write_checkpoint(self.out, self.step, fill,
                              {**self._state(), "optimizer": record, "metrics_bytes": runs.size(self.metrics)})
        runs.prune_checkpoints(self.out, KEEP_CHECKPOINTS)

    def evaluate(self, stage: str) -> dict:
        metrics = evaluate(self.model, self.task, self.problems, self.cfg.eval)
        runs.append_row(self.metrics, {"phase": "eval", "stage": stage, "step": self.step, **metrics})
        return metrics

    def _end_sft(self) -> None:
        """Freeze the imitation model as the reference, evaluate it and switch to the RL optimiser; the checkpoint
        that follows records all three at once (a kill before it redoes them from the last imitation checkpoint)."""
        self.reference = self._frozen(self.model.state_dict())
        self.evaluate("sft")
        self.phase = "rl"
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
        rewards, extra = None, {}
        if self.reward_model is not None:
            from move37.reasoning.reward_model import scores

            z = (scores(self.reward_model, batch.batch) - self.rm_norm[0]) / self.rm_norm[1]  # (N,) standardised
            extra["rm_score"] = float(z.mean())
            rewards = {"verifier": None, "reward_model": z, "mix": (batch.rewards + z) / 2}[self.cfg.reward]
        stats = grpo_step(self.model, self.reference, self.optimizer, batch, self.grpo, rewards, self.gen)
        if self.cfg.reward == "verifier":  # a learner without the verifier must not steer by it
            self.curriculum.update(float(batch.rewards.mean()))
        return {"difficulty": difficulty, **stats, **extra}

    def run(self, minutes: float | None = None, progress: bool = True) -> dict:
        """Train until done or until `minutes` of wall clock pass (then checkpoint and stop)."""
        start, deadline = time.monotonic(), None if minutes is None else time.monotonic() + 60 * minutes
        base = self.elapsed
        bar = tqdm(total=self.total_steps, initial=self.step, disable=not progress, desc="reason", unit="step")
        sft_evals = {self.cfg.sft.steps * i // 4 for i in (1, 2, 3)}
        while self.step < self.total_steps:
            if self.phase == "sft" and self.step == self.cfg.sft.steps:
                self._end_sft()
            phase = self.phase
            stats = self._sft_step() if phase == "sft" else self._rl_step()
            self.step += 1
            self.elapsed = base + time.monotonic() - start
            if self.step % self.cfg.log_every == 0:
                runs.append_row(self.metrics, {"phase": phase, "step": self.step, "elapsed": round(self.elapsed, 2),
                                               **stats})
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
        if self.phase == "sft":  # no RL steps configured
            self._end_sft()
        return self.finish()

    def finish(self) -> dict:
        """Final evaluation (unless the last RL evaluation was at this step), summary and plot."""
        from move37.reasoning.report import summarise, write_learner_plot, write_plot

        rows = runs.read_rows(self.metrics)
        evaluated = any(r.get("phase") == "eval" and r["step"] == self.step and r.get("stage") == "rl" for r in rows)
        if self.grpo.steps > 0 and not evaluated:
            self.evaluate("rl")
            rows = runs.read_rows(self.metrics)
        summary = {"finished": True, **summarise(rows, self.cfg)}
        write_json(self.out / "summary.json", summary, indent=2, sort_keys=True)
        write_plot(rows, self.cfg, self.out / "accuracy.png")
        write_learner_plot(rows, self.cfg, self.out / "learner.png")
        return summary


def train(out: Path, cfg: TrainConfig | None = None, minutes: float | None = None, progress: bool = True) -> dict:
    """Run (or resume) a run folder, holding it throughout; see the module docstring."""
    with Trainer(out, cfg) as trainer:
        return trainer.run(minutes, progress)


def model_path(out: Path, which: str = "checkpoint") -> Path | None:
    """The weights of a run folder's latest checkpoint: "checkpoint" (the model) or "sft" (the imitation model,
    None while the run still imitates); RunFolderError when `out` has no checkpoint."""
    ckpt = runs.latest_checkpoint(out)
    if ckpt is None:
        raise RunFolderError(f"{out} has no checkpoint yet")
    path = ckpt / ("model.safetensors" if which == "checkpoint" else "reference.safetensors")
    return path if path.exists() else None


def load_model(out: Path, which: str = "checkpoint") -> tuple[CharTransformer, TrainConfig]:
    """The model of a run folder: "checkpoint" (latest) or "sft" (the imitation model)."""
    out = Path(out)
    cfg = read_config(out)
    path = model_path(out, which)
    if path is None:
        raise RunFolderError(f"{out} has no imitation model yet (imitation has not finished)")
    model = CharTransformer(cfg.model)
    try:
        model.load_state_dict(load_file(str(path)))
    except (SafetensorError, OSError, RuntimeError) as e:
        raise RunFolderError(f"{path}: unreadable or does not fit the model ({type(e).__name__})") from None
    return model.eval(), cfg


__all__ = ["Trainer", "load_model", "model_path", "read_config", "train"]
