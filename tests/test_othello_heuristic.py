"""The hand-made Othello evaluation used by alpha-beta."""

import numpy as np

from move37 import agents, games
from move37.games.othello import OthelloState
from move37.search.heuristics.othello import evaluate


def random_states(game, games_count: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(games_count):
        s = game.initial_state()
        while not s.is_terminal():
            yield s
            s = s.play(int(rng.choice(s.legal_actions())))
        yield s


def test_values_in_range_and_antisymmetric():
    for spec in ("othello", "othello:size=6"):
        game = games.make(spec)
        assert evaluate(game.initial_state()) == 0.0
        for s in random_states(game, 3, seed=1):
            v = evaluate(s)
            if s.is_terminal():
                assert v == np.sign(s.disc_difference() * (1 if s.current_player == 0 else -1))
                continue
            assert -1.0 < v < 1.0
            # The same board with the colours swapped is as good for the other side.
            swapped = OthelloState(game, s.white, s.black, s.current_player)
            assert abs(evaluate(swapped) + v) < 1e-12


def test_corners_are_good_and_x_squares_bad():
    game = games.make("othello")
    base = "-" * 27 + "OX------XO" + "-" * 27  # the start position's centre
    corner = game.state_from_text("X" + base[1:] + " X")
    x_square = game.state_from_text(base[:9] + "X" + base[10:] + " X")
    assert evaluate(corner) > 0.2 > evaluate(game.state_from_text(base + " X")) > evaluate(x_square)


def test_alphabeta_with_the_evaluation_beats_random():
    game = games.make("othello:size=6")
    wins = 0
    for g in range(4):
        players = [agents.make("alphabeta:depth=2", game=game), agents.make("random", game=game)]
        players[1].reset(seed=g)
        s, me = game.initial_state(), g % 2  # alternate colours
        while not s.is_terminal():
            turn = players[0] if s.current_player == me else players[1]
            s = s.play(turn.act(s))
        wins += s.returns()[me] > 0
    assert wins >= 3
