"""Can MuZero's reward path learn "this move wins" from a run's own replay, with nothing else to learn?

    python bench/worldmodel_reward_fit.py CHECKPOINT_DIR [--updates 3000] [--every 600] [--conv C]

A fresh MuZeroNet of the run's size is trained on the reward loss alone (representation then one
dynamics step, MSE on the squashed scale, AdamW, batches of 256) on the checkpoint's stored moves, all
but the last 5000, and scored on those 5000 every `every` updates: the mean predicted reward (squashed
scale) at the moves that won and elsewhere, and the share of winning moves predicted >= 0.2 (squashed;
a true win is squash(1) = 0.416). The trained run's own net is scored the same way. `--conv C`: the fresh
net reads the board through two C-channel convolutions first (NetConfig.conv). A diagnostic of
docs/results/world-model.md (why the Connect Four model never predicts a game's end).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from move37.worldmodel.checkpoint import load_checkpoint, load_net
from move37.worldmodel.nets import MuZeroNet, squash
from move37.worldmodel.replay import Replay

HELD_OUT = 5000


def score(net: MuZeroNet, obs: np.ndarray, action: np.ndarray, reward: np.ndarray) -> dict:
    with torch.no_grad():
        _, r = net.dynamics(net.representation(torch.from_numpy(obs)), torch.from_numpy(action))
    r = r.numpy()
    won = reward > 0
    return {"at_wins": round(float(r[won].mean()), 3), "elsewhere": round(float(r[~won].mean()), 3),
            "wins_called": round(float((r[won] >= 0.2).mean()), 3)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("--updates", type=int, default=3000)
    p.add_argument("--every", type=int, default=600)
    p.add_argument("--conv", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(1)
    ckpt = Path(args.checkpoint)
    trained, _ = load_net(ckpt / "weights.safetensors")
    net = copy.deepcopy(trained)
    replay = Replay(10**9, 1, 1.0)
    load_checkpoint(ckpt, net, copy.deepcopy(trained), torch.optim.AdamW(net.parameters()), replay)
    obs = np.concatenate([t.obs[:-1] for t in replay.episodes])
    action = np.concatenate([t.action for t in replay.episodes])
    reward = np.concatenate([t.reward for t in replay.episodes])
    n = len(obs) - HELD_OUT
    held = obs[n:], action[n:], reward[n:]
    print({"positions": len(obs), "winning_moves": round(float((reward > 0).mean()), 4),
           "trained_net": score(trained, *held)})
    torch.manual_seed(0)
    fresh = MuZeroNet(trained.obs_shape, trained.num_actions, dataclasses.replace(trained.config, conv=args.conv))
    opt = torch.optim.AdamW(fresh.parameters(), lr=2e-3, weight_decay=1e-4)
    rng = np.random.default_rng(0)
    for i in range(1, args.updates + 1):
        j = rng.integers(0, n, 256)
        _, r = fresh.dynamics(fresh.representation(torch.from_numpy(obs[j])), torch.from_numpy(action[j]))
        loss = F.mse_loss(r, squash(torch.from_numpy(reward[j])))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i % args.every == 0 or i == args.updates:
            print({"updates": i, **score(fresh, *held)}, flush=True)


if __name__ == "__main__":
    main()
