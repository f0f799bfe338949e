"""Every agent kind refuses a finished game with IllegalMoveError, before it asks a search, a solver, an
engine or a person: the refusal is `Agent.analyse`'s, so a kind registered later has it too."""

import pytest

from move37 import agents, games
from move37.errors import IllegalMoveError

FINISHED = "a1b1a2b2a3"  # tic-tac-toe: X has the first column


@pytest.mark.parametrize("name", agents.names())
def test_every_registered_kind_refuses_a_finished_game_before_anything(name):
    kind = agents.AGENTS.load(name)
    agent = kind.__new__(kind)  # nothing built: no engine started, no network read, no terminal opened
    with pytest.raises(IllegalMoveError, match="already over"):
        agent.analyse(games.make("tictactoe").state_from_moves(FINISHED))


@pytest.mark.parametrize("spec, game", [("random", "tictactoe"), ("solver", "tictactoe"),
                                        ("alphabeta:depth=2", "tictactoe"), ("mcts:sims=20", "tictactoe"),
                                        ("humanlike", "tictactoe"), ("zero:sims=2", "connect4")])
def test_built_agents_refuse_a_finished_game_and_play_a_live_one(spec, game):
    g = games.make(game)
    finished = g.state_from_moves(FINISHED if game == "tictactoe" else "1212121")
    assert finished.is_terminal()
    agent = agents.make(spec, g)
    with pytest.raises(IllegalMoveError, match="already over"):
        agent.analyse(finished)
    live = g.initial_state()
    assert live.legal_mask()[agent.act(live)]
