"""Every game's compiled fast path for search, declared in one place and handed to the searches.

Search works on any game through State objects. A game may also have compiled parts
that do the same work without the interpreter: a store that steps and encodes its tree
nodes as bitboards (batched search), and a compiled UCT. `compiled_for(game)` answers
with the game's `CompiledGame`, or None; the caller hands it to the search
(`BatchedSearch(..., compiled=...)`, `UCT(..., kernels=...)`), which never looks a game up
by name itself. Tests check that each compiled part gives the same results as the object game.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from move37.games._connect4_kernels import BitboardStore
from move37.games._othello_store import OthelloStore
from move37.games.base import Game
from move37.search import _mcts_compiled
from move37.search._mcts_compiled import UCTKernels
from move37.search._tree_states import Store


@dataclass(frozen=True)
class CompiledGame:
    """A game's compiled parts.

    store: `store(game, batch, capacity) -> Store`, batched search's tree-node states in compiled form.
    fused: the store holds Connect Four's (B, M) `position`/`mask` bitboards, on which Gumbel search
    runs fused (move37.search._fused_gumbel: one compiled call per simulation step or per move).
    uct: the compiled UCT of random-rollout MCTS, or None.
    """

    store: Callable[[Game, int, int], Store]
    fused: bool = False
    uct: UCTKernels | None = None


_BY_GAME = {
    "connect4": CompiledGame(BitboardStore.for_game, fused=True, uct=_mcts_compiled.CONNECT4),
    "othello": CompiledGame(OthelloStore.for_game),
}


def compiled_for(game: Game) -> CompiledGame | None:
    """The compiled fast path of `game`, or None when search must step its State objects."""
    return _BY_GAME.get(game.info.name)
