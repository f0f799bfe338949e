"""The play server: its JSON API, its records, and a whole game through the page in headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import threading

import pytest

from fake_agents import SlowAgent, SpawningAgent
from move37 import agents
from move37.arena.records import GameRecord
from move37.protocols.web.server import PlayServer, serve

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def running(**options) -> PlayServer:
    srv = PlayServer(options.pop("host", "127.0.0.1"), 0, **options)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture
def server():
    srv = running()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(srv, method, path, body=None, headers=None, raw=None):
    """(status, decoded JSON or text) of one request."""
    conn = http.client.HTTPConnection(*srv.server_address[:2], timeout=30)
    hdrs = {"Content-Type": "application/json"} if body is not None or raw is not None else {}
    hdrs.update(headers or {})
    payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
    conn.request(method, path, body=payload, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    if resp.getheader("Content-Type", "").startswith("application/json"):
        return resp.status, json.loads(data)
    return resp.status, data


def test_play_a_tictactoe_game_through_the_api(server):
    status, view = call(server, "POST", "/api/games", {"game": "tictactoe", "agent": "mcts:sims=200", "human": 0})
    assert status == 201 and view["to_move"] == 0 and len(view["legal"]) == 9
    gid = view["id"]
    assert call(server, "POST", f"/api/games/{gid}/agent", {})[0] == 409  # the human moves first
    status, view = call(server, "POST", f"/api/games/{gid}/move", {"move": "b2"})
    assert status == 200 and view["board"]["stones"][1][1] == 1 and view["board"]["last"] == [1, 1]
    assert call(server, "POST", f"/api/games/{gid}/move", {"move": "a1"})[0] == 409  # the agent's turn
    status, view = call(server, "POST", f"/api/games/{gid}/agent", {})
    assert status == 200 and len(view["moves"]) == 2
    analysis = view["analysis"]
    assert analysis["move"] == view["moves"][1] and analysis["nodes"] == 200
    assert analysis["pv"][0] == analysis["move"] and abs(sum(p["p"] for p in analysis["policy"]) - 1) < 0.02
    occupied = view["moves"][1]
    assert call(server, "POST", f"/api/games/{gid}/move", {"move": occupied})[0] == 422
    assert call(server, "POST", f"/api/games/{gid}/move", {"move": "z9"})[0] == 400
    status, view = call(server, "POST", f"/api/games/{gid}/undo", {})
    assert status == 200 and view["moves"] == [] and view["to_move"] == 0  # back to the human's turn
    while not view["terminal"]:
        if view["to_move"] == 0:
            status, view = call(server, "POST", f"/api/games/{gid}/move", {"action": view["legal"][0]["action"]})
        else:
            status, view = call(server, "POST", f"/api/games/{gid}/agent", {})
        assert status == 200
    assert view["result"] in ("X wins", "O wins", "draw") and view["legal"] == []
    status, text = call(server, "GET", f"/api/games/{gid}/record.jsonl")
    record = GameRecord.from_json(text)
    assert record.players == ("human", "mcts:sims=200") and record.moves == "".join(view["moves"])
    assert call(server, "GET", f"/api/games/{gid}/record.sgf")[0] == 400  # no SGF for tic-tac-toe
    assert call(server, "DELETE", f"/api/games/{gid}")[0] == 200
    assert call(server, "GET", f"/api/games/{gid}")[0] == 404


def test_go_record_is_sgf_and_connect4_columns_are_clickable(server):
    status, view = call(server, "POST", "/api/games", {"game": "go", "agent": "random", "human": 1})
    assert status == 201 and view["board"]["rows"] == 9 and view["formats"] == ["jsonl", "sgf"]
    assert view["board"]["labels"] == {"cols": list("ABCDEFGHJ"), "rows": [str(r) for r in range(9, 0, -1)]}
    status, view = call(server, "POST", f"/api/games/{view['id']}/agent", {})
    status, view = call(server, "POST", f"/api/games/{view['id']}/move", {"move": "pass"})
    status, sgf = call(server, "GET", f"/api/games/{view['id']}/record.sgf")
    assert status == 200 and sgf.startswith("(;FF[4]") and "PB[random]" in sgf and "PW[human]" in sgf
    status, view = call(server, "POST", "/api/games", {"game": "connect4", "agent": "random"})
    centre = next(m for m in view["legal"] if m["text"] == "4")
    assert centre["cell"] == [5, 3]  # the landing cell of the centre column


def test_bad_requests_get_4xx_with_a_message(server):
    cases = [
        ("GET", "/nope", None, None, 404),
        ("GET", "/api/games/0123456789abcdef", None, None, 404),
        ("PUT", "/api/games", {}, None, 405),
        ("POST", "/api/games", None, "{not json", 400),
        ("POST", "/api/games", None, "[1, 2]", 400),
        ("POST", "/api/games", {"game": "nosuchgame", "agent": "random"}, None, 400),
        ("POST", "/api/games", {"game": "tictactoe", "agent": "random:depth=x"}, None, 400),
        ("POST", "/api/games", {"game": "tictactoe", "agent": "random", "human": 2}, None, 400),
        ("POST", "/api/games", {"game": 3}, None, 400),
        ("POST", "/api/games", {"game": "tictactoe", "agent": "human"}, None, 403),  # reads the server's terminal
        ("POST", "/api/games", {"game": "go", "agent": 'gtp:"gnugo --mode gtp"'}, None, 403),
    ]
    for method, path, body, raw, expected in cases:
        status, data = call(server, method, path, body=body, raw=raw)
        assert status == expected, (method, path, body, raw, data)
        assert isinstance(data, dict) and data["error"]
    # A form post (what a foreign page can send without a preflight) and a rebinding Host are refused.
    assert call(server, "POST", "/api/games", raw="game=go", headers={"Content-Type": "text/plain"})[0] == 415
    assert call(server, "GET", "/api/games", headers={"Host": "evil.example:8000"})[0] == 403
    status, data = call(server, "POST", "/api/games", raw="x" * 70_000)
    assert status == 413
    status, page = call(server, "GET", "/")
    assert status == 200 and "<svg id=\"board\"" in page


@pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                    reason="chromium/chromium-driver not installed (scripts/system-deps.sh installs them)")
def test_a_whole_game_through_the_page_in_headless_chromium(server, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1200,800", f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        state = lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-state")  # noqa: E731
        driver.get(server.url)
        WebDriverWait(driver, 20).until(lambda d: state() == "idle")
        Select(driver.find_element(By.ID, "game")).select_by_value("tictactoe")
        agent = driver.find_element(By.ID, "agent")
        agent.clear()
        agent.send_keys("mcts:sims=50")
        driver.find_element(By.ID, "new").click()
        clicks = 0
        for _ in range(9):  # tic-tac-toe ends within 5 human moves
            WebDriverWait(driver, 20).until(lambda d: state() in ("ready", "over"))
            if state() == "over":
                break
            driver.find_elements(By.CSS_SELECTOR, "#board .cell.legal")[0].click()
            clicks += 1
        WebDriverWait(driver, 20).until(lambda d: state() == "over")
        status = driver.find_element(By.ID, "status").text
        assert status.startswith("Game over:"), status
        assert driver.find_element(By.ID, "error").text == ""
        moves = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#moves li")]
        assert clicks >= 3 and len(moves) in (2 * clicks - 1, 2 * clicks)
        assert len(driver.find_elements(By.CSS_SELECTOR, "#board .stone")) == len(moves)
        assert driver.find_elements(By.CSS_SELECTOR, "#analysis table")  # the agent's reasons are shown
        href = driver.find_element(By.ID, "download-jsonl").get_attribute("href")
        gid = href.rsplit("/", 2)[-2]
        status_code, text = call(server, "GET", f"/api/games/{gid}/record.jsonl")
        assert status_code == 200 and GameRecord.from_json(text).plies == len(moves)
    finally:
        driver.quit()


def test_sessions_are_capped_and_closed():
    srv = running(max_games=2)
    try:
        ids = [call(srv, "POST", "/api/games", {"game": "tictactoe", "agent": "random"})[1]["id"] for _ in range(3)]
        assert call(srv, "GET", f"/api/games/{ids[0]}")[0] == 404  # the least recently used went
        assert all(call(srv, "GET", f"/api/games/{i}")[0] == 200 for i in ids[1:])
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_command_is_registered():
    from move37.cli import build_parser

    args = build_parser().parse_args(["serve", "--port", "0"])
    assert args.host == "127.0.0.1" and args.port == 0 and not args.allow_engines


def test_chess_board_moves_and_pgn(server):
    status, view = call(server, "POST", "/api/games", {"game": "chess", "agent": "random", "human": 0})
    assert status == 201 and view["board"]["kind"] == "chess" and view["formats"] == ["jsonl", "pgn"]
    assert view["board"]["squares"][7][4] == "K" and view["board"]["squares"][0][3] == "q"
    e4 = next(m for m in view["legal"] if m["text"] == "e2e4")
    assert e4["from"] == [6, 4] and e4["to"] == [4, 4] and len(view["legal"]) == 20
    status, view = call(server, "POST", f"/api/games/{view['id']}/move", {"move": "e2e4"})
    assert view["board"]["last"] == [[6, 4], [4, 4]]
    status, view = call(server, "POST", f"/api/games/{view['id']}/agent", {})
    status, pgn = call(server, "GET", f"/api/games/{view['id']}/record.pgn")
    assert status == 200 and "1. e4 " in pgn and '[White "human"]' in pgn and '[Black "random"]' in pgn


# Security and bounds.

#: a spec per agent kind that starts a program: each would create `marker` if its program ran
ENGINE_SPECS = {"gtp": ("go", 'gtp:"touch {marker}"'), "uci": ("chess", 'uci:"touch {marker}"'),
                "xboard": ("chess", 'xboard:"touch {marker}"')}


def test_every_engine_kind_is_known_to_start_a_program():
    assert {n for n in agents.names() if agents.starts_process(n)} == set(ENGINE_SPECS)


@pytest.mark.parametrize("kind", sorted(ENGINE_SPECS))
def test_every_engine_kind_is_refused_without_allow_engines(server, tmp_path, kind):
    game, spec = ENGINE_SPECS[kind]
    marker = tmp_path / "ran"
    status, data = call(server, "POST", "/api/games", {"game": game, "agent": spec.format(marker=marker)})
    assert status == 403 and "--allow-engines" in data["error"]
    assert not marker.exists()  # refused before anything started
    assert kind not in call(server, "GET", "/api/games")[1]["agents"]


def test_a_new_agent_kind_that_starts_a_program_is_refused_by_its_capability(server, monkeypatch):
    monkeypatch.setitem(agents.AGENTS.entries, "spawner", "fake_agents:SpawningAgent")
    SpawningAgent.built = 0
    status, data = call(server, "POST", "/api/games", {"game": "tictactoe", "agent": "spawner"})
    assert status == 403 and SpawningAgent.built == 0
    assert "spawner" not in call(server, "GET", "/api/games")[1]["agents"]
    allowed = running(allow_engines=True)
    try:
        assert "spawner" in call(allowed, "GET", "/api/games")[1]["agents"]
        assert call(allowed, "POST", "/api/games", {"game": "tictactoe", "agent": "spawner"})[0] == 201
        assert SpawningAgent.built == 1
    finally:
        allowed.shutdown()
        allowed.server_close()


@pytest.mark.parametrize("spec, option", [
    ("alphabeta:tt_size=8589934592", "tt_size"),   # 64 GB of table slots
    ("alphabeta:tt_size=2097152", "tt_size"),      # fine on the command line, over the page's bound
    ("mcts:sims=1000000000", "sims"),
    ("mcts:ms=60000", "ms"),
    ("alphabeta:depth=100", "depth"),
    ("zero:sims=1000000", "sims"),
])
def test_options_beyond_their_bound_are_refused_with_the_option_named(server, spec, option):
    status, data = call(server, "POST", "/api/games", {"game": "connect4", "agent": spec})
    assert status == 400 and f"option {option}=" in data["error"], data


def test_a_page_agent_gets_a_time_limit_and_keeps_its_budget(server):
    for spec, built in [("mcts:sims=200", "mcts:sims=200,ms=10000"), ("alphabeta", "alphabeta:depth=6,ms=10000"),
                        ("mcts:ms=500", "mcts:ms=500,sims=100000"), ("random", "random")]:
        status, view = call(server, "POST", "/api/games", {"game": "tictactoe", "agent": spec})
        assert status == 201 and view["agent"] == spec
        assert server.sessions[view["id"]].agent.spec == built


def test_a_move_past_the_deadline_answers_504_and_lands_later(monkeypatch):
    monkeypatch.setitem(agents.AGENTS.entries, "slow", "fake_agents:SlowAgent")
    SlowAgent.go.clear()
    srv = running(deadline=0.5, workers=1)
    try:
        ids = [call(srv, "POST", "/api/games", {"game": "tictactoe", "agent": "slow", "human": 1})[1]["id"]
               for _ in range(2)]
        status, data = call(srv, "POST", f"/api/games/{ids[0]}/agent", {})
        assert status == 504 and "took over 0.5 s" in data["error"]
        assert call(srv, "GET", f"/api/games/{ids[0]}")[0] == 409  # still thinking: no request waits for it
        assert call(srv, "POST", f"/api/games/{ids[1]}/agent", {})[0] == 503  # the one worker is busy
        SlowAgent.go.set()
        for _ in range(100):
            status, view = call(srv, "GET", f"/api/games/{ids[0]}")
            if status == 200 and view["moves"]:
                break
        assert status == 200 and len(view["moves"]) == 1  # the late move landed in the game
        assert call(srv, "POST", f"/api/games/{ids[1]}/agent", {})[0] == 200
    finally:
        SlowAgent.go.set()
        srv.shutdown()
        srv.server_close()


def test_every_address_still_checks_the_host_and_warns(capsys, monkeypatch):
    srv = running(host="0.0.0.0")
    port = srv.server_address[1]
    try:
        assert call(srv, "GET", "/api/games", headers={"Host": f"evil.example:{port}"})[0] == 403
        assert call(srv, "GET", "/api/games", headers={"Host": f"localhost:{port}"})[0] == 200
        assert call(srv, "GET", "/api/games", headers={"Host": f"192.0.2.7:{port}"})[0] == 200  # an address typed
        assert call(srv, "GET", "/api/games", headers={"Host": f"[2001:db8::1]:{port}"})[0] == 200
    finally:
        srv.shutdown()
        srv.server_close()

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(PlayServer, "serve_forever", interrupted)
    assert serve("0.0.0.0", 0) == 0
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "warning" in warning[0] and "other machines" in warning[0]
    assert serve("127.0.0.1", 0) == 0
    assert capsys.readouterr().err == ""


def test_the_documented_bounds_are_the_declared_ones():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "protocols.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    declared: dict[str, tuple[set, object]] = {}
    for name in agents.names():
        for option, bound in agents.bounds(name).items():
            users, known = declared.setdefault(option, (set(), bound))
            assert known == bound, (option, name)  # one option name, one bound
            users.add(name)
    assert set(rows) == set(declared)
    for option, (users, bound) in declared.items():
        who, anyone, outside = rows[option]
        show = lambda x: str(int(x)) if float(x).is_integer() else f"{x:g}"  # noqa: E731
        assert set(who.split(", ")) == users and anyone == f"{show(bound.low)}..{show(bound.high)}", option
        assert outside == show(bound.top(outside=True)), option


def test_the_solvers_compiled_kernels_release_the_gil():
    """A solve from an early Connect Four position runs for minutes inside one compiled call; holding
    the GIL there would stop the request thread from answering its deadline (measured: a `solver`
    game's move hung the server past its deadline before the kernels took nogil)."""
    from numba.core.registry import CPUDispatcher

    from move37.solvers import _connect4_search, _othello_kernels

    kernels = [f for module in (_connect4_search, _othello_kernels) for f in vars(module).values()
               if isinstance(f, CPUDispatcher)]
    assert len(kernels) > 10 and all(f.targetoptions.get("nogil") for f in kernels)
