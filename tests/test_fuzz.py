"""Fuzz: thousands of random and malformed lines to the GTP and UCI engines and requests to the
web API. Nothing may crash, hang (every loop is bounded, every wait has a timeout), or answer
outside the protocol; an internal error (a bug caught by the last-resort handler) fails too."""

from __future__ import annotations

import http.client
import io
import json
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

from move37.protocols.gtp import GtpEngine, clean_line

GTP_WORDS = ["protocol_version", "name", "version", "known_command", "list_commands", "boardsize", "clear_board",
             "komi", "play", "genmove", "undo", "final_score", "showboard", "time_settings", "time_left",
             "loadsgf", "quit_not", "fixed_handicap", "b", "w", "black", "white", "pass", "resign", "A1", "D4",
             "J9", "T19", "Z0", "i5", "c3", "9", "13", "19", "7", "6", "8", "-1", "0", "6.5", "nan", "inf",
             "1e400", "99999999999999999999", "#", "\t", "\x00", "\x1b[2J", "é", "\u202e", "=", "?", ""]
GTP_REPLY = re.compile(r"^[=?]\d* [^\n]*(\n[^\n]+)*\n\n$")


def random_line(rng: np.random.Generator, words: list[str]) -> str:
    """A line of 0..6 vocabulary words, sometimes an id, sometimes raw random bytes or a very long word."""
    kind = rng.integers(10)
    if kind == 0:
        return bytes(rng.integers(0, 256, size=int(rng.integers(1, 40)), dtype=np.uint8)).decode("latin-1")
    if kind == 1:
        return "x" * int(rng.integers(1000, 20000))
    line = " ".join(words[int(i)] for i in rng.integers(0, len(words), size=int(rng.integers(0, 7))))
    if kind == 2:
        line = f"{rng.integers(0, 10**6)} {line}"
    return line


@pytest.mark.timeout(120)
@pytest.mark.parametrize("game", ["tictactoe", "connect4", "othello:size=6", "go"])
def test_gtp_engine_survives_random_lines(game):
    rng = np.random.default_rng(7)
    engine = GtpEngine("random", game, log=io.StringIO())
    replies = 0
    for _ in range(1500):
        reply = engine.handle(random_line(rng, GTP_WORDS))
        engine.quit = False  # keep going past a random "quit"
        if reply is None:
            continue
        replies += 1
        assert GTP_REPLY.match(reply), repr(reply)
        assert "internal error" not in reply, reply
    assert replies > 1000
    assert engine.handle("1 name") == "=1 move37\n\n"  # still answering


@pytest.mark.timeout(120)
def test_gtp_subprocess_survives_random_lines():
    rng = np.random.default_rng(11)
    lines = [random_line(rng, GTP_WORDS).replace("\n", " ").replace("\r", " ") for _ in range(800)]
    lines = [line for line in lines if "quit" not in clean_line(line).split()]
    commands = sum(1 for line in lines if clean_line(line))
    script = "\n".join(lines) + "\n999 quit\n"
    proc = subprocess.run([sys.executable, "-m", "move37.cli", "gtp", "--agent", "random", "--game", "tictactoe"],
                          input=script.encode("utf-8", "surrogateescape"), capture_output=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    replies = proc.stdout.decode().split("\n\n")[:-1]
    assert len(replies) == commands + 1 and replies[-1] == "=999 "


UCI_WORDS = ["uci", "isready", "ucinewgame", "position", "startpos", "fen", "moves", "go", "movetime", "wtime",
             "btime", "winc", "binc", "depth", "nodes", "infinite", "stop", "setoption", "name", "value", "Agent",
             "debug", "on", "ponderhit", "e2e4", "e7e5", "g1f3", "e1g1", "a7a8q", "0000", "h9h9", "10", "-5", "abc",
             "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR", "b", "KQkq", "e3", "0", "1", "8/8/8/8/8/8/8/8",
             "\x00", "é", "random"]


@pytest.mark.timeout(120)
def test_uci_engine_survives_random_lines():
    from move37.protocols.uci import UciEngine

    out: list[str] = []
    log = io.StringIO()
    engine = UciEngine("random", out=out.append, log=log)
    rng = np.random.default_rng(5)
    for _ in range(3000):
        engine.handle(random_line(rng, UCI_WORDS))
        engine.quit = False
        engine._release.set()  # a random "go infinite" must not hold the next search forever
        engine.wait(10)
        assert not engine.searching
    assert "Traceback" not in log.getvalue(), log.getvalue()[-3000:]
    assert all(line.split()[0] in ("id", "option", "uciok", "readyok", "info", "bestmove") for line in out)
    bestmoves = [line for line in out if line.startswith("bestmove")]
    assert bestmoves and all(len(line.split()) == 2 for line in bestmoves)
    out.clear()
    engine.handle("isready")
    assert out == ["readyok"]


@pytest.mark.timeout(120)
def test_uci_subprocess_survives_random_lines():
    rng = np.random.default_rng(9)
    lines = [random_line(rng, [w for w in UCI_WORDS if w not in ("quit", "infinite")]) for _ in range(300)]
    script = "\n".join(line.replace("\r", " ").replace("\n", " ") for line in lines)
    script += "\nposition startpos moves e2e4\ngo movetime 10\nisready\n"
    proc = subprocess.run([sys.executable, "-m", "move37.cli", "uci", "--agent", "random"],
                          input=script.encode("utf-8", "surrogateescape"), capture_output=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout.decode().splitlines()
    assert "readyok" in out and any(line.startswith("bestmove") for line in out)
    assert b"Traceback" not in proc.stderr


@pytest.mark.timeout(120)
def test_web_api_survives_random_requests():
    from move37.protocols.web.server import PlayServer

    server = PlayServer("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rng = np.random.default_rng(3)
    host, port = server.server_address[:2]

    def request(method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    try:
        status, data = request("POST", "/api/games", json.dumps({"game": "tictactoe", "agent": "random"}).encode(),
                               {"Content-Type": "application/json"})
        gid = json.loads(data)["id"]
        paths = ["/", "/static/app.js", "/static/../server.py", "/api/games", f"/api/games/{gid}",
                 f"/api/games/{gid}/move", f"/api/games/{gid}/agent", f"/api/games/{gid}/undo",
                 f"/api/games/{gid}/record.jsonl", f"/api/games/{gid}/record.sgf", f"/api/games/{gid}/record.exe",
                 "/api/games/zzzz/move", "/%00", "/api/games/" + "a" * 5000, "/api//games"]
        fields = ["game", "agent", "human", "move", "action"]
        values = ["tictactoe", "connect4", "go", "nosuch", "random", "random:seed=x", "mcts:sims=5", "human",
                  'gtp:"sh -c reboot"', "uci:stockfish", 'xboard:"sh -c reboot"', "alphabeta:tt_size=8589934592",
                  "mcts:sims=1000000000", "b2", "a1", "z9", "pass", "", 0, 1, 2, -1, 9, 10**30, True,
                  None, 1.5, [], {}, "4"]
        counts: dict[int, int] = {}
        for i in range(1500):
            method = ["GET", "POST", "POST", "POST", "DELETE", "PUT", "PATCH"][int(rng.integers(7))]
            path = paths[int(rng.integers(len(paths)))]
            kind = rng.integers(6)
            if kind == 0:
                body = bytes(rng.integers(0, 256, size=int(rng.integers(0, 200)), dtype=np.uint8))
            elif kind == 1:
                body = b"[" * 5000  # deep nesting
            else:
                obj = {fields[int(j)]: values[int(rng.integers(len(values)))]
                       for j in rng.integers(0, len(fields), size=int(rng.integers(0, 4)))}
                body = json.dumps(obj).encode()
            headers = {"Content-Type": ["application/json", "text/plain", "application/json; charset=utf-8"][i % 3]}
            if method == "DELETE" and path == f"/api/games/{gid}":
                method = "GET"  # keep the one game alive so moves keep reaching it
            status, data = request(method, path, body if method != "GET" else None, headers)
            counts[status] = counts.get(status, 0) + 1
            assert status < 500, (method, path, body[:200], data[:300])
            if status >= 400:
                assert json.loads(data)["error"]
        assert counts.get(200, 0) > 50 and sum(v for k, v in counts.items() if 400 <= k < 500) > 500
        assert request("GET", "/api/games", None, {})[0] == 200  # still serving
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
