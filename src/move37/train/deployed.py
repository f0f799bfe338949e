"""Experience from deployment: the games a deployed agent played (`move37 serve|gtp|uci --record FILE`) as extra
replay for `move37 train GAME --experience FILE`, so an agent keeps learning from the people it meets.

Each finished game of FILE for the game being trained becomes training positions: every position's observation
and legal mask, the move played there as the policy target and the game's outcome for the player to move as
the value target (the targets of supervised learning from records, as in AlphaGo's first stage; the moves of
the side that lost are imitated too, which is the price of learning from whoever turns up). The file is only
ever appended to, so the run keeps a cursor (state "deployed": records used so far) and each start or resume
adds the records appended since as one replay chunk named deployed_FROM_TO.npz.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from move37 import games
from move37.arena.records import GameRecord, read_records
from move37.errors import Move37Error
from move37.games.base import Game


def positions(game: Game, record: GameRecord) -> dict[str, np.ndarray]:
    """obs (n, *observation_shape), legal bool (n, A), policy (n, A) one-hot of the move played, value (n,)."""
    state = game.initial_state()
    obs, legal, policy, value = [], [], [], []
    outcome = np.asarray(record.result, np.float32)
    for token in game.split_moves(record.moves):
        action = game.text_to_action(state, token)
        obs.append(state.encode())
        legal.append(state.legal_mask())
        target = np.zeros(game.info.num_actions, np.float32)
        target[action] = 1.0
        policy.append(target)
        value.append(outcome[state.current_player])
        state = state.play(action)
    A = game.info.num_actions
    return {"obs": np.array(obs, np.float32).reshape(-1, *game.info.observation_shape),
            "legal": np.array(legal, np.bool_).reshape(-1, A), "policy": np.array(policy, np.float32).reshape(-1, A),
            "value": np.array(value, np.float32)}


def new_chunk(game: Game, path: Path, used: int) -> tuple[str, dict[str, np.ndarray] | None, int]:
    """(chunk name, arrays or None when no position is new, records now used) for the finished games of `game` in
    `path` after the first `used` records. Records of other games and unfinished ones are skipped; a record whose
    moves do not replay is a Move37Error naming it."""
    records = read_records(path)
    name = f"deployed_{used:06d}_{len(records):06d}.npz"
    parts = []
    for i, record in enumerate(records[used:], used + 1):
        try:
            same = games.make(record.game).info.name == game.info.name
        except Move37Error:
            same = False
        if not same or record.extra.get("unfinished"):
            continue
        try:
            parts.append(positions(game, record))
        except Move37Error as e:
            raise Move37Error(f"{path}: record {i} does not replay ({e})") from None
    if not parts or not sum(len(p["value"]) for p in parts):
        return name, None, max(used, len(records))
    return name, {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}, len(records)


def add_new(replay, game: Game, path: Path, state: dict) -> int:
    """Add the records of `path` appended since the cursor state["deployed"] to `replay` (a train.replay
    ReplayWindow) as one chunk and move the cursor; the positions added."""
    name, chunk, used = new_chunk(game, Path(path), int(state.get("deployed", 0)))
    state["deployed"] = used
    if chunk is None:
        return 0
    replay.add(name, chunk)
    return len(chunk["value"])
