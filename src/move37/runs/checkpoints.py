"""Numbered checkpoints: `RUN/checkpoints/NNNNNN/` (N = the iteration or step), each one complete or absent.

A checkpoint is written into a hidden temporary folder, every file fsynced, and renamed into place,
so a folder named NNNNNN is always complete. Rewriting a number that exists (a run that died after
writing it and redoes that iteration) moves the old folder aside to `.old-NNNNNN` only once the new
one is complete, renames the new one in and then deletes the old one: a kill at any moment leaves
the old or the new checkpoint; `recover` (run by `open_run` once the folder is held) puts the old
one back when a kill fell between the two renames, and deletes what half-written folders are left.

The optimiser travels as tensors (for a safetensors file) plus a JSON record of its hyper-parameters
(`optimizer_record` / `restore_optimizer`), and a checkpoint's run state as `state.json`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import torch

from move37.atomic import fsync_dir, write_json
from move37 import jsontext
from move37.errors import JSONTextError, RunFolderError, SpecError

STATE_FILE = "state.json"


def checkpoint_dirs(run: Path) -> list[Path]:
    """Complete checkpoints of a run, oldest first."""
    folder = Path(run) / "checkpoints"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def latest_checkpoint(run: Path) -> Path | None:
    dirs = checkpoint_dirs(run)
    return dirs[-1] if dirs else None


def weights_file(path: str | Path, kind: str) -> Path:
    """The weights file an agent's PATH names: that file, or a run folder's latest checkpoint's
    weights.safetensors. SpecError (the spec's one-line error) when it is neither; `kind` names the
    file in it ("network")."""
    p = Path(path)
    if p.is_dir():
        ckpt = latest_checkpoint(p)
        if ckpt is None:
            raise SpecError(f"{p}: run folder has no checkpoint yet")
        return ckpt / "weights.safetensors"
    if not p.is_file():
        raise SpecError(f"{p}: no such {kind} file or run folder")
    return p


def write_checkpoint(run: Path, number: int, fill: Callable[[Path], None], state: dict) -> Path:
    """Write checkpoint `number` of `run` atomically: `fill(folder)` writes the checkpoint's files into a
    temporary folder (each through move37.atomic, so fsynced), then `state` goes in as state.json and the
    folder is renamed into place, replacing a checkpoint of the same number without a moment when neither
    exists. Returns the checkpoint's folder."""
    folder = Path(run) / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{number:06d}"
    final, tmp, aside = folder / name, folder / f".tmp-{name}-{os.getpid()}", folder / f".old-{name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    fill(tmp)
    write_json(tmp / STATE_FILE, state)
    fsync_dir(tmp)
    if final.exists():
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(final, aside)
    os.replace(tmp, final)
    fsync_dir(folder)
    shutil.rmtree(aside, ignore_errors=True)
    return final


def recover(run: Path) -> None:
    """Finish what a kill interrupted: a checkpoint moved aside for a rewrite whose new folder never got its
    name goes back to its number; half-written and half-deleted folders are removed. Call it only while
    holding the run (folder.hold)."""
    folder = Path(run) / "checkpoints"
    if not folder.is_dir():
        return
    for aside in folder.glob(".old-*"):
        final = folder / aside.name[len(".old-"):]
        if final.exists():
            shutil.rmtree(aside)
        else:
            os.replace(aside, final)
    fsync_dir(folder)
    for stray in [*folder.glob(".tmp-*"), *folder.glob(".doomed-*")]:
        shutil.rmtree(stray, ignore_errors=True)


def prune_checkpoints(run: Path, keep: int, keep_every: int = 0) -> None:
    """Delete all but the newest `keep` checkpoints, sparing those whose number is a multiple of `keep_every`.
    Each one is renamed first, so a kill in the middle of a deletion leaves a stray (removed by `recover`),
    never a numbered folder that looks like a checkpoint but lacks files."""
    folder = Path(run) / "checkpoints"
    for old in checkpoint_dirs(run)[:-keep]:
        if not (keep_every and int(old.name) % keep_every == 0):
            doomed = folder / f".doomed-{old.name}"
            shutil.rmtree(doomed, ignore_errors=True)
            os.replace(old, doomed)
            shutil.rmtree(doomed, ignore_errors=True)


def read_state(ckpt: Path) -> dict:
    """state.json of checkpoint `ckpt`; RunFolderError when it is unreadable."""
    try:
        state = jsontext.read(Path(ckpt) / STATE_FILE, constants=True)
    except (OSError, JSONTextError) as e:
        raise RunFolderError(f"{ckpt}: damaged checkpoint state ({e})") from None
    if not isinstance(state, dict):
        raise RunFolderError(f"{ckpt}: damaged checkpoint state (not an object)")
    return state


def optimizer_record(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """The optimiser's state as tensors named "PARAM.SLOT" (moments, step counts) and a JSON-able record
    of its param_groups (hyper-parameters) and slot names."""
    sd = optimizer.state_dict()
    tensors = {f"{i}.{k}": torch.as_tensor(v).detach().clone().contiguous()
               for i, slots in sd["state"].items() for k, v in slots.items()}
    return tensors, {"param_groups": sd["param_groups"],
                     "state_keys": {str(i): sorted(slots) for i, slots in sd["state"].items()}}


def restore_optimizer(optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], record: dict) -> None:
    """Load what `optimizer_record` gave back into `optimizer` (KeyError/ValueError when they do not fit)."""
    state = {int(i): {k: tensors[f"{i}.{k}"] for k in keys} for i, keys in record["state_keys"].items()}
    optimizer.load_state_dict({"state": state, "param_groups": record["param_groups"]})
