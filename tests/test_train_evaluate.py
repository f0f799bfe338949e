"""Evaluation against solver labels: optimal (exact-score) and good (result-keeping) move rates."""

import json

import numpy as np
import pytest

from move37 import data, games, solvers
from move37.search.batched import SearchConfig
from move37.train import evaluate as ev


def test_labels_and_move_rates_on_tictactoe(tmp_path):
    game = games.make("tictactoe")
    labels = ev.solver_labels(tmp_path, game, 40)
    assert labels and (tmp_path / "labels.json").is_file()
    assert all(set(lab["best"]) <= set(lab["good"]) for lab in labels)
    solver = solvers.for_game(game)
    for lab in labels:  # tic-tac-toe's solver scores only win/draw/loss, so good moves are the optimal ones
        assert sorted(lab["good"]) == sorted(lab["best"])
    by_obs = {}
    for lab in labels:
        state = game.state_from_moves(lab["moves"])
        by_obs[state.encode().tobytes()] = solver.solve(state).best_actions[0]

    def oracle(obs, mask):  # all prior on one optimal move; unknown positions uniform
        prior = mask / mask.sum(axis=1, keepdims=True)
        for i, o in enumerate(obs):
            if o.tobytes() in by_obs:
                prior[i] = np.eye(mask.shape[1])[by_obs[o.tobytes()]]
        return prior.astype(np.float32), np.zeros(len(obs), np.float32)

    assert ev.move_rates(game, oracle, labels, 0, SearchConfig()) == {"optimal": 1.0, "good": 1.0}

    def last_legal(obs, mask):  # a fixed, mostly poor choice
        prior = np.zeros(mask.shape, np.float32)
        prior[np.arange(len(mask)), mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)] = 1
        return prior, np.zeros(len(obs), np.float32)

    rates = ev.move_rates(game, last_legal, labels, 0, SearchConfig())
    assert rates["optimal"] <= rates["good"] < 1.0
    # A second call reads the cache instead of solving again (same labels, same order).
    assert ev.solver_labels(tmp_path, game, 40) == labels


def test_connect4_labels_are_the_shipped_positions(tmp_path, monkeypatch):
    """A new run's Connect Four labels come from move37/data: nothing solved, nothing read beside the package;
    a run folder's own labels.json still wins, so a resumed run keeps measuring on its positions."""
    monkeypatch.setenv("MOVE37_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.setattr(ev.solvers, "for_game", lambda game: pytest.fail("solved instead of reading move37/data"))
    game = games.make("connect4")
    labels = ev.solver_labels(tmp_path / "run", game, 300)
    shipped = {lab["moves"]: lab for lab in data.connect4_labels()}
    assert len(labels) == 300 and all(shipped[lab["moves"]] == lab for lab in labels)
    assert labels == data.connect4_sample(300, 37) != data.connect4_sample(300, 1)
    plies = sorted(len(lab["moves"]) for lab in labels)
    assert plies[0] <= 8 and plies[-1] >= 38  # the whole game, not one stage of it
    assert json.loads((tmp_path / "run" / "labels.json").read_text())["labels"] == labels
    older = [{"moves": "4453", "best": [3], "good": [3, 4]}]
    (tmp_path / "run" / "labels.json").write_text(json.dumps({"game": "connect4", "count": 300, "seed": 37,
                                                               "labels": older}))
    assert ev.solver_labels(tmp_path / "run", game, 300) == older
