"""Episodes played by searching inside the learned model: self-play (with Gumbel noise), evaluation
(without), and reanalyse (searching stored observations again with the newest network).

Many episodes run at once, one search over all of them, so each simulation step is one call of the
dynamics and one of the prediction network for every game (BatchedSearch with a LatentStore).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from move37.games.base import Game, State
from move37.search import BatchedSearch, SearchConfig
from move37.worldmodel.model import LatentModel
from move37.worldmodel.replay import Replay, Trajectory
from move37.worldmodel.store import LatentStore, Observed


def make_search(game: Game, model: LatentModel, config: SearchConfig, batch: int, sims: int) -> BatchedSearch:
    """The project's batched search over `model`'s latent states (room for `sims` simulations)."""
    return BatchedSearch(game, model, config, batch, max(sims, 1), store=functools.partial(LatentStore, model=model))


def start(game: Game, seed: int, opening: int = 0, rng: np.random.Generator | None = None) -> State:
    """An episode's first state: an environment's episode `seed`, a board game's initial position after
    0..`opening` uniformly random moves (drawn from `rng`; AlphaZero's `random_opening`, which spreads
    self-play over the unbalanced positions that play between equals never reaches). The opening's moves
    are not part of the episode: it starts where they end."""
    episode = getattr(game, "episode", None)
    if episode:
        return episode(seed)
    state = game.initial_state()
    for _ in range(int(rng.integers(0, opening + 1)) if opening and rng is not None else 0):
        nxt = state.play(int(rng.choice(state.legal_actions())))
        if nxt.is_terminal():
            break
        state = nxt
    return state


def mover_reward(state: State, mover: int) -> float:
    """The reward of the move into `state` for the player who made it (a board game's outcome at its end)."""
    if state.game.info.rewards:
        return state.reward
    return float(state.returns()[mover]) if state.is_terminal() else 0.0


def play(game: Game, search: BatchedSearch, seeds: list[int], sims: int, rng: np.random.Generator,
         explore: bool, opening: int = 0) -> list[Trajectory]:
    """Play one episode per seed, `search.batch` at a time; the episodes in the order of `seeds`.
    `opening`: a board game's episodes start after 0..opening random moves (`start`)."""
    B, A = search.batch, game.info.num_actions
    out: list[Trajectory | None] = [None] * len(seeds)
    slots: list[dict | None] = [None] * B
    todo = list(range(len(seeds)))[::-1]

    def fill(b: int) -> None:
        if todo:
            i = todo.pop()
            state = start(game, seeds[i], opening, rng)
            slots[b] = {"i": i, "state": state, "obs": [state.encode()], "legal": [state.legal_mask()],
                        "player": [state.current_player], "action": [], "reward": [], "policy": [], "value": []}
            search.set_root(b, state)
        else:
            slots[b] = None
            search.set_root(b, None)

    for b in range(B):
        fill(b)
    while any(s is not None for s in slots):
        result = search.run(sims, rng, explore=explore)
        for b, slot in enumerate(slots):
            if slot is None:
                continue
            a, state = int(result.action[b]), slot["state"]
            nxt = state.play(a)
            slot["action"].append(a)
            slot["reward"].append(mover_reward(nxt, state.current_player))
            slot["policy"].append(result.policy[b])
            slot["value"].append(result.value[b])
            slot["obs"].append(nxt.encode())
            slot["legal"].append(nxt.legal_mask())
            slot["player"].append(nxt.current_player)
            slot["state"] = nxt
            if nxt.is_terminal():
                out[slot["i"]] = _finish(slot, nxt, search.evaluate, A)
                fill(b)
            else:
                search.set_root(b, nxt)
    return out


def _finish(slot: dict, last: State, model: LatentModel, A: int) -> Trajectory:
    terminated = not last.truncated
    bootstrap = 0.0
    if not terminated:  # a time limit: the value of the last observation carries the return on
        latent = model.represent(last.encode()[None])
        bootstrap = float(model(latent, np.ones((1, A), bool))[1][0])
    return Trajectory(np.stack(slot["obs"]).astype(np.float32), np.stack(slot["legal"]),
                      np.array(slot["player"], np.int8), np.array(slot["action"], np.int64),
                      np.array(slot["reward"], np.float32), np.stack(slot["policy"]).astype(np.float32),
                      np.array(slot["value"] + [bootstrap], np.float32), terminated)


def reanalyse(replay: Replay, episodes: list[int], search: BatchedSearch, sims: int) -> int:
    """Search every position of the given stored episodes again with the search's (newest) network and
    put its policy and root value in place of the old ones (MuZero Reanalyze), then recompute their value
    targets. A time-limited episode's last value is re-estimated by the raw network. Returns positions."""
    rows = [(e, t) for e in episodes for t in range(len(replay.episodes[e]))]
    B = search.batch
    for first in range(0, len(rows), B):
        chunk = rows[first:first + B]
        for b in range(B):
            if b < len(chunk):
                traj, t = replay.episodes[chunk[b][0]], chunk[b][1]
                search.set_root(b, Observed(traj.obs[t], traj.legal[t], int(traj.player[t])))
            else:
                search.set_root(b, None)
        result = search.run(sims)
        for b, (e, t) in enumerate(chunk):
            replay.episodes[e].policy[t] = result.policy[b]
            replay.episodes[e].value[t] = result.value[b]
    model: LatentModel = search.evaluate
    for e in episodes:
        traj = replay.episodes[e]
        if not traj.terminated:
            A = traj.policy.shape[1]
            traj.value[-1] = float(model(model.represent(traj.obs[-1:]), np.ones((1, A), bool))[1][0])
        replay.refresh(e)
    return len(rows)
