"""Search over the State API: alpha-beta (the Deep Blue baseline), plain UCT, and the
batched network-guided search (PUCT, Gumbel) that self-play uses.

None of them imports a network: alpha-beta takes an evaluation function from
`move37.search.heuristics`, UCT estimates values by random rollouts, and the batched
search calls an `evaluate(obs, mask) -> (priors, values)` function it is given.
The batched search's public seam is `move37.search.batched`; a game's compiled fast path,
which callers hand to the searches, is declared in `move37.search.compiled`.
"""

from move37.search.alphabeta import AlphaBeta, SearchResult
from move37.search.mcts import UCT, UCTResult
from move37.search._tree_cache import EvaluationCache, evaluation_cache
from move37.search.batched import (  # network-guided (PUCT, Gumbel)
    AdvancesRoots,
    BatchedSearch,
    CompiledEvaluate,
    CountsEvaluations,
    Evaluate,
    SearchConfig,
    SearchOutput,
    Store,
)
from move37.search.compiled import CompiledGame, compiled_for

__all__ = ["AdvancesRoots", "AlphaBeta", "BatchedSearch", "CompiledEvaluate", "CompiledGame", "CountsEvaluations",
           "Evaluate", "EvaluationCache", "SearchConfig", "SearchOutput", "SearchResult", "Store", "UCT", "UCTResult",
           "compiled_for", "evaluation_cache"]
