"""The arena: reproducible games, colour alternation, openings, Elo MLE, JSONL records."""

import json

import numpy as np
import pytest

from move37 import agents, games
from move37.arena import (
    GameRecord,
    RecordWriter,
    balanced_openings,
    fit_elo,
    head_to_head,
    play_game,
    play_match,
    read_records,
    results_from_records,
    round_robin,
    write_records,
)
from move37.errors import RunFolderError

TTT = games.make("tictactoe")


def test_games_are_reproducible_and_replay():
    pair = [agents.make("mcts:sims=30", TTT), agents.make("random", TTT)]
    a = play_game(TTT, pair, "b2", seed=11)
    b = play_game(TTT, pair, "b2", seed=11)
    assert (a.moves, a.result) == (b.moves, b.result)
    assert a.moves.startswith("b2") and a.opening == "b2"
    final = TTT.state_from_moves(a.moves)
    assert final.is_terminal() and tuple(final.returns()) == a.result
    assert a.plies == len(TTT.split_moves(a.moves))


def test_match_alternates_colours_and_openings():
    x, y = agents.make("random", TTT), agents.make("random:seed=1", TTT)
    x.spec, y.spec = "x", "y"
    records = play_match(TTT, x, y, 6, openings=["a1", "c3", "b2"], seed=0)
    assert [r.players for r in records] == [("x", "y"), ("y", "x")] * 3
    assert [r.opening for r in records] == ["a1", "a1", "c3", "c3", "b2", "b2"]


def test_openings_are_vetted_by_the_solver_when_there_is_one():
    ops = balanced_openings(TTT, plies=2)
    assert ops.moves and len(ops.moves) == len(ops.scores)
    if ops.filtered:  # tic-tac-toe's solver scores every kept opening as a draw
        assert all(s == 0 for s in ops.scores) and len(ops.moves) < 72
    else:
        assert len(ops.moves) == 72
    assert len(balanced_openings(TTT, plies=2, count=5, seed=1).moves) == 5


def _synthetic(true: dict[str, float], games_per_pair: int, seed: int) -> list[tuple[str, str, float]]:
    """Results drawn from the Elo model, with a third of the expected score given as draws."""
    rng = np.random.default_rng(seed)
    names, out = list(true), []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p = 1 / (1 + 10 ** (-(true[a] - true[b]) / 400))
            for _ in range(games_per_pair):
                u = rng.random()
                draw = 0.3 * min(p, 1 - p)  # keeps the expected score equal to p
                s = 0.5 if u < 2 * draw else 1.0 if u < 2 * draw + (p - draw) else 0.0
                out.append((a, b, s))
    return out


def test_elo_recovers_known_ratings():
    true = {"random": 0.0, "b": 150.0, "c": 300.0, "d": 500.0}
    ratings = {r.name: r for r in fit_elo(_synthetic(true, 1500, seed=4), prior_draws=0)}
    assert ratings["random"].elo == 0.0 and ratings["random"].low == ratings["random"].high == 0.0
    for name, elo in true.items():
        r = ratings[name]
        assert r.low <= r.elo <= r.high
        assert abs(r.elo - elo) < 40, (name, r)
        if name != "random":
            assert r.high - r.low < 100
    assert [r.name for r in fit_elo(_synthetic(true, 200, seed=5))] == ["d", "c", "b", "random"]


def test_elo_is_finite_with_perfect_scores_and_counts_results():
    results = [("random", "strong", 0.0)] * 10 + [("strong", "mid", 1.0)] * 6 + [("mid", "random", 0.5)] * 4
    ratings = {r.name: r for r in fit_elo(results)}
    strong = ratings["strong"]
    assert np.isfinite(strong.elo) and strong.elo > ratings["mid"].elo > ratings["random"].elo == 0.0
    assert (strong.wins, strong.draws, strong.losses, strong.games) == (16, 0, 0, 16)
    assert (ratings["mid"].wins, ratings["mid"].draws, ratings["mid"].losses) == (0, 4, 6)


def test_records_round_trip(tmp_path):
    pair = [agents.make("random", TTT), agents.make("alphabeta:depth=2", TTT)]
    records = play_match(TTT, *pair, 4, openings=["a1", "b2"], seed=2)
    path = tmp_path / "games.jsonl"
    write_records(path, records)
    assert read_records(path) == records
    with RecordWriter(path) as w:  # appends
        w.write(records[0])
    assert read_records(path) == records + records[:1]
    assert json.loads(path.read_text().splitlines()[0])["game"] == "tictactoe"


def test_torn_last_line_is_skipped_but_damage_elsewhere_is_reported(tmp_path):
    rec = GameRecord("tictactoe", ("a", "b"), "", "a1b1a2b2a3", (1.0, -1.0), seed=0, plies=5)
    path = tmp_path / "games.jsonl"
    path.write_text(rec.to_json() + "\n" + rec.to_json()[:20])
    assert read_records(path) == [rec]
    with RecordWriter(path) as w:  # appending after a crash cuts the torn line first
        w.write(rec)
    assert read_records(path) == [rec, rec]
    path.write_text(rec.to_json()[:20] + "\n" + rec.to_json() + "\n")
    with pytest.raises(RunFolderError, match="line 1"):
        read_records(path)


def test_round_robin_plays_every_pair_and_writes_records(tmp_path):
    specs = ["random", "alphabeta:depth=1", "mcts:sims=20"]
    path = tmp_path / "rr.jsonl"
    records = round_robin(TTT, specs, 4, ["a1", "b2"], seed=3, records=path, progress=False)
    assert len(records) == 12 and read_records(path) == records
    pairs = {frozenset(r.players) for r in records}
    assert len(pairs) == 3
    again = round_robin(TTT, specs, 4, ["a1", "b2"], seed=3, progress=False)
    assert [r.moves for r in again] == [r.moves for r in records]
    ratings = fit_elo(results_from_records(records))
    assert sum(r.games for r in ratings) == 24


def test_openings_fall_back_to_unvetted_beyond_the_solver():
    othello = games.make("othello")  # its endgame solver refuses positions with 58 empty squares
    ops = balanced_openings(othello, plies=2, count=3, seed=1)
    assert not ops.filtered and ops.scores == (None, None, None) and len(set(ops.moves)) == 3
    for text in ops.moves:
        assert len(othello.split_moves(text)) == 2


def test_head_to_head_counts_both_ways():
    table = head_to_head([("a", "b", 1.0), ("b", "a", 0.5), ("a", "c", 0.0)])
    assert table["a", "b"] == (1.5, 2) and table["b", "a"] == (0.5, 2)
    assert table["c", "a"] == (1.0, 1) and ("b", "c") not in table


def test_an_interrupted_round_robin_resumes_without_replaying(tmp_path):
    specs = ["random", "alphabeta:depth=2", "mcts:sims=20"]
    full = round_robin(TTT, specs, 4, ["a1", "b2"], seed=6, progress=False)
    path = tmp_path / "rr.jsonl"
    write_records(path, full[:5])
    with open(path, "a") as f:
        f.write(full[5].to_json()[:30])  # the crash hit while writing game 6
    resumed = round_robin(TTT, specs, 4, ["a1", "b2"], seed=6, records=path, progress=False, resume=True)
    assert [r.moves for r in resumed] == [r.moves for r in full]
    assert read_records(path) == resumed and len(path.read_text().splitlines()) == 12
