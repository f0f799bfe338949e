"""Connect Four rules, notation, bitboards and the hand-written evaluation."""

import numpy as np
import pytest

from move37 import games
from move37.errors import IllegalMoveError, NotationError
from move37.games.connect4 import ConnectFourState, has_four, mirror_bits
from move37.games.conformance import check_game
from move37.search.heuristics import connect4 as heuristic


@pytest.fixture(scope="module")
def game():
    return games.make("connect4")


def test_conforms(game):
    assert check_game(game, playouts=30, seed=7) > 30 * 7


def test_stones_stack_and_the_observation_is_seen_from_the_mover(game):
    s = game.state_from_text("4453")
    assert s.moves == 4 and s.current_player == 0
    obs = s.encode()  # first player (to move): 4 and 5 on the bottom row; second: 4 above, 3
    assert obs.shape == (2, 6, 7)
    assert obs[0, 5].tolist() == [0, 0, 0, 1, 1, 0, 0] and obs[0, :5].sum() == 0
    assert obs[1, 5].tolist() == [0, 0, 1, 0, 0, 0, 0] and obs[1, 4].tolist() == [0, 0, 0, 1, 0, 0, 0]
    after = s.play(0)
    assert after.encode()[1, 5, 0] == 1 and after.encode()[0].sum() == 2  # planes swap with the mover


@pytest.mark.parametrize("moves, winner", [
    ("1212121", 0),          # vertical
    ("1122334", 0),          # horizontal
    ("12234334544", 0),      # rising diagonal a1-b2-c3-d4
    ("76645553444", 0),      # the mirror image: falling diagonal
    ("17271727", 1),         # second player, vertical in column 7
])
def test_four_in_a_row_ends_the_game(game, moves, winner):
    before = game.state_from_text(moves[:-1])
    assert not before.is_terminal()
    s = game.state_from_text(moves)
    assert s.is_terminal() and s.won
    assert s.returns().tolist() == ([1.0, -1.0] if winner == 0 else [-1.0, 1.0])
    assert not s.legal_mask().any()
    with pytest.raises(IllegalMoveError):
        s.play(0)


def test_full_board_is_a_draw(game):
    s = game.state_from_text("446323116125713546635334125521577677446722")  # a random game that filled the board
    assert s.moves == 42 and s.is_terminal() and not s.won
    assert s.returns().tolist() == [0.0, 0.0]


def test_full_column_and_bad_notation(game):
    s = game.state_from_text("444444")
    assert s.legal_mask().tolist() == [True, True, True, False, True, True, True]
    with pytest.raises(IllegalMoveError):
        s.play(3)
    with pytest.raises(IllegalMoveError, match="move 7"):
        game.state_from_text("4444444")
    for bad in ("448", "40", "4a", "4-5"):
        with pytest.raises(NotationError):
            game.state_from_text(bad)
    assert game.state_from_text(" 4 4 ") == game.state_from_text("44")


def test_bitboards_are_pons_layout(game):
    s = game.state_from_text("41")  # first player on d1 (bit 21), second on a1 (bit 0); first to move
    assert s.mask == (1 << 21) | 1 and s.position == 1 << 21
    assert s.key() == s.position + s.mask
    assert ConnectFourState.from_bitboards(s.position, s.mask) == s


def test_mirror(game):
    s = game.state_from_text("1123")
    m = s.transform(1)
    assert m == game.state_from_text("7765")
    assert mirror_bits(mirror_bits(s.mask)) == s.mask
    assert (game.transform_observation(s.encode(), 1) == m.encode()).all()


def test_has_four_rejects_lines_that_wrap_columns():
    column_top_and_next_bottom = (0b111 << 3) | (1 << 7)  # rows 3-5 of column 0 and row 0 of column 1
    assert not has_four(column_top_and_next_bottom)


def test_evaluation_range_sign_and_symmetry(game):
    rng = np.random.default_rng(0)
    for _ in range(30):
        s = game.initial_state()
        for _ in range(int(rng.integers(0, 30))):
            if s.is_terminal():
                break
            s = s.play(int(rng.choice(s.legal_actions())))
        v = heuristic.evaluate(s)
        assert -1.0 <= v <= 1.0
        assert v == pytest.approx(heuristic.evaluate(s.transform(1)))
    assert heuristic.evaluate(game.state_from_text("1212123")) > 0.9  # second player can win at once
    assert heuristic.evaluate(game.state_from_text("1212121")) == -1.0  # first player has won
    centre, edge = game.state_from_text("4"), game.state_from_text("1")
    assert heuristic.evaluate(centre) < heuristic.evaluate(edge)  # the opponent holds the centre: worse
