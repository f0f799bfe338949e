"""UCI: the engine side (`move37 uci`) and UCI programs as agents (`uci:stockfish,...`)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time

import pytest

from move37 import agents, games
from move37.agents.base import Analysis
from move37.agents.process import EngineError
from move37.errors import SpecError


chess = pytest.importorskip("chess")
from move37.games.chess import action_from_uci, uci_text  # noqa: E402
from move37.protocols.uci import UciEngine, score_words  # noqa: E402

STOCKFISH = shutil.which("stockfish") or shutil.which("stockfish", path="/usr/games")
needs_stockfish = pytest.mark.skipif(STOCKFISH is None, reason="stockfish not installed (scripts/system-deps.sh)")
FOOLS_MATE = "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"


def engine(agent: str = "random:seed=1") -> tuple[UciEngine, list[str], io.StringIO]:
    out, log = [], io.StringIO()
    return UciEngine(agent, out=out.append, log=log), out, log


def fen(state) -> str:
    return state.game.state_to_text(state)


def test_handshake_and_isready():
    e, out, _ = engine()
    e.handle("uci")
    assert out[0].startswith("id name move37") and out[1].startswith("id author") and out[-1] == "uciok"
    assert any(line.startswith("option name Agent type string") for line in out)
    out.clear()
    e.handle("isready")
    assert out == ["readyok"]


def test_position_startpos_and_fen_with_moves():
    e, out, log = engine()
    e.handle("position startpos moves e2e4 e7e5 g1f3")
    board = chess.Board()
    for m in ("e2e4", "e7e5", "g1f3"):
        board.push_uci(m)
    assert chess.Board(fen(e.state)).board_fen() == board.board_fen() and not chess.Board(fen(e.state)).turn
    e.handle(f"position fen {FOOLS_MATE.replace(' w ', ' w ')}")
    assert chess.Board(fen(e.state)).is_checkmate() and e.state.is_terminal()
    before = fen(e.state)
    for bad in ("position fen not/a/fen w - - 0 1", "position startpos moves e2e5", "position startpos moves zz",
                "position", "position sideways"):
        e.handle(bad)
        assert fen(e.state) == before, bad  # ignored: the position is unchanged
    assert log.getvalue().count("ignored") == 5 and out == []  # logged, never answered


def test_go_answers_a_legal_bestmove_with_an_info_line():
    e, out, _ = engine("mcts:sims=1000")
    e.handle("position startpos moves e2e4")
    e.handle("go nodes 30")  # nodes are the UCT agent's simulations
    e.wait(60)
    info, best = out[-2], out[-1]
    assert info.startswith("info depth") and " nodes 30 " in info and " pv " in info and " score cp " in info
    move = best.split()[1]
    board = chess.Board()
    board.push_uci("e2e4")
    assert chess.Move.from_uci(move) in board.legal_moves
    assert info.split(" pv ")[1].split()[0] == move


def test_go_infinite_waits_for_stop_and_isready_is_answered_meanwhile():
    e, out, _ = engine()
    e.handle("position startpos")
    e.handle("go infinite")
    time.sleep(0.2)
    assert not any(line.startswith("bestmove") for line in out) and e.searching
    e.handle("isready")
    assert out[-1] == "readyok"
    e.handle("go movetime 10")  # refused while searching, logged
    e.handle("stop")
    e.wait(10)
    assert out[-1].startswith("bestmove") and not e.searching


def test_mated_position_answers_null_move():
    e, out, _ = engine()
    e.handle(f"position fen {FOOLS_MATE}")
    e.handle("go movetime 10")
    e.wait(10)
    assert out[-1] == "bestmove 0000"


def test_scores_in_centipawns_and_mate_distances():
    game = games.make("chess")
    start = game.initial_state()
    assert score_words(start, Analysis(action=0, value=0.0)) == "score cp 0"
    cp = int(score_words(start, Analysis(action=0, value=0.5)).split()[-1])
    assert 80 < cp < 100  # Lc0's mapping: v = 0.5 is about 90 cp
    before_mate = game.state_from_text("rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2")
    mate = action_from_uci(before_mate, "d8h4")
    assert uci_text(before_mate, mate) == "d8h4"
    assert score_words(before_mate, Analysis(action=mate, value=1.0, pv=(mate,))) == "score mate 1"
    setup = game.state_from_text("rnbqkbnr/pppp1ppp/8/4p3/8/5P2/PPPPP1PP/RNBQKBNR w KQkq - 0 2")
    g4 = action_from_uci(setup, "g2g4")
    assert score_words(setup, Analysis(action=g4, value=-1.0, pv=(g4, mate))) == "score mate -1"


def test_setoption_switches_the_agent_and_bad_options_are_logged():
    e, out, log = engine()
    e.handle("setoption name Agent value mcts:sims=5")
    assert e.agent_spec == "mcts:sims=5"
    e.handle("setoption name Hash value 64")
    e.handle("setoption name Agent value nosuchagent")
    assert e.agent_spec == "mcts:sims=5" and log.getvalue().count("ignored") == 2


@pytest.mark.parametrize("spec", ['uci:"touch {marker}"', 'xboard:"touch {marker}"', 'gtp:"touch {marker}"', "human",
                                  "mcts:sims=1000000", "alphabeta:tt_size=4194304"])
def test_setoption_refuses_programs_terminals_and_options_beyond_the_outside_bounds(tmp_path, spec):
    e, out, log = engine("mcts:sims=5")
    e.handle(f"setoption name Agent value {spec.format(marker=tmp_path / 'ran')}")
    assert e.agent_spec == "mcts:sims=5" and "ignored" in log.getvalue()
    assert out and out[-1].startswith("info string Agent ") and out[-1].endswith("; still mcts:sims=5")
    assert not (tmp_path / "ran").exists()  # no program started


def test_uci_command_takes_allow_engines():
    from move37.cli import build_parser

    assert not build_parser().parse_args(["uci", "--agent", "random"]).allow_engines
    assert build_parser().parse_args(["uci", "--agent", "random", "--allow-engines"]).allow_engines


def test_setoption_admits_programs_with_allow_engines(monkeypatch):
    from fake_agents import SpawningAgent

    monkeypatch.setitem(agents.AGENTS.entries, "spawner", "fake_agents:SpawningAgent")
    SpawningAgent.built = 0
    e, out, log = engine()
    e.handle("setoption name Agent value spawner")
    assert e.agent_spec == "random:seed=1" and SpawningAgent.built == 0
    e.engines = True
    e.handle("setoption name Agent value spawner")
    assert e.agent_spec == "spawner" and SpawningAgent.built == 1


def test_go_limits_beyond_their_bounds_are_clamped_and_named():
    e, out, _ = engine("mcts:sims=5")
    e.handle("position startpos")
    e.handle("go nodes 999999999 movetime 20")  # 10^9 simulations: clamped, and movetime ends it
    e.wait(60)
    assert "info string limits beyond their bounds clamped to nodes 1000000" in out
    assert out[-1].startswith("bestmove ")
    assert e._budgeted and all("sims=1000000,ms=20" in spec for spec in e._budgeted)


def test_uci_subprocess_round_trip():
    script = "uci\nisready\nucinewgame\nposition startpos moves d2d4\nbogus line\ngo movetime 50\n"
    proc = subprocess.run([sys.executable, "-m", "move37.cli", "uci", "--agent", "random"], input=script,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "uciok" in lines and "readyok" in lines and lines[-1].startswith("bestmove ")
    assert "unknown command ignored: 'bogus line'" in proc.stderr


def play_out(game, first, second, plies: int):
    state = game.initial_state()
    for _ in range(plies):
        if state.is_terminal():
            break
        agent = first if state.current_player == 0 else second
        action = agent.act(state)
        assert state.legal_mask()[action]
        state = state.play(action)
    return state


def test_uci_agent_drives_a_move37_engine_process():
    game = games.make("chess")
    agent = agents.make(f'uci:"{sys.executable} -m move37.cli uci --agent random",movetime=20', game)
    try:
        play_out(game, agent, agents.make("random", game), 12)
    finally:
        agent.close()
    assert not agent._engine.alive


def test_uci_agent_spec_errors():
    game = games.make("chess")
    with pytest.raises(SpecError, match="not found"):
        agents.make("uci:no-such-engine-move37", game)
    with pytest.raises(SpecError):
        agents.make("uci:stockfish,skill=x", game)
    with pytest.raises(SpecError, match="plays chess"):
        agents.make("uci:stockfish", games.make("tictactoe"))


@needs_stockfish
def test_stockfish_as_an_agent():
    game = games.make("chess")
    agent = agents.make("uci:stockfish,skill=0,movetime=20", game)
    try:
        mate_in_one = game.state_from_text("rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2")
        analysis = agent.analyse(mate_in_one)
        strong = agents.make("uci:stockfish,depth=6", game)
        try:
            best = strong.analyse(mate_in_one)
        finally:
            strong.close()
        assert uci_text(mate_in_one, best.action) == "d8h4" and best.value == 1.0 and best.depth >= 1
        assert mate_in_one.legal_mask()[analysis.action]
        play_out(game, agent, agents.make("random", game), 10)
    finally:
        agent.close()
    assert not agent._engine.alive


FAIRYMAX = shutil.which("fairymax") or shutil.which("fairymax", path="/usr/games")


@pytest.mark.skipif(FAIRYMAX is None, reason="fairymax not installed (scripts/system-deps.sh)")
def test_fairymax_as_an_xboard_agent():
    game = games.make("chess")
    agent = agents.make("xboard:fairymax,depth=2", game)
    try:
        # A position it has not followed: it catches up by replaying the game from the start.
        state = game.state_from_text("e2e4 e7e5 g1f3")
        action = agent.act(state)
        assert state.legal_mask()[action]
        mate_in_one = game.state_from_text("f2f3 e7e5 g2g4")
        assert uci_text(mate_in_one, agent.act(mate_in_one)) == "d8h4"
        with pytest.raises(EngineError, match="setboard"):
            agent.act(game.state_from_text("8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"))
    finally:
        agent.close()
    assert not agent._engine.alive
