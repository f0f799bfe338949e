"""Standard protocols: GTP and UCI engines around any agent, and the web play server.

- `move37.protocols.gtp`: a GTP 2 engine (Go, and grid games where the protocol fits).
- `move37.protocols.uci`: a UCI engine for chess.
- `move37.protocols.web`: the HTTP server and page to play any agent on any game.

They sit above the agents they serve. What the servers share with the engine agents (agents
that talk to other programs) lives below both: board geometry and GTP vertices in
`move37.games.boards`, chess's UCI move notation in `move37.games.chess`, and the engine
process in `move37.agents.process`.
"""
