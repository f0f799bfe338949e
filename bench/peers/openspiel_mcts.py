"""OpenSpiel's MCTS with random rollouts on Connect Four, C++ and Python.

- "cpp": `pyspiel.MCTSBot` with `pyspiel.RandomRolloutEvaluator` — the search, the
  rollouts and the game all run in C++; Python only calls `bot.step(state)` once a move.
- "python": `open_spiel.python.algorithms.mcts.MCTSBot` with its Python
  `RandomRolloutEvaluator` over the C++ game (`pyspiel` states).
Both: UCT constant 2, one rollout per leaf, no MCTS-Solver, a fresh tree every move
(OpenSpiel's behaviour). The bot plays both sides of whole games;
simulations counted = sims per move x moves played.
"""

from __future__ import annotations

import numpy as np

from bench.peers.measure import Timed


def _bot(kind: str, game, sims: int, seed: int):
    import pyspiel

    if kind == "cpp":
        evaluator = pyspiel.RandomRolloutEvaluator(1, seed)
        return pyspiel.MCTSBot(game, evaluator, 2.0, sims, 1000, False, seed, False)
    from open_spiel.python.algorithms import mcts

    rng = np.random.RandomState(seed)
    evaluator = mcts.RandomRolloutEvaluator(n_rollouts=1, random_state=rng)
    return mcts.MCTSBot(game, 2.0, sims, evaluator, solve=False, random_state=rng)


def selfplay(kind: str, sims: int = 200, games: int = 2, seed: int = 0) -> Timed:
    """Simulations/s of `kind` ("cpp" or "python") MCTS playing `games` games per repeat."""
    import pyspiel

    game = pyspiel.load_game("connect_four")
    bot = _bot(kind, game, sims, seed)

    def once() -> float:
        moves = 0
        for _ in range(games):
            state = game.new_initial_state()
            while not state.is_terminal():
                state.apply_action(bot.step(state))
                moves += 1
        return sims * moves

    return once, dict(kind=kind, sims_per_move=sims, games_per_repeat=games,
                      bot=f"{type(bot).__module__}.{type(bot).__name__}")
