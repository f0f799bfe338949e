"""GTP: the engine side (`move37 gtp`) and GTP programs as agents (`gtp:"gnugo ..."`)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from move37 import agents, games
from move37.agents.process import EngineError
from move37.errors import SpecError
from move37.games import boards
from move37.protocols.gtp import GtpEngine

GNUGO = shutil.which("gnugo") or shutil.which("gnugo", path="/usr/games")
needs_gnugo = pytest.mark.skipif(GNUGO is None, reason="gnugo not installed (scripts/system-deps.sh installs it)")
SELF_ENGINE = f'"{sys.executable} -m move37.cli gtp --agent random --game {{game}}"'


def run(engine: GtpEngine, *lines: str) -> list[str]:
    return [engine.handle(line) for line in lines]


def ok(reply: str) -> str:
    assert reply.startswith("=") and reply.endswith("\n\n"), reply
    return reply[1:].strip()


def test_ids_are_echoed_and_failures_keep_the_engine_running():
    e = GtpEngine("random", "go")
    assert e.handle("7 protocol_version") == "=7 2\n\n"
    assert e.handle("8 frobnicate") == "?8 unknown command\n\n"
    assert e.handle("9 play black Z99").startswith("?9 ")
    assert e.handle("name") == "= move37\n\n"
    assert e.handle("   ") is None and e.handle("# a comment") is None
    assert e.handle("1\x07 name # trailing comment") == "=1 move37\n\n"  # control characters dropped
    assert e.handle("\tknown_command\tgenmove") == "= true\n\n"
    assert e.handle("known_command frobnicate") == "= false\n\n"
    listed = set(ok(e.handle("list_commands")).split("\n"))
    assert {"protocol_version", "name", "version", "known_command", "list_commands", "quit", "boardsize",
            "clear_board", "komi", "play", "genmove", "undo", "final_score", "showboard", "time_settings",
            "time_left"} <= listed
    assert not e.quit
    assert e.handle("3 quit") == "=3 \n\n" and e.quit


def test_go_play_genmove_undo_and_score():
    e = GtpEngine("random", "go")
    assert run(e, "boardsize 9", "clear_board", "komi 6.5") == ["= \n\n"] * 3
    assert ok(e.handle("play B D4")) == ""
    assert e.handle("play b e5").startswith("? illegal move")  # white's turn
    assert e.handle("play w D4") == "? illegal move\n\n"  # occupied
    reply = ok(e.handle("genmove white"))
    action = e.game.text_to_action(e.history[-1], reply)
    assert e.actions == [e.game.text_to_action(e.game.initial_state(), "D4"), action]
    assert ok(e.handle("undo")) == "" and len(e.actions) == 1
    assert run(e, "play w pass", "play b pass") == ["= \n\n"] * 2
    assert e.state.is_terminal()
    # Tromp-Taylor: Black's lone stone owns the whole board; komi goes to White.
    assert ok(e.handle("final_score")) == "B+74.5"
    assert e.handle("genmove b").startswith("? illegal move (the game is over)")
    board = ok(e.handle("showboard"))
    assert " 4 . . . X . . . . ." in board and "A B C D E F G H J" in board


def test_go_boardsize_komi_and_time_commands():
    e = GtpEngine("random", "go")
    assert e.handle("boardsize 13") == "= \n\n" and e.game.size == 13
    assert e.handle("boardsize 7") == "? unacceptable size\n\n" and e.game.size == 13
    assert e.handle("boardsize x") == "? syntax error\n\n"
    assert ok(e.handle("play b N13")) == ""  # top-right of 13x13
    assert ok(e.handle("komi 0.5")) == "" and e.game.komi == 0.5 and len(e.actions) == 1  # moves kept
    assert e.handle("komi abc") == "? syntax error\n\n"
    assert ok(e.handle("time_settings 300 30 5")) == "" and e.time_settings == (300, 30, 5)
    assert ok(e.handle("time_left white 120 0")) == "" and e.time_left[1] == (120, 0)
    assert e.handle("time_left purple 1 1") == "? invalid color\n\n"
    assert e.handle("final_score") == "= B+168.5\n\n"  # scores the board as it stands


def test_tictactoe_vertices_put_a1_at_the_bottom_left():
    e = GtpEngine("random", "tictactoe")
    assert ok(e.handle("play b A1")) == ""
    assert e.game.action_to_text(e.history[0], e.actions[0]) == "a3"  # the game's notation counts from the top
    assert e.handle("play w pass").startswith("? illegal move (no pass")
    for line in ("play w B1", "play b A2", "play w C1", "play b A3"):
        assert ok(e.handle(line)) == "", line
    assert e.state.is_terminal() and ok(e.handle("final_score")) == "B+"


def test_connect4_drops_in_the_column_and_genmove_names_the_landing_cell():
    e = GtpEngine("random", "connect4")
    assert ok(e.handle("boardsize 7")) == ""
    assert ok(e.handle("play b D6")) == ""  # any vertex of column D drops there
    assert e.actions == [3]
    assert boards.stones(e.state)[5, 3] == 1  # bottom row
    vertex = ok(e.handle("genmove w"))
    col = boards.GTP_LETTERS.index(vertex[0])
    expected_row = "2" if col == 3 else "1"
    assert vertex[1:] == expected_row and e.actions[-1] == col


def test_othello_boardsize_6_and_scores_by_discs():
    e = GtpEngine("random", "othello")
    assert ok(e.handle("boardsize 6")) == "" and e.game.size == 6
    while not e.state.is_terminal():
        color = "b" if e.state.current_player == 0 else "w"
        assert ok(e.handle(f"genmove {color}"))
    score = ok(e.handle("final_score"))
    diff = e.state.disc_difference() * (1 if e.state.current_player == 0 else -1)
    assert score == ("0" if diff == 0 else f"{'B' if diff > 0 else 'W'}+{abs(diff)}")


def test_chess_is_refused_as_a_gtp_game():
    with pytest.raises(SpecError):
        GtpEngine("random", "chess")


def test_engine_subprocess_round_trip():
    script = "1 boardsize 9\n2 play b E5\n3 genmove w\nbogus\n4 showboard\n5 quit\nname\n"
    proc = subprocess.run([sys.executable, "-m", "move37.cli", "gtp", "--agent", "random", "--game", "go"],
                          input=script, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    replies = proc.stdout.split("\n\n")[:-1]
    assert [r[:2] for r in replies] == ["=1", "=2", "=3", "? ", "=4", "=5"]  # nothing after quit


def test_gtp_agent_plays_a_move37_engine_process():
    game = games.make("connect4")
    agent = agents.make(f"gtp:{SELF_ENGINE.format(game='connect4')}", game)
    opponent = agents.make("random:seed=3", game)
    state = game.initial_state()
    try:
        while not state.is_terminal():
            state = state.play((agent if state.current_player == 0 else opponent).act(state))
        agent.reset()  # a fresh game on the same process
        assert game.initial_state().legal_mask()[agent.act(game.initial_state())]
    finally:
        agent.close()
    assert not agent._engine.alive


def test_gtp_agent_errors(tmp_path):
    game = games.make("tictactoe")
    with pytest.raises(SpecError, match="not found"):
        agents.make('gtp:"no-such-engine-move37 --gtp"', game)
    with pytest.raises(SpecError):
        agents.make("gtp", game)  # no command
    with pytest.raises(EngineError, match="did not answer"):
        agents.make('gtp:"sleep 30",timeout=0.3', game)


@needs_gnugo
def test_gnugo_as_an_agent_on_9x9():
    game = games.make("go")
    agent = agents.make('gtp:"gnugo --mode gtp --level 1"', game)
    try:
        state = game.initial_state()
        for _ in range(6):
            action = agent.act(state)
            assert state.legal_mask()[action]
            state = state.play(action)
        # Jump to a position the engine has not followed: it is set up stone by stone.
        setup = game.state_from_moves("D4 E5 C3 pass G7")
        assert setup.legal_mask()[agent.act(setup)]
    finally:
        agent.close()
    assert not agent._engine.alive


@needs_gnugo
def test_move37_engine_answers_gnugo_style_controller_script():
    """The script a match runner sends, checked against gnugo's own replies for shape."""
    script = ["boardsize 9", "clear_board", "komi 7.5", "play b E5", "genmove w", "undo", "undo", "final_score"]
    ours = GtpEngine("random", "go")
    replies = [ours.handle(line) for line in script]
    proc = subprocess.run([GNUGO, "--mode", "gtp", "--level", "1"], input="\n".join(script) + "\nquit\n",
                          capture_output=True, text=True, timeout=60)
    theirs = proc.stdout.split("\n\n")[: len(script)]
    assert [r[0] for r in replies] == [t[0] for t in theirs]
    assert replies[-1] == "= W+7.5\n\n"  # an empty board under area scoring


def test_loadsgf_sets_up_the_record_and_its_history(tmp_path):
    record = tmp_path / "game.sgf"
    record.write_text("(;FF[4]GM[1]SZ[13]KM[0.5];B[dd];W[jj];B[dj])")
    e = GtpEngine("random", "go")
    assert e.handle(f"loadsgf {record}") == "= white\n\n"
    assert e.game.size == 13 and e.komi == 0.5 and len(e.actions) == 3
    assert e.handle(f"loadsgf {record} 2") == "= white\n\n" and len(e.actions) == 1
    assert ok(e.handle("undo")) == "" and e.handle("undo") == "? cannot undo\n\n"
    assert e.handle(f"loadsgf {tmp_path / 'missing.sgf'}").startswith("? cannot load file")
    assert GtpEngine("random", "tictactoe").handle("loadsgf x") == "? unknown command\n\n"


def test_cli_reports_bad_specs_in_one_line(capsys):
    from move37.cli import main

    assert main(["gtp", "--agent", "nosuchagent", "--game", "go"]) == 2
    assert main(["gtp", "--agent", "random", "--game", "nosuchgame"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith("move37: error: ") for line in err)
