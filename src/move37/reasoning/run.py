"""Run folders: config, metrics.jsonl and checkpoints, written atomically, resumed exactly.

A checkpoint is one safetensors file holding the model weights, the optimiser's
moment tensors and, in its metadata, the JSON run state (step, phase, curriculum,
random generator states). One file means weights and state can never disagree after
a crash; it is replaced by write-to-temporary, fsync, rename. On resume the
metrics lines written after the checkpoint are dropped, so a resumed run's
metrics.jsonl equals an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as st_save

from move37.atomic import write_bytes as atomic_write, write_json
from move37.errors import RunFolderError


def atomic_write_json(path: Path, obj) -> None:
    """Run-folder JSON: sorted keys, so files of equal runs compare equal byte for byte."""
    write_json(path, obj, indent=2, sort_keys=True)


def save_checkpoint(path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None, state: dict) -> None:
    """Weights, optimiser moments and run state in one safetensors file."""
    tensors = {f"model.{k}": v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    groups = None
    if optimizer is not None:
        opt = optimizer.state_dict()
        for idx, slots in opt["state"].items():
            for key, value in slots.items():
                tensors[f"opt.{idx}.{key}"] = torch.as_tensor(value).detach().clone().reshape(-1) \
                    if key == "step" else value.detach().contiguous().clone()
        groups = opt["param_groups"]
    meta = {"state": json.dumps(state), "optimizer_groups": json.dumps(groups)}
    atomic_write(path, st_save(tensors, metadata=meta))


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None = None) -> dict:
    """Restore weights (and the optimiser when given); returns the run state. RunFolderError when unreadable."""
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
        state = json.loads(meta["state"])
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    except (SafetensorError, KeyError, ValueError, RuntimeError) as e:
        raise RunFolderError(f"checkpoint {path} is unreadable or does not fit the model: {e}") from None
    if optimizer is not None:
        groups = json.loads(meta.get("optimizer_groups") or "null")
        if groups is None:
            raise RunFolderError(f"checkpoint {path} has no optimiser state")
        slots: dict[int, dict] = {}
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, idx, name = key.split(".", 2)
                slots.setdefault(int(idx), {})[name] = value.reshape(()) if name == "step" else value
        optimizer.load_state_dict({"state": slots, "param_groups": groups})
    return state


def read_state(path: Path) -> dict:
    """The run state of a checkpoint without loading its tensors."""
    try:
        with safe_open(str(path), framework="pt") as f:
            return json.loads((f.metadata() or {})["state"])
    except (SafetensorError, KeyError, ValueError) as e:
        raise RunFolderError(f"checkpoint {path} is unreadable: {e}") from None


class MetricsLog:
    """Append-only JSON Lines, each line flushed and fsynced; `truncate_after` for exact resume."""

    def __init__(self, path: Path):
        self.path = path

    def append(self, record: dict) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line torn by a crash ends the log
        return rows

    def truncate_after(self, step: int) -> None:
        """Keep only records up to `step` (and drop a torn last line)."""
        keep = [r for r in self.read() if r.get("step", -1) <= step]
        atomic_write(self.path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in keep).encode())
