"""`live`: one learner on one never-ending stream, resumable from its run folder.

    RUN/run.json        {"trainer": "live", "config": {"stream", "agent", "seed", "feedback", ...}}
    RUN/checkpoints/N/  learner.safetensors (network, traces, normalisers, remedies' state), probe.safetensors,
                        state.json (step, stream/learner/feedback state, metrics length)
    RUN/metrics.jsonl   {"kind": "episode", "step", "task", "visit", "return", "length"} per finished episode;
                        {"kind": "probe", "step", "task", "dormant", "effective_rank", "weight_norm",
                         "grad_norm", "online_return", "elapsed"} every probe_every steps;
                        {"kind": "rating", ...} rows of the feedback loop (feedback.py)
    RUN/*.png           returns.png, plasticity.png (plots.py), feedback.png with --feedback

The learner is never reset: an episode's end or a task switch only clears its traces. A resume restores
the learner, the stream's position and its random state, but starts a new episode of the current task
(MinAtar cannot save one); the episode cut by the stop is not logged.
"""

from __future__ import annotations

import collections
import dataclasses
import sys
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from move37 import runs
from move37.errors import ConfigError
from move37.experience import plasticity, plots
from move37.experience.learners import make_learner
from move37.experience.streams import make_stream

TRAINER = "live"
ONLINE_WINDOW = 20  # episodes in the online return
PROBE_EVERY_STEPS = 97  # how often an observation enters the probe batch (prime: no phase lock with games)
KEEP_CHECKPOINTS = 2


@dataclasses.dataclass(frozen=True)
class LiveConfig:
    """stream, agent: specs (streams.make_stream, learners.make_learner); feedback: a feedback spec or "" (none);
    checkpoint_every/probe_every: steps; probe_size: observations in the plasticity probe batch."""

    stream: str = "minatar:games=breakout"
    agent: str = "streamq"
    seed: int = 0
    feedback: str = ""
    checkpoint_every: int = 20_000
    probe_every: int = 5_000
    probe_size: int = 256

    def __post_init__(self):
        if min(self.checkpoint_every, self.probe_every, self.probe_size) < 1:
            raise ValueError("checkpoint_every, probe_every and probe_size must be at least 1")


class _Run:
    def __init__(self, out: Path, cfg: LiveConfig):
        self.out, self.cfg, self.metrics = out, cfg, out / "metrics.jsonl"
        self.stream = make_stream(cfg.stream, cfg.seed)
        self.learner = make_learner(cfg.agent, self.stream.observation_shape, self.stream.num_actions, cfg.seed)
        self.feedback = _feedback(cfg)
        self.probe = np.zeros((cfg.probe_size, *self.stream.observation_shape), np.float32)
        self.probe_count, self.step, self.elapsed = 0, 0, 0.0
        self.returns: collections.deque = collections.deque(maxlen=ONLINE_WINDOW)

    def restore(self) -> None:
        ckpt = runs.latest_checkpoint(self.out)
        if ckpt is None:
            runs.truncate(self.metrics, 0)
            return
        state = runs.read_state(ckpt)
        self.learner.load_tensors(load_file(str(ckpt / "learner.safetensors")))
        self.probe = load_file(str(ckpt / "probe.safetensors"))["probe"].numpy().copy()
        self.learner.load_state(state["learner"])
        self.stream.load_state(state["stream"])
        if self.feedback is not None:
            self.feedback.load_state(state["feedback"])
        self.step, self.elapsed, self.probe_count = int(state["step"]), float(state["elapsed"]), int(state["probes"])
        self.returns.extend(state["recent_returns"])
        runs.truncate(self.metrics, int(state["metrics_bytes"]))
        runs.prune_checkpoints(self.out, KEEP_CHECKPOINTS)

    def checkpoint(self) -> None:
        def fill(folder: Path) -> None:
            save_file({k: v.contiguous() for k, v in self.learner.tensors().items()},
                      str(folder / "learner.safetensors"))
            save_file({"probe": torch.from_numpy(self.probe)}, str(folder / "probe.safetensors"))

        state = {"step": self.step, "elapsed": round(self.elapsed, 2), "probes": self.probe_count,
                 "learner": self.learner.state(), "stream": self.stream.state(),
                 "recent_returns": list(self.returns), "metrics_bytes": runs.size(self.metrics)}
        if self.feedback is not None:
            state["feedback"] = self.feedback.state()
        runs.write_checkpoint(self.out, self.step, fill, state)
        runs.prune_checkpoints(self.out, KEEP_CHECKPOINTS)

    def probe_row(self) -> dict:
        n = min(self.probe_count, len(self.probe))
        row = {"kind": "probe", "step": self.step, "task": self.stream.task, "elapsed": round(self.elapsed, 1),
               "grad_norm": round(self.learner.last_grad_norm, 4),
               "online_return": round(float(np.mean(self.returns)), 3) if self.returns else None}
        if n >= 2:
            batch = torch.from_numpy(np.stack([self.learner.encode(o) for o in self.probe[:n]]))
            row.update(plasticity.measure(self.learner.net, batch))
        if getattr(self.learner.plasticity, "replaced", 0):
            row["units_replaced"] = self.learner.plasticity.replaced
        return row

    def run(self, steps: int | None, minutes: float | None, show: bool | None) -> None:
        start = time.monotonic()
        deadline = None if minutes is None else start + 60 * minutes
        base_elapsed, said = self.elapsed, start
        terminal_out = sys.stderr.isatty()
        bar = None
        if show or (show is None and terminal_out):
            from tqdm import tqdm

            bar = tqdm(total=steps, initial=self.step, unit="step", desc="live", file=sys.stderr)
        obs, legal = self.stream.observation(), self.stream.legal()
        task, visit, ep_return, ep_length = self.stream.task, self.stream.visit, 0.0, 0
        learner, stream, cfg = self.learner, self.stream, self.cfg
        while steps is None or self.step < steps:
            action = learner.act(obs, legal)
            out = stream.step(action)
            reward = out.reward if self.feedback is None else self.feedback.reward(out.signals)
            learner.learn(obs, action, reward, out.next_obs, out.terminal, out.cut, out.legal)
            self.step += 1
            ep_return, ep_length = ep_return + out.reward, ep_length + 1
            if self.feedback is not None:
                for row in self.feedback.observe(self.step, out.signals, out.terminal or out.cut):
                    runs.append_row(self.metrics, row)
            if self.step % PROBE_EVERY_STEPS == 0:
                self.probe[self.probe_count % len(self.probe)] = out.next_obs
                self.probe_count += 1
            if out.terminal or out.cut:
                if out.terminal:
                    runs.append_row(self.metrics, {"kind": "episode", "step": self.step, "task": task, "visit": visit,
                                                   "return": out_return(ep_return), "length": ep_length})
                    self.returns.append(ep_return)
                task, visit, ep_return, ep_length = stream.task, stream.visit, 0.0, 0
            obs, legal = stream.observation(), stream.legal()
            now = time.monotonic()
            self.elapsed = base_elapsed + now - start
            if self.step % cfg.probe_every == 0:
                row = self.probe_row()
                runs.append_row(self.metrics, row)
                if bar is None and show is None and now - said >= 60:
                    print(f"step {self.step}: online return {row['online_return']}, {self.elapsed / 60:.1f} min",
                          file=sys.stderr, flush=True)
                    said = now
            if self.step % cfg.checkpoint_every == 0:
                self.checkpoint()
            if bar is not None and self.step % 100 == 0:
                bar.update(100)
            if deadline is not None and now > deadline:
                break
        if bar is not None:
            bar.close()
        self.checkpoint()


def out_return(value: float) -> float:
    return round(float(value), 4)


def _feedback(cfg: LiveConfig):
    """The feedback loop the config names, or None (feedback.py loads only when asked for)."""
    if not cfg.feedback:
        return None
    from move37.experience.feedback import make_feedback

    return make_feedback(cfg.feedback, cfg.seed)


def _config(meta: dict) -> LiveConfig:
    return runs.build(LiveConfig, meta["config"])


def live(out: Path, cfg: LiveConfig | None = None, steps: int | None = None, minutes: float | None = None,
         show: bool | None = None) -> dict:
    """Run (or resume) the live run in `out` until `steps` steps in all or `minutes` of wall clock, whichever
    comes first; write its plots; return its summary. `cfg` is needed for a new run; for an existing run it
    must be None or equal to the stored one (ConfigError)."""
    if steps is None and minutes is None:
        raise ConfigError("give --steps or --minutes: a stream never ends by itself")
    out = Path(out)

    def create() -> dict:
        if cfg is None:
            raise ConfigError(f"{out} is not a live run yet: give --stream and --agent")
        stream = make_stream(cfg.stream, cfg.seed)  # bad specs fail before the folder is made
        make_learner(cfg.agent, stream.observation_shape, stream.num_actions, cfg.seed)
        _feedback(cfg)
        return {"config": runs.to_dict(cfg)}

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one-sample updates: a second thread only costs
    try:
        return _live(out, cfg, create, steps, minutes, show)
    finally:
        torch.set_num_threads(threads)


def _live(out: Path, cfg: LiveConfig | None, create, steps: int | None, minutes: float | None,
          show: bool | None) -> dict:
    with runs.open_run(out, TRAINER, create) as meta:
        stored = _config(meta)
        if cfg is not None and cfg != stored:
            raise ConfigError(f"{out} was started with {runs.to_dict(stored)}; resume it without other settings")
        run = _Run(out, stored)
        run.restore()
        run.run(steps, minutes, show)
        rows = runs.read_rows(run.metrics)
        plots.write_all(rows, out)
        return plots.summarise(rows, run.step, run.elapsed)
