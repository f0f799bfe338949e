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

Status codes: 400 malformed input (bad JSON, spec, notation), 403 a refused host or
agent, 404 unknown path or game, 405 wrong method, 409 not your turn or game over,
413 body too large, 415 not JSON, 422 an illegal move, 502 an external engine failed.

Safety, since any web page the user visits can send requests to localhost: the Host
header must name this server (defeats DNS rebinding), POST bodies must be
`application/json` (a cross-site form cannot send that without a CORS preflight, which
this server never grants), and agents that start programs (`gtp`, `uci`) are refused
unless the server was started with `--allow-engines`. Games are capped in number;
the least recently used is closed when a new one would exceed the cap.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import traceback
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from move37 import agents, games
from move37.errors import IllegalMoveError, Move37Error, SpecError
from move37.agents.process import EngineError
from move37.protocols.web.session import Conflict, Session
from move37.spec import parse_spec

MAX_BODY = 64 * 1024
ENGINE_AGENTS = ("gtp", "uci")
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
    """The HTTP server and the games it holds."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 8000, *, allow_engines: bool = False,
                 max_games: int = 32, quiet: bool = True):
        super().__init__((host, port), _Handler)
        self.allow_engines = allow_engines
        self.max_games = max_games
        self.quiet = quiet
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.sessions_lock = threading.Lock()
        bound = self.server_address[0]
        self.any_host = bound in ("0.0.0.0", "::")
        self.allowed_hosts = {"127.0.0.1", "localhost", "::1", "[::1]", str(bound), f"[{bound}]"}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

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
        if self.server.any_host:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in self.server.allowed_hosts:
            raise HttpError(HTTPStatus.FORBIDDEN, f"host {host!r} is not this server")

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
            with session.lock:
                self._json(session.view())
            return
        if fmt is not None:
            self._allow(method, "GET")
            session = self.server.get(sid)
            with session.lock:
                text, media = session.record(fmt)
            self._send(text.encode(), media, attachment=f"move37-{session.game.info.name}-{sid}.{fmt}")
            return
        self._allow(method, "POST")
        body = self._body()
        session = self.server.get(sid)
        with session.lock:
            if action == "move":
                move, act = body.get("move"), body.get("action")
                if (move is None) == (act is None):
                    raise HttpError(HTTPStatus.BAD_REQUEST, 'give exactly one of "move" (text) or "action" (integer)')
                if move is not None and not isinstance(move, str):
                    raise HttpError(HTTPStatus.BAD_REQUEST, '"move" must be a string')
                if act is not None and (not isinstance(act, int) or isinstance(act, bool)):
                    raise HttpError(HTTPStatus.BAD_REQUEST, '"action" must be an integer')
                session.play_human(move, act)
            elif action == "agent":
                session.play_agent()
            else:
                session.undo()
            self._json(session.view())

    def _catalogue(self) -> dict:
        refused = {"human"} | (set() if self.server.allow_engines else set(ENGINE_AGENTS))
        return {"games": games.names(), "agents": [a for a in agents.names() if a not in refused],
                "default_agent": DEFAULT_AGENT, "default_agents": DEFAULT_AGENTS}

    def _create(self, body: dict) -> None:
        game_spec, agent_spec, human = body.get("game"), body.get("agent", DEFAULT_AGENT), body.get("human", 0)
        if not isinstance(game_spec, str) or not isinstance(agent_spec, str):
            raise HttpError(HTTPStatus.BAD_REQUEST, '"game" and "agent" must be spec strings')
        if human not in (0, 1) or isinstance(human, bool):
            raise HttpError(HTTPStatus.BAD_REQUEST, '"human" must be 0 (move first) or 1 (move second)')
        name = parse_spec(agent_spec).name
        if name == "human":
            raise SpecError("the page is the human player; choose a computer agent")
        if name in ENGINE_AGENTS and not self.server.allow_engines:
            raise HttpError(HTTPStatus.FORBIDDEN, f"agent {name!r} starts a program; run `move37 serve --allow-engines`")
        session = Session.start(secrets.token_hex(8), game_spec, agent_spec, human)
        self.server.add(session)
        with session.lock:
            self._json(session.view(), HTTPStatus.CREATED)

    def _allow(self, method: str, allowed: str) -> None:
        if method != allowed:
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"use {allowed} here")

    def _body(self) -> dict:
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if int(length) > MAX_BODY:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        media = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError, RecursionError) as e:  # RecursionError: "[[[[..." nesting
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


def serve(host: str = "127.0.0.1", port: int = 8000, *, allow_engines: bool = False, quiet: bool = True) -> int:
    """Run the server until interrupted."""
    server = PlayServer(host, port, allow_engines=allow_engines, quiet=quiet)
    print(f"move37: playing at {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
