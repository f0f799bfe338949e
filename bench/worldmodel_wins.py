"""Does a Connect Four world model see a win in one? Positions from random play where the mover has a winning
column, every legal column stepped once through the model's dynamics.

    python bench/worldmodel_wins.py score RUN [--positions 200]        # a MuZero run's own model
    python bench/worldmodel_wins.py fit [--train 256] [--steps 100 200]  # fresh nets, the reward loss alone

`score`: over `positions` such positions (random games, each stopped with probability 1/2 at the first
position with a win on the board, seed 1): the mean predicted reward of winning and of other columns, the
share of each predicted above 0.5, and how often the column with the largest predicted reward wins (a model
that knows the rules: 1.0; a random legal column: `random_column_wins`).
`fit`: a fresh MLP-latent net (latent 64, hidden 128) and a fresh board-shaped one (`net.spatial` 8, one
block), both with the categorical reward on {-1, 0, 1}, trained on the reward loss alone (Adam 3e-3, full
batch) on `train` such positions with every legal column labelled (seed 0); scored on 100 others (seed 1)
by the same argmax-is-a-win rate. The diagnostic behind docs/results/world-model.md's third session.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from move37 import games
from move37.runs import weights_file
from move37.worldmodel.checkpoint import load_net
from move37.worldmodel.model import LatentModel
from move37.worldmodel.nets import MuZeroNet, NetConfig
from move37.worldmodel.play import mover_reward

GAME = games.make("connect4")


def positions(seed: int, count: int):
    """[(state, winning columns)] from random games."""
    rng, out = np.random.default_rng(seed), []
    while len(out) < count:
        state = GAME.initial_state()
        while not state.is_terminal():
            acts = state.legal_actions()
            wins = [int(a) for a in acts if mover_reward(state.play(int(a)), state.current_player) > 0]
            if wins and rng.random() < 0.5:
                out.append((state, wins))
                break
            state = state.play(int(rng.choice(acts)))
    return out


def score(model, rows) -> dict:
    latent = model.represent(np.stack([s.encode() for s, _ in rows]).astype(np.float32))
    on_wins, others, top = [], [], 0
    for i, (state, wins) in enumerate(rows):
        acts = np.asarray(state.legal_actions())
        reward = model.step(np.repeat(latent[i:i + 1], len(acts), 0), acts)[1]
        for a, r in zip(acts, reward):
            (on_wins if a in wins else others).append(float(r))
        top += int(acts[int(np.argmax(reward))]) in wins
    on_wins, others = np.array(on_wins), np.array(others)
    return {"positions": len(rows), "reward_on_wins": round(float(on_wins.mean()), 3),
            "wins_above_half": round(float((on_wins > 0.5).mean()), 3), "reward_elsewhere": round(float(others.mean()), 3),
            "others_above_half": round(float((others > 0.5).mean()), 3), "argmax_is_a_win": round(top / len(rows), 3),
            "random_column_wins": round(float(np.mean([len(w) / len(s.legal_actions()) for s, w in rows])), 3)}


def fit(config: NetConfig, rows, steps: int) -> MuZeroNet:
    torch.manual_seed(0)
    net = MuZeroNet(GAME.info.observation_shape, GAME.info.num_actions, config)
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    obs = torch.tensor(np.stack([s.encode() for s, _ in rows]), dtype=torch.float32)
    A = GAME.info.num_actions
    target = torch.tensor([[float(a in wins) for a in range(A)] for _, wins in rows]).flatten()
    which, action = torch.arange(len(rows)).repeat_interleave(A), torch.arange(A).repeat(len(rows))
    for _ in range(steps):
        _, reward = net.dynamics(net.representation(obs)[which], action)
        loss = net.scalar_loss(reward, target).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return net.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score")
    s.add_argument("run")
    s.add_argument("--positions", type=int, default=200)
    f = sub.add_parser("fit")
    f.add_argument("--train", type=int, default=256)
    f.add_argument("--steps", type=int, nargs="+", default=[100, 200])
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.command == "score":
        net, _ = load_net(weights_file(args.run, "muzero"))
        print(score(LatentModel(net), positions(1, args.positions)))
        return
    train, test = positions(0, args.train), positions(1, 100)
    nets = {"mlp": NetConfig(64, 128, 8, support=1, transform=False),
            "spatial8": NetConfig(hidden=32, projection=8, spatial=8, blocks=1, support=1, transform=False)}
    for steps in args.steps:
        for name, config in nets.items():
            t0 = time.process_time()
            result = score(LatentModel(fit(config, train, steps)), test)
            print(f"{steps} steps, {name}: argmax is a win {result['argmax_is_a_win']:.2f} "
                  f"({time.process_time() - t0:.0f} CPU s)")


if __name__ == "__main__":
    main()
