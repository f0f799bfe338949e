"""Numbered checkpoints: everything a run needs to continue exactly where it stopped.

`checkpoints/NNNNNN/` (N = the iteration) holds
    weights.safetensors + weights.json   the network (nets.io format)
    optimizer.safetensors                the optimiser's tensors; its hyper-parameters in state.json
    rng.npz                              torch's CPU generator state
    state.json                           iteration, learner step, games, positions, elapsed seconds,
                                         the replay window's chunk names, the numpy generator state,
                                         and the byte lengths of games.jsonl / metrics.jsonl
A checkpoint is written into a hidden temporary folder, every file fsynced, then the
folder is renamed into place: a folder named NNNNNN is always complete.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from move37.errors import RunFolderError
from move37.nets.grow import grow
from move37.nets.io import load_state_into, read_meta, read_weights, save_net
from move37.nets.policy_value import PolicyValueNet
from move37.atomic import fsync_dir, write_bytes, write_json, write_npz


def checkpoint_dirs(run: Path) -> list[Path]:
    """Complete checkpoints of a run, oldest first."""
    folder = Path(run) / "checkpoints"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def latest_checkpoint(run: Path) -> Path | None:
    dirs = checkpoint_dirs(run)
    return dirs[-1] if dirs else None


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    sd = optimizer.state_dict()
    tensors = {f"{i}.{k}": v.detach().clone().contiguous() for i, st in sd["state"].items() for k, v in st.items()}
    return tensors, {"param_groups": sd["param_groups"], "state_keys": {str(i): sorted(st) for i, st in sd["state"].items()}}


def save_checkpoint(run: Path, iteration: int, net: PolicyValueNet, game_name: str,
                    optimizer: torch.optim.Optimizer, state: dict, keep: int, keep_every: int = 0,
                    discount: float = 1.0) -> Path:
    """Write checkpoint `iteration` atomically; then delete all but the newest `keep` (and multiples of keep_every).
    `discount`: the run's search discount, recorded with the weights for their player."""
    folder = Path(run) / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{iteration:06d}"
    tmp = folder / f".tmp-{iteration:06d}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_net(net, tmp / "weights.safetensors", game_name, discount)
    tensors, meta = _optimizer_tensors(optimizer)
    write_bytes(tmp / "optimizer.safetensors", save(tensors))
    write_npz(tmp / "rng.npz", torch=torch.get_rng_state().numpy())
    write_json(tmp / "state.json", {**state, "iteration": iteration, "optimizer": meta})
    if final.exists():  # a checkpoint of the same iteration from a run that died after writing it
        shutil.rmtree(final)
    os.replace(tmp, final)
    fsync_dir(folder)
    for old in checkpoint_dirs(run)[:-keep]:
        if not (keep_every and int(old.name) % keep_every == 0):
            # Renamed first, so a kill in the middle of the deletion leaves a stray, never a
            # numbered folder that looks like a checkpoint but lacks files.
            doomed = folder / f".tmp-old-{old.name}"
            shutil.rmtree(doomed, ignore_errors=True)
            os.replace(old, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
    for stray in folder.glob(".tmp-*"):
        shutil.rmtree(stray, ignore_errors=True)
    return final


def load_checkpoint(ckpt: Path, net: PolicyValueNet, optimizer: torch.optim.Optimizer) -> dict:
    """Restore net, optimiser and torch RNG from `ckpt`; returns its state.json. RunFolderError if damaged.

    A `net` with a larger tower than the checkpoint's (a resume that grows the network) gets the
    checkpoint's weights through `nets.grow` and keeps its fresh optimiser: the saved moments
    belong to the smaller shapes."""
    try:
        state = json.loads((ckpt / "state.json").read_text())
        int(state["iteration"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RunFolderError(f"{ckpt}: damaged checkpoint state ({type(e).__name__})") from None
    weights = ckpt / "weights.safetensors"
    grown = read_meta(weights)["net"] != net.config
    if grown:
        grow(net, read_weights(weights))
    else:
        load_state_into(net, weights)
    try:
        if not grown:
            tensors = load_file(str(ckpt / "optimizer.safetensors"))
            meta = state["optimizer"]
            opt_state = {int(i): {k: tensors[f"{i}.{k}"] for k in keys} for i, keys in meta["state_keys"].items()}
            optimizer.load_state_dict({"state": opt_state, "param_groups": meta["param_groups"]})
        with np.load(ckpt / "rng.npz", allow_pickle=False) as z:
            torch.set_rng_state(torch.from_numpy(z["torch"].copy()))
    except (SafetensorError, OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError) as e:
        raise RunFolderError(f"{ckpt}: damaged optimizer or RNG state ({type(e).__name__})") from None
    net.eval()
    return state
