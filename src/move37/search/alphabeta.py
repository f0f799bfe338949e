"""Negamax alpha-beta with iterative deepening: the Deep Blue baseline.

The search speaks only the State API, so it plays every registered game. What it
adds to plain minimax, each for a measured reason:
- iterative deepening: a time limit always leaves the last finished depth's move,
  and each depth orders its moves by what the previous one learned;
- a transposition table keyed by `state.key()` (a power-of-two number of slots,
  replaced by depth), holding exact/lower/upper bounds and the best move. Keys are
  mixed before picking a slot (Fibonacci hashing of `hash(key)`): game keys such as
  Connect Four's bitboards vary mostly in their high bits;
- move ordering: the table's move first, then two killer moves per ply, then the
  history heuristic, then the game's static preference (`heuristics.action_order`);
- exact terminal values: a win scores WIN - ply, above any heuristic value in
  [-1, 1], so the search prefers faster wins and slower losses.

Scores are from the point of view of the player to move. Mate scores are stored in
the table relative to the node, so they stay right when reached at another ply.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from move37.errors import IllegalMoveError
from move37.games.base import Game, State
from move37.search.heuristics import Evaluation, action_order_for, evaluation_for

WIN = 100_000.0
_MATE = WIN - 10_000.0  # scores beyond this are proven wins (or losses when negative)
_EXACT, _LOWER, _UPPER = 0, 1, 2
_CHECK_EVERY = 256  # nodes between clock reads (a read costs well under a node)
_FIB = 0x9E3779B97F4A7C15  # 2^64 / golden ratio
_U64 = (1 << 64) - 1


class _Timeout(Exception):
    """Raised inside the search when the time limit passes."""


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one search.

    action: best action at the root.
    score: negamax score for the player to move: in [-1, 1] from the heuristic, or
        +-(WIN - plies) for a proven win/loss in that many plies.
    pv: principal variation, starting with `action`.
    nodes: positions visited (every call of the search, leaves included).
    depth: the last depth completed.
    seconds: wall time spent.
    """

    action: int
    score: float
    pv: tuple[int, ...]
    nodes: int
    depth: int
    seconds: float

    @property
    def value(self) -> float:
        """The score squashed to [-1, 1]: +-1 for proven wins/losses."""
        return max(-1.0, min(1.0, self.score)) + 0.0  # + 0.0 turns -0.0 into 0.0

    @property
    def proven(self) -> bool:
        """Whether the score is a proven win or loss."""
        return abs(self.score) > _MATE


class AlphaBeta:
    """A reusable searcher for one game; keeps its transposition table between searches.

    depth: maximum depth in plies (None: up to the game's max_length).
    ms: time limit per search in milliseconds (None: no limit). With neither, depth 6.
    tt_size: transposition table slots, rounded down to a power of two (0 disables the table).
    seed: shuffles the root moves, so equally good moves vary between seeds.
    evaluate: evaluation function; the game's own by default.
    """

    def __init__(self, game: Game, *, depth: int | None = None, ms: int | None = None, tt_size: int = 1 << 20,
                 seed: int = 0, evaluate: Evaluation | None = None):
        if depth is not None and depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        if ms is not None and ms < 1:
            raise ValueError(f"ms must be at least 1, got {ms}")
        if tt_size < 0:
            raise ValueError(f"tt_size must be non-negative, got {tt_size}")
        self.game = game
        self.max_depth = depth if depth is not None else (6 if ms is None else game.info.max_length)
        self.ms = ms
        self.tt_size = 1 << (tt_size.bit_length() - 1) if tt_size else 0
        self._shift = 64 - (self.tt_size.bit_length() - 1)
        self.evaluate = evaluate or evaluation_for(game)
        n = game.info.num_actions
        order = action_order_for(game)
        # Static preference: earlier in action_order = higher rank (below every dynamic bonus).
        self._static = [0.0] * n
        for rank, a in enumerate(order):
            self._static[a] = (len(order) - rank) / (len(order) + 1)
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        """Forget everything learned (table, killers, history) and reseed."""
        self._rng = random.Random(seed if seed is not None else 0)
        self._tt: list[tuple | None] = [None] * self.tt_size
        self._killers: list[list[int]] = []
        self._history = [0.0] * self.game.info.num_actions
        self.nodes = 0
        self._deadline: float | None = None

    def search(self, state: State) -> SearchResult:
        """Search a live position to the depth or time limit."""
        if state.is_terminal():
            raise IllegalMoveError("cannot search a finished game")
        start = time.perf_counter()
        self.nodes = 0
        self._deadline = None
        root = [int(a) for a in state.legal_actions()]
        self._rng.shuffle(root)
        best: tuple[float, int] | None = None
        depth_done = 0
        for depth in range(1, self.max_depth + 1):
            # Depth 1 always finishes, so a legal move is always returned.
            if depth == 2 and self.ms is not None:
                self._deadline = start + self.ms / 1000.0
            try:
                best = self._root(state, root, depth)
            except _Timeout:
                break
            depth_done = depth
            if abs(best[0]) > _MATE:  # a proven result does not change with depth
                break
            # The next depth costs several times this one: do not start what cannot finish.
            if self.ms is not None and time.perf_counter() - start > self.ms / 2000.0:
                break
        assert best is not None
        score, action = best
        pv = self._principal_variation(state, action, depth_done)
        return SearchResult(action, score, pv, self.nodes, depth_done, time.perf_counter() - start)

    def move_scores(self, state: State) -> dict[int, float]:
        """Every legal move's negamax score for the mover at `max_depth`, each searched with the full window
        so each is exact rather than a bound (plain search proves only the best). A player that samples
        moves by their worth needs them all (agents/humanlike.py). Scores as in SearchResult."""
        if state.is_terminal():
            raise IllegalMoveError("cannot search a finished game")
        self.nodes, self._deadline = 0, None
        return {int(a): self._child_value(state, int(a), self.max_depth, -2 * WIN, 2 * WIN, 0)
                for a in state.legal_actions()}

    def _root(self, state: State, root: list[int], depth: int) -> tuple[float, int]:
        """One iteration at the root: the previous best move first, the rest in stable order."""
        entry = self._probe(state.key())
        if entry is not None and entry[4] in root:
            root.remove(entry[4])
            root.insert(0, entry[4])
        alpha, beta = -2 * WIN, 2 * WIN
        best_score, best_action = -2 * WIN, root[0]
        for a in root:
            v = self._child_value(state, a, depth, alpha, beta, 0)
            if v > best_score:
                best_score, best_action = v, a
            alpha = max(alpha, v)
        self._store(state.key(), depth, _EXACT, best_score, best_action, 0)
        return best_score, best_action

    def _child_value(self, state: State, action: int, depth: int, alpha: float, beta: float, ply: int) -> float:
        """The value of playing `action` in `state` for its mover."""
        child = state._apply(action)
        me = state.current_player
        if child.is_terminal():
            self.nodes += 1
            r = float(child.returns()[me])
            return 0.0 if r == 0 else r * (WIN - ply - 1)
        if child.current_player == me:  # the same player moves again
            return self._negamax(child, depth - 1, alpha, beta, ply + 1)
        return -self._negamax(child, depth - 1, -beta, -alpha, ply + 1)

    def _negamax(self, state: State, depth: int, alpha: float, beta: float, ply: int) -> float:
        self.nodes += 1
        if self._deadline is not None and self.nodes % _CHECK_EVERY == 0 and time.perf_counter() > self._deadline:
            raise _Timeout
        key = state.key()
        tt_action = -1
        entry = self._probe(key)
        if entry is not None:
            tt_action = entry[4]
            if entry[1] >= depth:
                v = _from_tt(entry[3], ply)
                flag = entry[2]
                if flag == _EXACT:
                    return v
                if flag == _LOWER and v > alpha:
                    alpha = v
                elif flag == _UPPER and v < beta:
                    beta = v
                if alpha >= beta:
                    return v
        if depth <= 0:
            return float(self.evaluate(state))
        alpha0 = alpha
        best, best_action = -2 * WIN, -1
        for a in self._ordered(state, ply, tt_action):
            v = self._child_value(state, a, depth, alpha, beta, ply)
            if v > best:
                best, best_action = v, a
                if v > alpha:
                    alpha = v
                    if alpha >= beta:
                        self._reward(a, depth, ply)
                        break
        flag = _UPPER if best <= alpha0 else _LOWER if best >= beta else _EXACT
        self._store(key, depth, flag, best, best_action, ply)
        return best

    def _ordered(self, state: State, ply: int, tt_action: int) -> list[int]:
        """Legal actions, most promising first: table move, killers, history, static order."""
        while len(self._killers) <= ply:
            self._killers.append([-1, -1])
        killers = self._killers[ply]
        history, static = self._history, self._static
        score = {}
        for a in state.legal_actions().tolist():
            s = history[a] + static[a]
            if a == tt_action:
                s += 4e18
            elif a == killers[0]:
                s += 2e18
            elif a == killers[1]:
                s += 1e18
            score[a] = s
        return sorted(score, key=score.__getitem__, reverse=True)

    def _reward(self, action: int, depth: int, ply: int) -> None:
        """A move caused a cutoff: remember it as a killer and in the history."""
        killers = self._killers[ply]
        if killers[0] != action:
            killers[1], killers[0] = killers[0], action
        self._history[action] += depth * depth

    def _probe(self, key: int) -> tuple | None:
        if not self.tt_size:
            return None
        entry = self._tt[(hash(key) * _FIB & _U64) >> self._shift]
        return entry if entry is not None and entry[0] == key else None

    def _store(self, key: int, depth: int, flag: int, value: float, action: int, ply: int) -> None:
        if not self.tt_size:
            return
        slot = (hash(key) * _FIB & _U64) >> self._shift
        old = self._tt[slot]
        if old is None or old[0] == key or old[1] <= depth:
            self._tt[slot] = (key, depth, flag, _to_tt(value, ply), action)

    def _principal_variation(self, state: State, action: int, depth: int) -> tuple[int, ...]:
        """The root move followed by the table's best moves, as far as they are stored."""
        pv = [action]
        state = state._apply(action)
        seen = {state.key()}
        while len(pv) < max(depth, 1) and not state.is_terminal():
            entry = self._probe(state.key())
            if entry is None or entry[4] < 0 or not state.legal_mask()[entry[4]]:
                break
            pv.append(entry[4])
            state = state._apply(entry[4])
            if state.key() in seen:
                break
            seen.add(state.key())
        return tuple(pv)


def _to_tt(value: float, ply: int) -> float:
    """Mate scores relative to the node instead of the root."""
    if value > _MATE:
        return value + ply
    if value < -_MATE:
        return value - ply
    return value


def _from_tt(value: float, ply: int) -> float:
    if value > _MATE:
        return value - ply
    if value < -_MATE:
        return value + ply
    return value
