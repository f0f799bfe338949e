"""Learning from zero: tic-tac-toe self-play reaches perfect play (never loses to the exact solver)."""

import json

import pytest

from move37 import agents, arena, games
from move37.errors import SpecError
from move37.train.loop import train


def test_tictactoe_from_zero_never_loses_to_the_solver(tmp_path):
    game = games.make("tictactoe")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"eval": {"every": 0, "elo_every": 0}}))  # the preset otherwise
    run = tmp_path / "run"
    last = train("tictactoe", run, iterations=20, config_path=config, progress=False)
    assert last["games"] == 640
    zero = agents.make(f"zero:{run},sims=32", game)
    solver = agents.make("solver", game)  # picks at random among the optimal moves
    records = arena.play_match(game, zero, solver, games=12, seed=3)  # colours alternate
    assert len({r.moves for r in records}) > 2  # the solver's choices vary the games
    for r in records:
        assert r.score(r.players.index(zero.spec)) >= 0.5, f"lost {r.moves}"
    # the raw policy alone is usable as a player too
    raw = agents.make(f"zero:{run},sims=0", game)
    assert arena.play_game(game, [raw, solver]).plies >= 5


def test_zero_spec_errors(tmp_path):
    game = games.make("tictactoe")
    with pytest.raises(SpecError, match="no such network"):
        agents.make(f"zero:{tmp_path / 'missing.safetensors'}", game)
    with pytest.raises(SpecError, match="expected one of"):
        agents.make(f"zero:{tmp_path},search=alphabeta", game)
    with pytest.raises(SpecError, match="no checkpoint"):
        agents.make(f"zero:{tmp_path}", game)
