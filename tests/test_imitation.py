"""Imitation: the record readers (SGF, PGN, JSONL), the human-like demonstrator, the supervised policy
(learning, symmetries, resume) and the `demonstrate` / `imitate` commands."""

import json
from pathlib import Path

import numpy as np
import pytest

from move37 import agents, games
from move37.arena.records import GameRecord, write_records
from move37.cli import main
from move37.errors import NotationError, RunFolderError
from move37.imitation import imitation_config, read_demonstrations, split_games, train_imitation
from move37.imitation.supervised import symmetric, to_examples
from move37.nets import load_net

DATA = Path(__file__).parent / "data" / "imitation"
TINY = {"epochs": 2, "net": {"kind": "mlp", "hidden": [16]}, "batch_size": 32}


def test_sgf_record_replays_gnugo_game_with_result():
    go = games.make("go:size=9")
    [demo] = read_demonstrations(go, [DATA / "gnugo-level1.sgf"])
    assert len(demo.actions) == 31 and demo.returns == (1.0, -1.0)  # RE[B+7.5]
    assert demo.states[0] == go.initial_state()
    assert demo.states[1] == go.initial_state().play(demo.actions[0])
    assert demo.actions[-1] == go.pass_action


def test_pgn_file_gives_every_game_with_results():
    chess = games.make("chess")
    demos = read_demonstrations(chess, [DATA / "stockfish-skill3.pgn"])
    assert [d.returns for d in demos] == [(1.0, -1.0), (-1.0, 1.0)]
    assert len(demos[0].actions) == 65  # 33. Qg7# by White
    final = demos[0].states[-1].play(demos[0].actions[-1])
    assert final.is_terminal() and final.returns()[0] == 1.0


def test_jsonl_skips_opening_plies(tmp_path):
    c4 = games.make("connect4")
    path = tmp_path / "r.jsonl"
    write_records(path, [GameRecord("connect4", ("a", "b"), "44", "4455", (0.0, 0.0))])
    [demo] = read_demonstrations(c4, [path])
    assert demo.actions == (4, 4) and demo.states[0] == c4.state_from_moves("44")


def test_wrong_game_and_format_are_one_line_errors(tmp_path):
    with pytest.raises(NotationError, match="not othello"):
        read_demonstrations(games.make("othello:size=6"), [DATA / "humanlike-connect4.jsonl"])
    with pytest.raises(NotationError, match="SGF records are Go"):
        read_demonstrations(games.make("connect4"), [DATA / "gnugo-level1.sgf"])
    bad = tmp_path / "x.txt"
    bad.write_text("hello")
    with pytest.raises(NotationError, match="unknown record format"):
        read_demonstrations(games.make("connect4"), [bad])


def test_split_holds_out_whole_games():
    train, held = split_games(list(range(10)), 0.2, seed=3)
    assert len(held) == 2 and sorted(train + held) == list(range(10))


def test_humanlike_prefers_better_moves_and_takes_wins():
    c4 = games.make("connect4")
    state = c4.state_from_moves("112233")  # 4 wins for the mover
    greedy = agents.make("humanlike:depth=2,temperature=0", c4)
    assert greedy.act(state) == 3
    noisy = agents.make("humanlike:depth=2,temperature=0.1", c4).analyse(c4.state_from_moves("44"))
    assert noisy.policy.sum() == pytest.approx(1.0) and noisy.policy.min() >= 0
    hot = agents.make("humanlike:depth=2,temperature=100", c4).analyse(c4.state_from_moves("44"))
    assert noisy.policy.max() > hot.policy.max()  # colder is more decided


def test_symmetric_examples_match_transformed_states():
    c4 = games.make("connect4")
    ex = to_examples(c4, [read_demonstrations(c4, [DATA / "humanlike-connect4.jsonl"])[0]])
    mirrored = symmetric(c4, ex, 1)
    perm = c4.action_permutation(1)
    for i in range(5):
        assert mirrored.action[i] == perm[ex.action[i]]
        assert mirrored.mask[i][perm].tolist() == ex.mask[i].tolist()
    state = c4.state_from_moves("123")
    assert np.array_equal(c4.transform_observation(state.encode(), 1), state.transform(1).encode())


def _rule_records(path, n=60):
    """Tic-tac-toe games after two random plies where both sides always take the lowest free cell: a rule
    an imitation policy can learn exactly."""
    ttt, rng, out = games.make("tictactoe"), np.random.default_rng(0), []
    for _ in range(n):
        state, moves = ttt.initial_state(), []
        while not state.is_terminal():
            legal = state.legal_actions()
            a = int(rng.choice(legal)) if len(moves) < 2 else int(legal[0])
            moves.append(ttt.action_to_text(state, a))
            state = state.play(a)
        opening = ttt.join_moves(moves[:2])
        out.append(GameRecord("tictactoe", ("rule", "rule"), opening, ttt.join_moves(moves),
                              tuple(state.returns().tolist())))
    write_records(path, out)


def test_imitation_learns_a_rule_and_resumes(tmp_path, one_thread):
    ttt = games.make("tictactoe")
    _rule_records(tmp_path / "rule.jsonl")
    demos = read_demonstrations(ttt, [tmp_path / "rule.jsonl"])
    cfg = imitation_config("tictactoe", {**TINY, "epochs": 3, "lr": 0.01, "symmetries": False})
    train_imitation(ttt, "tictactoe", demos, tmp_path / "run", cfg, records=["rule.jsonl"])
    cfg = imitation_config("tictactoe", {**TINY, "epochs": 25, "lr": 0.01, "symmetries": False})
    row = train_imitation(ttt, "tictactoe", demos, tmp_path / "run", cfg, records=["rule.jsonl"])
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == list(range(1, 26))  # resumed after epoch 3, no row twice
    assert row["held_top1"] > 0.9
    net = load_net(tmp_path / "run" / "policy.safetensors", "tictactoe")
    assert net.num_actions == 9 and (tmp_path / "run" / "plots" / "imitation.png").stat().st_size > 0
    with pytest.raises(RunFolderError, match="same game and records"):
        train_imitation(ttt, "tictactoe", demos, tmp_path / "run", cfg, records=["other.jsonl"])


def test_demonstrate_then_imitate_commands(tmp_path, capsys, one_thread):
    records = tmp_path / "d.jsonl"
    assert main(["demonstrate", "connect4", "--agent", "humanlike:depth=1", "--games", "3", "--out", str(records)]) == 0
    assert main(["demonstrate", "connect4", "--agent", "humanlike:depth=1", "--games", "5", "--out", str(records)]) == 0
    assert len(records.read_text().splitlines()) == 5  # the second run added only the missing games
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(TINY))
    assert main(["imitate", "connect4", "--records", str(records), "--out", str(tmp_path / "run"),
                 "--config", str(cfg), "--json"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["epoch"] == 2 and 0 <= row["held_top1"] <= 1
    assert main(["imitate", "connect4", "--records", str(DATA / "gnugo-level1.sgf"), "--out", str(tmp_path / "x")]) == 2
    assert "SGF records are Go" in capsys.readouterr().err
