"""Playing games: one game from an opening, and a match of two agents with colours alternated."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from move37.agents.base import Agent
from move37.arena.records import GameRecord
from move37.errors import IllegalMoveError
from move37.games.base import Game


def game_seed(seed: int, index: int) -> int:
    """A well-mixed 32-bit seed for game `index` of a run seeded `seed`."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def play_game(game: Game, agents: Sequence[Agent], opening: str = "", seed: int = 0,
              name: str | None = None) -> GameRecord:
    """Play one game: agents[i] is player i; `opening` (move text) is played first.

    name: the game spec written in the record (default `game.info.name`; give the
    full spec, e.g. "othello:size=6", for a variant so the record replays).

    Every agent is reset with its own seed derived from `seed`, so the game is
    reproducible. An agent that returns an illegal move raises IllegalMoveError
    naming it. The record holds the whole move sequence, opening included, and the
    seconds each player spent in `extra["seconds"]`.
    """
    if len(agents) != game.info.num_players:
        raise ValueError(f"{game.info.name} needs {game.info.num_players} agents, got {len(agents)}")
    for i, agent in enumerate(agents):
        agent.reset(game_seed(seed, i))
    state = game.state_from_moves(opening)
    if state.is_terminal():
        raise IllegalMoveError(f"opening {opening!r} already ends the game")
    moves = game.split_moves(opening) if opening else []
    seconds = [0.0] * len(agents)
    while not state.is_terminal():
        player = state.current_player
        start = time.perf_counter()
        action = agents[player].act(state)
        seconds[player] += time.perf_counter() - start
        if not (0 <= action < game.info.num_actions) or not state.legal_mask()[action]:
            raise IllegalMoveError(f"agent {agents[player].spec or agents[player]!r} played illegal action {action}")
        moves.append(game.action_to_text(state, action))
        state = state.play(action)
    return GameRecord(game=name or game.info.name, players=tuple(a.spec or repr(a) for a in agents), opening=opening,
                      moves=game.join_moves(moves), result=tuple(float(x) for x in state.returns()), seed=seed,
                      plies=len(moves), extra={"seconds": [round(s, 4) for s in seconds]})


def play_match(game: Game, first: Agent, second: Agent, games: int, openings: Sequence[str] = ("",),
               seed: int = 0, on_game: Callable[[GameRecord], None] | None = None,
               played: Mapping[tuple, GameRecord] | None = None, name: str | None = None) -> list[GameRecord]:
    """`games` games between two agents; colours alternate and each opening is played both ways.

    Game k uses opening k // 2 (cycling) with `first` moving first when k is even, so
    an even number of games gives both agents every opening with both colours.
    `on_game` is called with each record as soon as it is finished. A game whose
    `GameRecord.key` is in `played` (records of an interrupted run) is taken from
    there instead of being played again. `name` is as in play_game.
    """
    openings = list(openings) or [""]
    out = []
    for k in range(games):
        opening = openings[(k // 2) % len(openings)]
        pair = (first, second) if k % 2 == 0 else (second, first)
        key = (name or game.info.name, tuple(a.spec or repr(a) for a in pair), opening, game_seed(seed, k))
        record = played[key] if played and key in played else play_game(game, pair, opening, key[3], name)
        out.append(record)
        if on_game is not None:
            on_game(record)
    return out
