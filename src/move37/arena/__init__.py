"""The arena: games between agents, matches, round robins, Elo ratings and game records.

- `play_game` plays one game and returns its `GameRecord`;
- `balanced_openings` picks short opening sequences the solver (when the game has one)
  scores as near balanced, so games between deterministic agents differ;
- `round_robin` plays every pair with colours alternated over those openings;
- `fit_elo` turns results into maximum-likelihood ratings with 95% intervals;
- records are JSON Lines in the game's own notation (`write_records`, `read_records`).
"""

from move37.arena.elo import Rating, fit_elo, head_to_head, results_from_records
from move37.arena.match import play_game, play_match
from move37.arena.openings import Openings, balanced_openings, default_plies
from move37.arena.records import GameRecord, RecordWriter, read_records, write_records
from move37.arena.tournament import round_robin

__all__ = [
    "GameRecord",
    "Openings",
    "Rating",
    "RecordWriter",
    "balanced_openings",
    "default_plies",
    "fit_elo",
    "head_to_head",
    "play_game",
    "play_match",
    "read_records",
    "results_from_records",
    "round_robin",
    "write_records",
]
