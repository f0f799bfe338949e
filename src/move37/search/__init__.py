"""Search over the State API: alpha-beta (the Deep Blue baseline), plain UCT, and the
batched network-guided search (PUCT, Gumbel) that self-play uses.

None of them imports a network: alpha-beta takes an evaluation function from
`move37.search.heuristics`, UCT estimates values by random rollouts, and the batched
search calls an `evaluate(obs, mask) -> (priors, values)` function it is given.
"""

from move37.search.alphabeta import AlphaBeta, SearchResult
from move37.search.mcts import UCT, UCTResult
from move37.search._tree_search import BatchedSearch, SearchConfig, SearchOutput  # network-guided (PUCT, Gumbel)

__all__ = ["AlphaBeta", "BatchedSearch", "SearchConfig", "SearchOutput", "SearchResult", "UCT", "UCTResult"]
