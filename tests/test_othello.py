"""Othello rules, notation and the .obf position format (8x8 and 6x6)."""

import numpy as np
import pytest

from move37 import data, games
from move37.errors import IllegalMoveError, NotationError, SpecError


def texts(game, state):
    return sorted(game.action_to_text(state, int(a)) for a in state.legal_actions())


def board_text(squares: dict[str, str], side: str, n: int = 8) -> str:
    """An .obf board with the given squares ("a1": "X") filled, the rest empty."""
    cells = ["-"] * (n * n)
    for sq, c in squares.items():
        cells[(int(sq[1]) - 1) * n + "abcdefgh".index(sq[0])] = c
    return "".join(cells) + " " + side


def test_start_position_and_first_replies():
    g = games.make("othello")
    s = g.initial_state()
    assert s.current_player == 0 and not s.is_terminal()
    assert texts(g, s) == ["c4", "d3", "e6", "f5"]
    assert g.text_to_action(s, "f5") == 4 * 8 + 5 and g.text_to_action(s, "A1") == 0
    s = s.play_text("f5")  # black flips e5
    assert s.black.bit_count() == 4 and s.white.bit_count() == 1
    assert texts(g, s) == ["d6", "f4", "f6"]  # perpendicular, diagonal, parallel


def test_six_by_six_start():
    g = games.make("othello:size=6")
    s = g.initial_state()
    assert g.info.num_actions == 37 and g.info.observation_shape == (2, 6, 6)
    assert texts(g, s) == ["b3", "c2", "d5", "e4"]
    with pytest.raises(NotationError):
        g.text_to_action(s, "g1")  # no file g on 6x6


def test_bad_size_is_a_spec_error():
    with pytest.raises(SpecError, match="8 or 6"):
        games.make("othello:size=5")


def test_forced_pass_then_game_end():
    g = games.make("othello")
    # White to move with only b1 against black's a1: white has no move, black has c1.
    s = g.state_from_text(board_text({"a1": "X", "b1": "O"}, "O"))
    mask = s.legal_mask()
    assert mask[g.pass_action] and mask.sum() == 1 and not s.is_terminal()
    with pytest.raises(IllegalMoveError):
        s.play_text("c1")
    s = s.play_text("pass")
    assert s.current_player == 0 and texts(g, s) == ["c1"]
    s = s.play_text("c1")  # black wipes out white: nobody can move
    assert s.is_terminal() and not s.legal_mask().any()
    assert list(s.returns()) == [1.0, -1.0] and s.disc_difference() == 3


def test_terminal_outcomes_follow_disc_count():
    g = games.make("othello")
    draw = g.state_from_text("X" * 32 + "O" * 32 + " X")
    assert draw.is_terminal() and list(draw.returns()) == [0.0, 0.0]
    white = g.state_from_text("X" * 20 + "O" * 44 + " X")
    assert white.is_terminal() and list(white.returns()) == [-1.0, 1.0]
    # Neither side can move although squares are empty: the game is over.
    stuck = g.state_from_text(board_text({"a1": "X", "h8": "O", "h7": "O"}, "X"))
    assert stuck.is_terminal() and list(stuck.returns()) == [-1.0, 1.0]


def test_obf_round_trip_on_shipped_endgames():
    g = games.make("othello")
    lines = [line for line, _ in data.othello_endgames()]
    assert len(lines) >= 19
    for line in lines:
        s = g.state_from_text(line)  # the trailing "; G8:+18; ..." scores are ignored
        assert g.state_to_text(s) == line[:66]
        assert g.state_from_text(g.state_to_text(s)) == s
        assert s.current_player == "XO".index(line[65])


def test_bad_positions_and_records_are_notation_errors():
    g = games.make("othello")
    with pytest.raises(NotationError, match="64"):
        g.state_from_text("XO-" * 10 + " X")
    with pytest.raises(NotationError, match="side to move"):
        g.state_from_text("-" * 64 + " Z")
    with pytest.raises(NotationError):
        g.state_from_moves("f5z9")
    with pytest.raises(IllegalMoveError, match="move 2"):
        g.state_from_moves("f5f5")


def test_records_round_trip_with_passes():
    g = games.make("othello")
    tokens = g.split_moves("F5 d6 C3PAd3 pass")
    assert tokens == ["f5", "d6", "c3", "pass", "d3", "pass"]
    assert g.split_moves(g.join_moves(tokens)) == tokens


def test_forced_passes_may_be_omitted_from_records():
    """Replay random games, then replay them again with every pass left out."""
    g = games.make("othello:size=6")
    rng = np.random.default_rng(3)
    passes_seen = 0
    for _ in range(30):
        s, moves = g.initial_state(), []
        while not s.is_terminal():
            a = int(rng.choice(s.legal_actions()))
            moves.append(g.action_to_text(s, a))
            s = s.play(a)
        passes_seen += moves.count("pass")
        assert g.state_from_moves(g.join_moves(moves)) == s
        assert g.state_from_moves(g.join_moves([m for m in moves if m != "pass"])) == s
    assert passes_seen > 0  # the check above did exercise omitted passes


def test_encode_is_from_the_movers_view():
    g = games.make("othello")
    s = g.initial_state().play_text("f5")  # white to move
    obs = s.encode()
    assert obs.shape == (2, 8, 8) and obs.dtype == np.float32
    assert obs[0].sum() == 1 and obs[1].sum() == 4  # white's one disc, black's four
    assert obs[1, 4, 5] == 1  # f5 is black's


def test_symmetries_send_pass_to_pass_and_keep_the_start():
    g = games.make("othello")
    start = g.initial_state()
    for k in range(8):
        perm = g.action_permutation(k)
        assert perm[g.pass_action] == g.pass_action
        assert sorted(perm[:64]) == list(range(64))
        image = start.transform(k)
        # The start position maps onto itself or its colour-symmetric twin; either way 4 moves.
        assert image.legal_mask().sum() == 4
        assert (image.legal_mask()[perm] == start.legal_mask()).all()
