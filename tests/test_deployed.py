"""Experience from deployment: the web page, GTP and UCI record finished games (opt-in), and `move37 train
--experience FILE` adds them to the replay once."""

import json

import numpy as np

from move37 import games
from move37.arena.records import GameRecord, GameRecorder, read_records
from move37.cli import main
from move37.protocols.gtp import GtpEngine
from move37.protocols.uci import UciEngine
from move37.protocols.web.session import Session
from move37.runs import latest_checkpoint, read_state
from move37.train.deployed import new_chunk, positions

TINY = {"games_per_iteration": 4, "selfplay": {"parallel_games": 4, "sims": 4},
        "learn": {"batch_size": 16, "window": 200, "min_positions": 20}, "eval": {"every": 0, "elo_every": 0}}


def test_gtp_records_a_finished_game_once(tmp_path):
    path = tmp_path / "games.jsonl"
    engine = GtpEngine("random", "tictactoe", record=path)
    color = ["black", "white"]
    turn = 0
    while not engine.state.is_terminal():
        if turn % 2 == 0:
            assert engine.handle(f"genmove {color[turn % 2]}").startswith("=")
        else:
            action = int(np.flatnonzero(engine.state.legal_mask())[0])
            assert engine.handle(f"play {color[turn % 2]} {engine._vertex(action)}").startswith("=")
        turn += 1
    last = engine._vertex(engine.actions[-1])
    assert engine.handle("undo").startswith("=") and engine.handle(f"play {color[(turn - 1) % 2]} {last}").startswith("=")
    (record,) = read_records(path)
    assert record.players == ("random", "gtp-opponent") and record.game == "tictactoe"
    state = games.make(record.game).state_from_moves(record.moves)
    assert state.is_terminal() and list(state.returns()) == list(record.result)
    assert GtpEngine("random", "tictactoe").handle("genmove black").startswith("=")  # no --record: nothing written


def test_web_session_records_each_finished_game(tmp_path):
    recorder = GameRecorder(tmp_path / "web.jsonl")
    session = Session.start("s1", "tictactoe", "random", 0, recorder=recorder.record)
    while not session.state.is_terminal():
        if session.state.current_player == session.human:
            session.play_human(None, int(np.flatnonzero(session.state.legal_mask())[0]))
        else:
            session.play_agent()
    (record,) = read_records(tmp_path / "web.jsonl")
    assert record.players == ("human", "random") and record.plies == len(session.actions)


def test_uci_records_the_game_the_engine_played(tmp_path):
    path = tmp_path / "uci.jsonl"
    engine = UciEngine("random", out=lambda line: None, record=path)
    engine.handle("position startpos moves f2f3 e7e5")
    engine.handle("go")
    engine.wait()
    engine.handle("position startpos moves f2f3 e7e5 g2g4 d8h4")  # the engine played white: mated
    (record,) = read_records(path)
    assert record.players == ("random", "uci-opponent") and record.result == (-1.0, 1.0)


def test_deployed_games_become_replay_positions_once(tmp_path, capsys):
    game = games.make("tictactoe")
    path = tmp_path / "games.jsonl"
    recorder = GameRecorder(path)
    recorder.record(GameRecord("tictactoe", ("human", "random"), "", "a1 b1 a2 b2 a3", (1.0, -1.0), plies=5))
    recorder.record(GameRecord("connect4", ("human", "random"), "", "4444", (0.0, 0.0), plies=4))  # another game
    arrays = positions(game, read_records(path)[0])
    assert arrays["obs"].shape == (5, *game.info.observation_shape)
    assert list(arrays["value"]) == [1.0, -1.0, 1.0, -1.0, 1.0] and (arrays["policy"].sum(1) == 1).all()
    name, chunk, used = new_chunk(game, path, 0)
    assert used == 2 and len(chunk["value"]) == 5 and new_chunk(game, path, 2)[1] is None
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    out = tmp_path / "run"
    assert main(["train", "tictactoe", "--out", str(out), "--iterations", "1", "--config", str(config),
                 "--experience", str(path)]) == 0
    state = read_state(latest_checkpoint(out))
    assert state["deployed"] == 2 and any(c.startswith("deployed_000000_000002") for c in state["chunks"])
    assert main(["train", "tictactoe", "--out", str(out), "--iterations", "2", "--experience",
                 str(tmp_path / "none.jsonl")]) == 2
