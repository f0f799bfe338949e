"""The AlphaZero trainer's checkpoints: everything a run needs to continue exactly where it stopped.

`checkpoints/NNNNNN/` (N = the iteration; written, listed and replaced atomically by move37.runs) holds
    weights.safetensors + weights.json   the network (nets.io format)
    optimizer.safetensors                the optimiser's tensors; its hyper-parameters in state.json
    rng.npz                              torch's CPU generator state
    state.json                           iteration, learner step, games, positions, elapsed seconds,
                                         the replay window's chunk names, the numpy generator state,
                                         and the byte lengths of games.jsonl / metrics.jsonl
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from move37 import runs
from move37.atomic import write_bytes, write_npz
from move37.errors import RunFolderError
from move37.nets.grow import grow
from move37.nets.io import load_state_into, read_meta, read_weights, save_net
from move37.nets.policy_value import PolicyValueNet


def save_checkpoint(run: Path, iteration: int, net: PolicyValueNet, game_name: str,
                    optimizer: torch.optim.Optimizer, state: dict, keep: int, keep_every: int = 0,
                    discount: float = 1.0) -> Path:
    """Write checkpoint `iteration` atomically; then delete all but the newest `keep` (and multiples of keep_every).
    `discount`: the run's search discount, recorded with the weights for their player."""
    tensors, record = runs.optimizer_record(optimizer)

    def fill(folder: Path) -> None:
        save_net(net, folder / "weights.safetensors", game_name, discount)
        write_bytes(folder / "optimizer.safetensors", save(tensors))
        write_npz(folder / "rng.npz", torch=torch.get_rng_state().numpy())

    final = runs.write_checkpoint(run, iteration, fill, {**state, "iteration": iteration, "optimizer": record})
    runs.prune_checkpoints(run, keep, keep_every)
    return final


def load_checkpoint(ckpt: Path, net: PolicyValueNet, optimizer: torch.optim.Optimizer) -> dict:
    """Restore net, optimiser and torch RNG from `ckpt`; returns its state.json. RunFolderError if damaged.

    A `net` with a larger tower than the checkpoint's (a resume that grows the network) gets the
    checkpoint's weights through `nets.grow` and keeps its fresh optimiser: the saved moments
    belong to the smaller shapes."""
    state = runs.read_state(ckpt)
    try:
        int(state["iteration"])
    except (KeyError, ValueError, TypeError) as e:
        raise RunFolderError(f"{ckpt}: damaged checkpoint state ({type(e).__name__})") from None
    weights = ckpt / "weights.safetensors"
    grown = read_meta(weights)["net"] != net.config
    if grown:
        grow(net, read_weights(weights))
    else:
        load_state_into(net, weights)
    try:
        if not grown:
            runs.restore_optimizer(optimizer, load_file(str(ckpt / "optimizer.safetensors")), state["optimizer"])
        with np.load(ckpt / "rng.npz", allow_pickle=False) as z:
            torch.set_rng_state(torch.from_numpy(z["torch"].copy()))
    except (SafetensorError, OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError) as e:
        raise RunFolderError(f"{ckpt}: damaged optimizer or RNG state ({type(e).__name__})") from None
    net.eval()
    return state
