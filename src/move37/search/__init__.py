"""Classic search over the State API: alpha-beta (the Deep Blue baseline) and plain UCT.

Both know nothing about networks: alpha-beta takes an evaluation function from
`move37.search.heuristics`, UCT estimates values by random rollouts.
"""

from move37.search.alphabeta import AlphaBeta, SearchResult
from move37.search.mcts import UCT, UCTResult
from move37.search._tree_search import BatchedSearch, SearchConfig, SearchOutput  # network-guided (PUCT, Gumbel)

__all__ = ["AlphaBeta", "SearchResult", "UCT", "UCTResult"]
