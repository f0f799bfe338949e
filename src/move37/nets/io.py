"""Saving and loading networks: weights as safetensors, shape facts as JSON beside them.

`NAME.safetensors` holds the tensors; `NAME.json` holds the game name, observation
shape, action count, `NetConfig` and the search discount the network was trained with (its
values are worth that much less per move to the end, so its player searches with the
same). Loading checks every tensor's shape against a freshly built network, so a
truncated, corrupted or mismatched file is a one-line RunFolderError instead of a crash
(safetensors never runs code while loading).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from move37 import jsontext
from move37.errors import ConfigError, RunFolderError
from move37.nets.policy_value import NetConfig, PolicyValueNet
from move37.atomic import write_bytes


def net_meta(net: PolicyValueNet, game_name: str, discount: float = 1.0) -> dict:
    """The JSON facts that rebuild `net`'s architecture, and the search discount it was trained with."""
    cfg = asdict(net.config)
    cfg["hidden"] = list(cfg["hidden"])
    return {"game": game_name, "observation_shape": list(net.observation_shape), "num_actions": net.num_actions,
            "net": cfg, "search": {"discount": discount}}


def save_net(net: PolicyValueNet, path: Path, game_name: str, discount: float = 1.0) -> None:
    """Atomically write `path` (.safetensors) and its `.json` config (`discount`: the search discount of training)."""
    path = Path(path)
    state = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    write_bytes(path, save(state))
    write_bytes(path.with_suffix(".json"), json.dumps(net_meta(net, game_name, discount), indent=2).encode())


def read_meta(path: Path) -> dict:
    """The `.json` beside a weights file; RunFolderError when missing or malformed."""
    meta_path = Path(path).with_suffix(".json")
    try:
        meta = jsontext.read(meta_path)
        meta["net"] = NetConfig(**{**meta["net"], "hidden": tuple(meta["net"]["hidden"])})
        meta["observation_shape"] = tuple(int(d) for d in meta["observation_shape"])
        meta["num_actions"] = int(meta["num_actions"])
        str(meta["game"])
        meta["search"] = {"discount": float(meta.get("search", {}).get("discount", 1.0))}  # older files: undiscounted
        if not 0.0 < meta["search"]["discount"] <= 1.0:
            raise ValueError("search.discount must be in (0, 1]")
    except FileNotFoundError:
        raise RunFolderError(f"{meta_path}: missing (a network needs its .json config beside the weights)") from None
    except (ValueError, KeyError, TypeError, AttributeError, ConfigError) as e:  # JSONTextError is a ValueError
        raise RunFolderError(f"{meta_path}: not a valid network config ({e})") from None
    return meta


def read_weights(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file; RunFolderError when it is damaged (FileNotFoundError when missing)."""
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise RunFolderError(f"{path}: corrupted or truncated weights ({str(e).splitlines()[0][:120]})") from None


def load_state_into(net: torch.nn.Module, path: Path) -> None:
    """Load safetensors weights into `net`, checking names and shapes; RunFolderError otherwise."""
    tensors = read_weights(path)
    expected = net.state_dict()
    if set(tensors) != set(expected):
        raise RunFolderError(f"{path}: weights do not match the network (tensor names differ)")
    for name, t in tensors.items():
        if t.shape != expected[name].shape:
            raise RunFolderError(f"{path}: tensor {name} has shape {tuple(t.shape)}, expected {tuple(expected[name].shape)}")
    net.load_state_dict(tensors)


def _game_name(spec: str) -> str:
    """The registered game's own name for a saved spec: a run of `go9` (an alias) made a `go` network."""
    from move37 import games
    from move37.errors import Move37Error

    try:
        return games.make(spec).info.name
    except Move37Error:
        return spec


def load_net(path: Path, game_name: str | None = None, *, info=None) -> PolicyValueNet:
    """Rebuild and load a network saved by `save_net`; checks it belongs to `game_name` if given,
    and, given the game's `info` (GameInfo), that its input and output shapes fit that game
    (a 9x9 Go network on a 13x13 board is a one-line error, not a crash mid-search)."""
    path = Path(path)
    if not path.is_file():
        raise RunFolderError(f"{path}: no such network file")
    meta = read_meta(path)
    if game_name is not None and _game_name(meta["game"]) != game_name:
        raise RunFolderError(f"{path}: a {meta['game']} network, not {game_name}")
    if info is not None and (tuple(meta["observation_shape"]) != tuple(info.observation_shape)
                             or meta["num_actions"] != info.num_actions):
        raise RunFolderError(
            f"{path}: a network for observations {tuple(meta['observation_shape'])} and {meta['num_actions']} actions,"
            f" but this game has {tuple(info.observation_shape)} and {info.num_actions}")
    net = PolicyValueNet(meta["observation_shape"], meta["num_actions"], meta["net"])
    load_state_into(net, path)
    net.eval()
    return net
