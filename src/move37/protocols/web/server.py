"""The play server: `move37 serve` — a page and a JSON API to play any agent on any game.

Standard library only (`http.server`), one thread per request, bound to 127.0.0.1 by
default. The API (all bodies JSON; errors are `{"error": "..."}` with a 4xx status):

    GET    /api/games                      games, agents and defaults for the page
    POST   /api/games                      {"game", "agent", "human": 0|1} -> 201 + view
    GET    /api/games/ID                   view (see move37.protocols.web.session)
    POST   /api/games/ID/move              {"move": "b2"} or {"action": 4} -> view
    POST   /api/games/ID/agent             the agent plays one move -> view with its analysis
    POST   /api/games/ID/undo              take back to the human's turn -> view
    GET    /api/games/ID/record.FMT        jsonl (any game), sgf (Go), pgn (chess)
    DELETE /api/games/ID                   end the game, free the agent

Status codes: 400 malformed input (bad JSON, spec, notation, an option beyond its bound),
403 a refused host or agent, 404 unknown path or game, 405 wrong method, 409 not your turn,
game over, or the agent still thinking, 413 body too large, 415 not JSON, 422 an illegal
move, 502 an external engine failed, 503 every agent worker busy, 504 past the deadline.

Safety, since any web page the user visits can send requests to localhost: the Host
header must name this server (defeats DNS rebinding; bound to every address, it must be
an IP address or this machine's name), POST bodies must be `application/json` (a
cross-site form cannot send that without a CORS preflight, which this server never
grants), and agents that start programs are refused unless the server was started with
`--allow-engines`: by capability (the agent class's `starts_process`, see
move37.agents.make), so every engine kind is covered, those added later too.

Bounds: agent specs are built as specs from outside (`agents.make(outside=True)`): every
number option meets its outside bound (move37.agents.options: 10 s, 10^5 simulations, depth
64, ...), and agents that take a time limit get one (`ms`, the outside bound) when the spec
sets none, and a bounded count when it leaves the count open (agents.budget.server_budget). Building an agent and each agent move run on at most `workers` threads at once
and must finish within `deadline` seconds (3x the time limit): past it the request answers
504 and the worker finishes alone (a move still lands in the game; a late new game is closed).
Games are capped in number; the least recently used is closed when a new one would exceed
the cap.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from move37 import agents, games, jsontext
from move37.agents.options import OUTSIDE_MOVE_MS
from move37.agents.process import EngineError
from move37.arena.records import GameRecorder
from move37.errors import AgentRefusedError, IllegalMoveError, JSONTextError, Move37Error
from move37.protocols.web.session import Conflict, Session

MAX_BODY = 64 * 1024
#: seconds an agent move (or building an agent) may take before the request answers 504
DEADLINE_S = 3 * OUTSIDE_MOVE_MS / 1000
#: agent moves computed at once; more wait their turn within the deadline
WORKERS = 4
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
DEFAULT_AGENT = "mcts:sims=300"
# Where 300 random-rollout simulations take too long for a page (chess rollouts are slow in Python).
DEFAULT_AGENTS = {"chess": "mcts:ms=1000"}
_STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
           "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/static/style.css": ("style.css", "text/css; charset=utf-8")}
_GAME_PATH = re.compile(r"^/api/games/([0-9a-f]{16})(?:/(move|agent|undo|record\.(jsonl|sgf|pgn)))?$")


class HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


class PlayServer(ThreadingHTTPServer):
    """The HTTP server and the games it holds.

    allow_engines: let specs name agents that start programs; deadline: seconds an agent move or
    a new game may take before its request answers 504; workers: agent moves (and new games)
    computed at once.
    """

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 8000, *, allow_engines: bool = False,
                 max_games: int = 32, quiet: bool = True, deadline: float = DEADLINE_S, workers: int = WORKERS,
                 record: str | Path | None = None):
        super().__init__((host, port), _Handler)
        self.allow_engines = allow_engines
        self.recorder = GameRecorder(record).record if record is not None else None  # opt-in: serve --record
        self.max_games = max_games
        self.quiet = quiet
        self.deadline = deadline
        self.workers = threading.BoundedSemaphore(workers)
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.sessions_lock = threading.Lock()
        bound = self.server_address[0]
        self.any_host = bound in ("0.0.0.0", "::")
        self.names = LOOPBACK_NAMES | {bound, host.lower()}  # the address bound and the name it was given
        if not is_loopback(bound):
            self.names |= {socket.gethostname().lower(), socket.getfqdn().lower()}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def host_allowed(self, header: str) -> bool:
        """Whether a Host header names this server: a loopback name, the bound address, this machine's
        name when reachable from others, or, bound to every address, any IP address. A DNS-rebinding
        page sends its own domain name, never one of these."""
        name = host_name(header)
        if name in self.names:
            return True
        if not self.any_host:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def bounded(self, work, what: str, late=None):
        """work() on an agent worker, its result or its exception; HttpError 503 when no worker came
        free within the deadline, 504 when the work overran it (then `late(result)` once it ends).

        Workers are daemon threads (a search cannot be interrupted, and one that overran must not
        hold up the interpreter's exit); the semaphore bounds how many run at once."""
        start = time.monotonic()
        if not self.workers.acquire(timeout=self.deadline):
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, f"every agent worker is busy; try {what} again")
        future: Future = Future()

        def run() -> None:
            try:
                future.set_result(work())
            except BaseException as e:  # noqa: BLE001 (handed to the request thread, which reports it)
                future.set_exception(e)
            finally:
                self.workers.release()

        threading.Thread(target=run, name="move37-agent", daemon=True).start()
        try:
            return future.result(timeout=max(0.0, self.deadline - (time.monotonic() - start)))
        except FutureTimeout:
            if late is not None:
                future.add_done_callback(lambda f: None if f.exception() else late(f.result()))
            raise HttpError(HTTPStatus.GATEWAY_TIMEOUT, f"{what} took over {self.deadline:g} s") from None

    def add(self, session: Session) -> None:
        with self.sessions_lock:
            self.sessions[session.id] = session
            while len(self.sessions) > self.max_games:
                _, old = self.sessions.popitem(last=False)
                old.close()

    def get(self, sid: str) -> Session:
        with self.sessions_lock:
            session = self.sessions.get(sid)
            if session is None:
                raise HttpError(HTTPStatus.NOT_FOUND, f"no game {sid}")
            self.sessions.move_to_end(sid)
            return session

    def remove(self, sid: str) -> None:
        with self.sessions_lock:
            session = self.sessions.pop(sid, None)
        if session is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no game {sid}")
        session.close()

    def server_close(self) -> None:
        super().server_close()
        with self.sessions_lock:
            for session in self.sessions.values():
                session.close()
            self.sessions.clear()


def host_name(header: str) -> str:
    """The host of a Host header, lower case, without port or IPv6 brackets ("[::1]:80" -> "::1")."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(address: str) -> bool:
    """Whether a bound address is reachable from this machine only."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


class _Handler(BaseHTTPRequestHandler):
    server: PlayServer
    server_version = "move37"
    timeout = 15  # seconds a client may stall mid-request before its connection is dropped

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.server.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        try:
            self._check_host()
            path = self.path.split("?", 1)[0]
            self._route(method, path)
        except HttpError as e:
            self._json({"error": str(e)}, e.status)
        except Conflict as e:
            self._json({"error": str(e)}, HTTPStatus.CONFLICT)
        except AgentRefusedError as e:
            self._json({"error": str(e)}, HTTPStatus.FORBIDDEN)
        except IllegalMoveError as e:
            self._json({"error": str(e)}, HTTPStatus.UNPROCESSABLE_ENTITY)
        except EngineError as e:
            self._json({"error": str(e)}, HTTPStatus.BAD_GATEWAY)
        except Move37Error as e:
            self._json({"error": str(e)}, HTTPStatus.BAD_REQUEST)
        except Exception as e:  # a bug: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._json({"error": f"internal error: {type(e).__name__}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _check_host(self) -> None:
        host = self.headers.get("Host") or ""
        if not self.server.host_allowed(host):
            raise HttpError(HTTPStatus.FORBIDDEN, f"host {host[:100]!r} is not this server")

    def _route(self, method: str, path: str) -> None:
        if path in _STATIC:
            self._allow(method, "GET")
            name, media = _STATIC[path]
            self._send(resources.files("move37.protocols.web").joinpath("static", name).read_bytes(), media)
            return
        if path == "/api/games":
            if method == "GET":
                self._json(self._catalogue())
                return
            self._allow(method, "POST")
            self._create(self._body())
            return
        match = _GAME_PATH.match(path)
        if not match:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no such path {path[:100]!r}")
        sid, action, fmt = match.groups()
        if action is None:
            if method == "DELETE":
                self.server.remove(sid)
                self._json({"deleted": sid})
                return
            self._allow(method, "GET")
            session = self.server.get(sid)
            with session.locked(self.server.deadline):
                self._json(session.view())
            return
        if fmt is not None:
            self._allow(method, "GET")
            session = self.server.get(sid)
            with session.locked(self.server.deadline):
                text, media = session.record(fmt)
            self._send(text.encode(), media, attachment=f"move37-{session.game.info.name}-{sid}.{fmt}")
            return
        self._allow(method, "POST")
        body = self._body()
        session = self.server.get(sid)
        if action == "agent":
            self.server.bounded(lambda: _agent_move(session, self.server.deadline), "the agent's move")
        else:
            with session.locked(self.server.deadline):
                if action == "move":
                    session.play_human(*_human_move(body))
                else:
                    session.undo()
        with session.locked(self.server.deadline):
            self._json(session.view())

    def _catalogue(self) -> dict:
        allowed = [a for a in agents.names()
                   if not agents.refusal(a, outside=True, engines=self.server.allow_engines)]
        return {"games": games.names(), "agents": allowed, "default_agent": DEFAULT_AGENT,
                "default_agents": DEFAULT_AGENTS}

    def _create(self, body: dict) -> None:
        game_spec, agent_spec, human = body.get("game"), body.get("agent", DEFAULT_AGENT), body.get("human", 0)
        if not isinstance(game_spec, str) or not isinstance(agent_spec, str):
            raise HttpError(HTTPStatus.BAD_REQUEST, '"game" and "agent" must be spec strings')
        if human not in (0, 1) or isinstance(human, bool):
            raise HttpError(HTTPStatus.BAD_REQUEST, '"human" must be 0 (move first) or 1 (move second)')
        sid, engines = secrets.token_hex(8), self.server.allow_engines
        session = self.server.bounded(lambda: Session.start(sid, game_spec, agent_spec, human, engines=engines,
                                                                    recorder=self.server.recorder),
                                      "starting the game", late=Session.close)
        self.server.add(session)
        with session.locked(self.server.deadline):
            self._json(session.view(), HTTPStatus.CREATED)

    def _allow(self, method: str, allowed: str) -> None:
        if method != allowed:
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"use {allowed} here")

    def _body(self) -> dict:
        length = self.headers.get("Content-Length") or "0"
        if not (length.isascii() and length.isdigit()):  # "²".isdigit() is true, and int("²") a ValueError
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if int(length) > MAX_BODY:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        media = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")
        raw = self.rfile.read(int(length))
        try:
            body = jsontext.loads(raw) if raw.strip() else {}
        except JSONTextError as e:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"body is not JSON: {e}") from None
        if not isinstance(body, dict):
            raise HttpError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _json(self, data: dict, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(json.dumps(data).encode(), "application/json", status)

    def _send(self, payload: bytes, media: str, status: HTTPStatus = HTTPStatus.OK, attachment: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if attachment:
            self.send_header("Content-Disposition", f'attachment; filename="{attachment}"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def _agent_move(session: Session, wait: float) -> None:
    with session.locked(wait):
        session.play_agent()


def _human_move(body: dict) -> tuple[str | None, int | None]:
    """(move text, action) of a move request: exactly one of them; HttpError 400 otherwise."""
    move, act = body.get("move"), body.get("action")
    if (move is None) == (act is None):
        raise HttpError(HTTPStatus.BAD_REQUEST, 'give exactly one of "move" (text) or "action" (integer)')
    if move is not None and not isinstance(move, str):
        raise HttpError(HTTPStatus.BAD_REQUEST, '"move" must be a string')
    if act is not None and (not isinstance(act, int) or isinstance(act, bool)):
        raise HttpError(HTTPStatus.BAD_REQUEST, '"action" must be an integer')
    return move, act


def serve(host: str = "127.0.0.1", port: int = 8000, *, allow_engines: bool = False, quiet: bool = True,
          record: str | Path | None = None) -> int:
    """Run the server until interrupted; a one-line warning on stderr when others can reach it. `record`: a JSON
    Lines file that every game played to its end is appended to (arena.records.GameRecorder)."""
    server = PlayServer(host, port, allow_engines=allow_engines, quiet=quiet, record=record)
    if not is_loopback(server.server_address[0]):
        engines = " and start programs on it" if allow_engines else ""
        print(f"move37: warning: {host} is reachable from other machines: anyone who can reach it can play"
              f"{engines}", file=sys.stderr, flush=True)
    print(f"move37: playing at {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
