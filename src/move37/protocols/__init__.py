"""Standard protocols: GTP and UCI engines around any agent, and the web play server.

- `move37.protocols.boards`: where an action sits on a board (shared by GTP and the web page).
- `move37.protocols.gtp`: a GTP 2 engine (Go, and grid games where the protocol fits).
- `move37.protocols.uci`: a UCI engine for chess.
- `move37.protocols.process`: a line-oriented child process with timeouts (engines in).
- `move37.protocols.web`: the HTTP server and page to play any agent on any game.
"""
