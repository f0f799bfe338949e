"""Every registered game passes the conformance checker."""

import numpy as np
import pytest

from move37 import games
from move37.errors import IllegalMoveError, NotationError, UnknownNameError
from move37.games.conformance import ConformanceError, check_game

GAME_SPECS = [*games.names(), "othello:size=6"]


@pytest.mark.parametrize("spec", GAME_SPECS)
def test_registered_game_conforms(spec):
    assert check_game(games.make(spec), playouts=12, seed=1) > 12


def test_unknown_game_is_named():
    with pytest.raises(UnknownNameError, match="nosuchgame"):
        games.make("nosuchgame")


def test_checker_catches_a_broken_game():
    """A game whose terminal states still offer moves must fail the checker."""
    from move37.games.tictactoe import TicTacToe, TicTacToeState

    class Broken(TicTacToeState):
        def legal_mask(self):
            return np.array(self.board) == 0

        def _apply(self, action):
            board = list(self.board)
            board[action] = self.current_player + 1
            return Broken(tuple(board))

    class BrokenGame(TicTacToe):
        def initial_state(self):
            return Broken((0,) * 9)

    with pytest.raises(ConformanceError):
        check_game(BrokenGame(), playouts=30)


def test_tictactoe_rules_and_notation():
    g = games.make("tictactoe")
    s = g.state_from_moves("b2a1c3a3a2")  # X: b2 c3 a2 ; O: a1 a3
    assert s.current_player == 1 and not s.is_terminal()
    s = s.play_text("b1")  # O: a1 a3 b1, no line yet
    assert not s.is_terminal()
    win = g.state_from_moves("a1b1a2b2a3")
    assert win.is_terminal() and list(win.returns()) == [1.0, -1.0]
    with pytest.raises(IllegalMoveError):
        g.state_from_moves("a1a1")
    with pytest.raises(NotationError):
        g.state_from_moves("z9")
