"""Tromp-Taylor scores agree with GNU Go's `final_score` on finished games.

The games are random but sensible: no player fills its own single-point eye, and
a player passes only when nothing else is left, so the game ends with every group
alive and every empty point an eye — positions where area scoring is unambiguous
and GNU Go (Chinese rules, i.e. area scoring) has no dead stones to guess.

One case stays ambiguous: a ko left at the end, where superko forbids the capture
that would settle it (GNU Go has no superko and counts the stone in atari as dead).
Such games, recognised by a group with a single liberty, are set aside.
"""

import shutil
import subprocess

import numpy as np
import pytest

from move37.games.go import Go

GNUGO = shutil.which("gnugo") or shutil.which("gnugo", path="/usr/games")
pytestmark = pytest.mark.skipif(GNUGO is None, reason="gnugo not installed (apt-get install gnugo)")


class Gtp:
    """The smallest GTP client: one command, one reply ending in a blank line."""

    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(self, command: str) -> str:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if line == "":
                raise RuntimeError(f"gnugo exited during {command!r}")
            if not line.strip() and lines:
                break
            if line.strip():
                lines.append(line.strip())
        reply = " ".join(lines)
        assert reply.startswith("="), f"{command!r} -> {reply!r}"
        return reply[1:].strip()

    def close(self) -> None:
        self.send("quit")
        self.proc.wait(timeout=10)


def own_eye(state, point: int) -> bool:
    board, n = state.board.ravel(), state.game.size
    r, c = divmod(point, n)
    me = state.current_player + 1
    return all(board[rr * n + cc] == me for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
               if 0 <= rr < n and 0 <= cc < n)


def sensible_game(game: Go, rng: np.random.Generator):
    state = game.initial_state()
    while not state.is_terminal():
        options = [int(a) for a in state.legal_actions()[:-1] if not own_eye(state, int(a))]
        state = state.play(int(rng.choice(options)) if options else game.pass_action)
    return state


def gnugo_score(game: Go, state) -> float:
    """GNU Go's final score after replaying the game, as Black's lead (W+x is -x)."""
    engine = Gtp([GNUGO, "--mode", "gtp", "--chinese-rules", "--level", "1"])
    try:
        engine.send(f"boardsize {game.size}")
        engine.send("clear_board")
        engine.send(f"komi {game.komi}")
        for player, action in state.moves():
            engine.send(f"play {'BW'[player]} {game.action_to_text(state, action)}")
        result = engine.send("final_score")
    finally:
        engine.close()
    if result == "0":
        return 0.0
    return float(result[2:]) * (1 if result[0] == "B" else -1)


def settled(state) -> bool:
    """No group in atari: every group keeps two or more eyes."""
    return not state.encode()[8].any()


def test_final_score_matches_gnugo():
    game = Go(9, komi=7.5)
    rng = np.random.default_rng(11)
    games = [sensible_game(game, rng) for _ in range(24)]
    assert all(s.passes == 2 for s in games), "games should end by two passes, not the move cap"
    finished = [s for s in games if settled(s)][:5]
    assert len(finished) == 5, "too few settled games"
    scores = [(gnugo_score(game, s), s.score()) for s in finished]
    assert all(theirs == ours for theirs, ours in scores), scores
    assert len({ours for _, ours in scores}) > 1  # different games, different scores
