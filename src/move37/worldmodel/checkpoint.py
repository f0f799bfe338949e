"""A MuZero run's checkpoints: everything needed to continue exactly where it stopped.

`checkpoints/NNNNNN/` (N = the iteration; atomic, through move37.runs) holds
    weights.safetensors    the online networks ("net.*") and the target encoder ("target.*"); metadata:
                           the game, the search discount and the net config (what `muzero:DIR` loads)
    optimizer.safetensors  the optimiser's tensors (its hyper-parameters in state.json)
    replay.npz             the stored episodes, concatenated (lengths say where each ends)
    rng.npz                torch's CPU generator
    state.json             counters, elapsed seconds, the numpy generator, metrics.jsonl's length
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save

from move37 import runs
from move37.atomic import write_bytes, write_npz
from move37.errors import RunFolderError
from move37.worldmodel.nets import MuZeroNet, NetConfig
from move37.worldmodel.replay import Replay, Trajectory

_FIELDS = ("obs", "legal", "player", "action", "reward", "policy", "value")


def save_weights(path: Path, net: MuZeroNet, target: MuZeroNet, game_name: str, discount: float) -> None:
    tensors = {**{f"net.{k}": v.contiguous() for k, v in net.state_dict().items()},
               **{f"target.{k}": v.contiguous() for k, v in target.state_dict().items()}}
    meta = {"game": game_name, "discount": repr(float(discount)), "net": json.dumps(vars(net.config)), "obs_shape": json.dumps(net.obs_shape),
            "num_actions": str(net.num_actions)}
    write_bytes(path, save(tensors, metadata=meta))


def load_net(path: Path, part: str = "net") -> tuple[MuZeroNet, dict]:
    """The network `part` ("net" or "target") saved at `path`, and the file's metadata; RunFolderError if damaged."""
    try:
        with safe_open(str(path), "pt") as f:
            meta = f.metadata() or {}
        net = MuZeroNet(tuple(json.loads(meta["obs_shape"])), int(meta["num_actions"]),
                        NetConfig(**json.loads(meta["net"])))
        tensors = load_file(str(path))
        net.load_state_dict({k[len(part) + 1:]: v for k, v in tensors.items() if k.startswith(part + ".")})
    except (SafetensorError, OSError, KeyError, ValueError, TypeError, RuntimeError) as e:
        raise RunFolderError(f"{path}: not a MuZero weights file ({type(e).__name__}: {e})") from None
    return net.eval(), meta


def save_checkpoint(run: Path, iteration: int, net: MuZeroNet, target: MuZeroNet, game_name: str, discount: float,
                    optimizer: torch.optim.Optimizer, replay: Replay, state: dict, keep: int) -> Path:
    tensors, record = runs.optimizer_record(optimizer)

    def fill(folder: Path) -> None:
        save_weights(folder / "weights.safetensors", net, target, game_name, discount)
        write_bytes(folder / "optimizer.safetensors", save(tensors))
        eps = replay.episodes
        arrays = {name: np.concatenate([getattr(t, name) for t in eps]) for name in _FIELDS} if eps else {}
        write_npz(folder / "replay.npz", lengths=np.array([len(t) for t in eps], np.int64),
                  terminated=np.array([t.terminated for t in eps], bool), **arrays)
        write_npz(folder / "rng.npz", torch=torch.get_rng_state().numpy())

    final = runs.write_checkpoint(run, iteration, fill, {**state, "iteration": iteration, "optimizer": record})
    runs.prune_checkpoints(run, keep)
    return final


def load_checkpoint(ckpt: Path, net: MuZeroNet, target: MuZeroNet, optimizer: torch.optim.Optimizer,
                    replay: Replay) -> dict:
    """Restore everything `save_checkpoint` wrote into the given objects; its state.json. RunFolderError if damaged."""
    state = runs.read_state(ckpt)
    try:
        tensors = load_file(str(ckpt / "weights.safetensors"))
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        target.load_state_dict({k[7:]: v for k, v in tensors.items() if k.startswith("target.")})
        runs.restore_optimizer(optimizer, load_file(str(ckpt / "optimizer.safetensors")), state["optimizer"])
        with np.load(ckpt / "rng.npz", allow_pickle=False) as z:
            torch.set_rng_state(torch.from_numpy(z["torch"].copy()))
        with np.load(ckpt / "replay.npz", allow_pickle=False) as z:
            lengths, terminated = z["lengths"], z["terminated"]
            arrays = {name: z[name] for name in _FIELDS} if len(lengths) else {}
    except (SafetensorError, OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError) as e:
        raise RunFolderError(f"{ckpt}: damaged checkpoint ({type(e).__name__})") from None
    moves = index = 0
    for T, done in zip(lengths.tolist(), terminated.tolist()):
        parts = {}
        for name in _FIELDS:  # per-move fields hold T rows an episode, per-position ones T + 1
            rows = T + 1 if name in ("obs", "legal", "player", "value") else T
            start = index + moves if rows == T + 1 else moves
            parts[name] = arrays[name][start:start + rows]
        replay.add(Trajectory(**parts, terminated=bool(done)))
        moves += T
        index += 1
    return state
