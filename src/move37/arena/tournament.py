"""Round-robin tournaments: every pair of agents plays a match over the same openings."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from move37 import agents as agent_registry
from move37.agents.base import Agent
from move37.arena.match import game_seed, play_match
from move37.arena.records import GameRecord, RecordWriter, read_records
from move37.errors import ConfigError
from move37.games.base import Game


def round_robin(game: Game, players: Sequence[str | Agent], games_per_pair: int, openings: Sequence[str] = ("",),
                seed: int = 0, records: str | Path | None = None, progress: bool | None = None,
                resume: bool = False, name: str | None = None) -> list[GameRecord]:
    """Play `games_per_pair` games between every pair of `players` (agents or agent specs).

    Openings are shuffled once by `seed` and every pair walks them in that order,
    each opening with both colours (see play_match), so pairs are compared on the
    same starts. Records are appended to `records` (JSON Lines) as games finish;
    with `resume`, the games already in that file are taken from it, not replayed,
    so an interrupted tournament continues where it stopped.
    The games are reproducible given `seed` when every player is limited by depth or
    simulations rather than by time.
    progress: a tqdm bar on stderr (None: only when stderr is a terminal).
    name: the game spec written in the records (default `game.info.name`; e.g. "othello:size=6").
    Every player is closed at the end (external engines stop).
    """
    players = [agent_registry.make(p, game) if isinstance(p, str) else p for p in players]
    specs = [p.spec or repr(p) for p in players]
    if len(specs) < 2:
        raise ConfigError("a tournament needs at least two agents")
    if len(set(specs)) != len(specs):
        raise ConfigError("each agent spec may appear only once (add seed=N to tell copies apart)")
    if games_per_pair < 1:
        raise ConfigError(f"games per pair must be at least 1, got {games_per_pair}")
    order = np.random.default_rng(seed).permutation(len(openings)) if len(openings) > 1 else [0]
    openings = [list(openings)[i] for i in order]
    pairs = list(itertools.combinations(range(len(players)), 2))
    if resume and records is None:
        raise ConfigError("resuming a tournament needs its records file")
    played = {r.key: r for r in read_records(records)} if resume and Path(records).exists() else {}
    writer = RecordWriter(records) if records is not None else None
    bar = tqdm(total=len(pairs) * games_per_pair, desc=f"{game.info.name} arena", unit="game",
               disable=None if progress is None else not progress)
    out: list[GameRecord] = []

    def finished(record: GameRecord) -> None:
        if writer is not None and record.key not in played:
            writer.write(record)
        bar.update(1)

    try:
        for k, (i, j) in enumerate(pairs):
            bar.set_postfix_str(f"{specs[i]} vs {specs[j]}")
            out += play_match(game, players[i], players[j], games_per_pair, openings, game_seed(seed, k), finished,
                              played, name)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
        for p in players:
            p.close()
    return out
