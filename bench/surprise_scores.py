"""How the exact solver rates every move of a `move37 surprises` example, beside the imitation prior and the
agent's search: the table docs/results/alphago.md shows for each Connect Four "move 37".

    .venv/bin/python bench/surprise_scores.py --agent zero:src/move37/models/connect4.safetensors,sims=64 \
        --imitation runs/alphago-c4/alphago/sl.safetensors 415344533242 4465644

Prints, per position, the exact score after each column (Pons's convention, for the player to move; `-` for a
full column), the imitation policy's probability and the agent's search share, and the board.
"""

from __future__ import annotations

import argparse

from move37 import agents, games
from move37.cli.surprises import imitation_spec
from move37.solvers.connect4 import Connect4Solver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", required=True, help="the searching agent's spec")
    parser.add_argument("--imitation", required=True, help="the imitation policy (spec, network or imitate run)")
    parser.add_argument("positions", nargs="+", help="Connect Four move sequences")
    args = parser.parse_args()
    game = games.make("connect4")
    solver = Connect4Solver(game)
    imitation, agent = agents.make(imitation_spec(args.imitation), game), agents.make(args.agent, game)
    for text in args.positions:
        state = game.state_from_text(text)
        scores, prior, played = solver.move_scores(state), imitation.analyse(state).policy, agent.analyse(state)
        print(f"{text}: {'first' if state.current_player == 0 else 'second'} player to move, the agent plays "
              f"{played.action + 1}")
        print("  column " + " ".join(f"{c:>6}" for c in range(1, 8)))
        print("  score  " + " ".join(f"{s:>6}" if s > -100 else "     -" for s in scores))
        print("  prior  " + " ".join(f"{p:6.1%}" for p in prior))
        print("  search " + " ".join(f"{p:6.1%}" for p in played.policy))
        print(state)


if __name__ == "__main__":
    main()
