"""A human at the terminal: reads moves in the game's notation from standard input."""

from __future__ import annotations

import sys
from typing import TextIO

from move37.agents.base import Agent, Analysis
from move37.errors import Move37Error
from move37.games.base import Game, State


class HumanAgent(Agent):
    """Prompts until a legal move is typed; 'quit' or end of input raises EOFError."""

    reads_terminal = True

    def __init__(self, *, game: Game, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self._game = game
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout

    def _analyse(self, state: State) -> Analysis:
        legal = " ".join(self._game.action_to_text(state, int(a)) for a in state.legal_actions())
        while True:
            self._out.write(f"your move ({legal}): ")
            self._out.flush()
            line = self._in.readline()
            if not line or line.strip().lower() in ("quit", "exit", "q"):
                raise EOFError("human left the game")
            try:
                return Analysis(action=self._game.parse_action(state, line))
            except Move37Error as e:
                self._out.write(f"{e}\n")
