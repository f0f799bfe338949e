"""Evaluation during training: the optimal-move rate against exact-solver labels, and Elo
against a fixed ladder of baseline agents (random = 0) through the arena.

Both are cached in the run folder where they cost much to make: `labels.json` (the
evaluation positions' exact labels: for Connect Four drawn from those shipped in
move37/data, for other games solved once) and
`ladder.jsonl` (the baselines' round robin, played once; the network's games against
them are added at every evaluation and the Elo fit over all of them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from move37 import agents, arena, jsontext, solvers
from move37.agents.zero import ZeroAgent
from move37.errors import JSONTextError, RunFolderError, UnknownNameError
from move37.games.base import Game
from move37.search.batched import BatchedSearch, Evaluate, SearchConfig
from move37.search.compiled import compiled_for
from move37.atomic import write_json
from move37.data import connect4_sample
from move37.train.config import ZeroConfig

_LABEL_SEED = 37


def _positions(game: Game, count: int, seed: int) -> list[str]:
    """Evaluation positions (move texts) for a game without shipped labels: distinct live positions
    reached by random playouts."""
    rng = np.random.default_rng(seed)
    seen: dict[int, str] = {}
    for _ in range(count * 20):
        state, moves = game.initial_state(), []
        for _ in range(int(rng.integers(0, game.info.max_length))):
            if state.is_terminal():
                break
            a = int(rng.choice(state.legal_actions()))
            moves.append(game.action_to_text(state, a))
            state = state.play(a)
        if not state.is_terminal():
            seen.setdefault(state.key(), game.join_moves(moves))
        if len(seen) >= count:
            break
    return list(seen.values())


def shipped_labels(game: Game, count: int, seed: int = _LABEL_SEED) -> list[dict] | None:
    """`count` of the labelled positions shipped in move37/data (drawn with `seed`, kept in file order,
    so by ply), or None when the game has none there. Connect Four's come from real games and cover
    plies 6-41 (move37/data/README.md); every machine draws the same ones."""
    return connect4_sample(count, seed) if game.info.name == "connect4" else None


def _read_labels(path: Path, game: Game, count: int, seed: int) -> list[dict] | None:
    try:
        data = jsontext.read(path)
    except JSONTextError:
        raise RunFolderError(f"{path}: damaged label cache (delete it to recompute)") from None
    fits = data.get("game") == game.info.name and data.get("count") == count and data.get("seed") == seed
    return data["labels"] if fits and all("good" in label for label in data["labels"]) else None


def solver_labels(run: Path, game: Game, count: int, seed: int = _LABEL_SEED) -> list[dict] | None:
    """[{"moves", "best", "good"}] for `count` positions (best: the optimal actions by exact score;
    good: the actions that keep the win, draw or loss), cached in run/labels.json; None when the game has no solver.

    A run folder keeps its own cache, so its rates stay comparable across resumes. A new one takes
    the positions shipped in move37/data where the game has them (`shipped_labels`: no solving, and
    no dependence on anything beside the package); otherwise the solver labels positions of random
    playouts once. Another `seed` draws another set (benchmarks that want positions training never
    measured).
    """
    path = Path(run) / "labels.json"
    if path.is_file():
        labels = _read_labels(path, game, count, seed)
        if labels is not None:
            return labels
    labels = shipped_labels(game, count, seed)
    if labels is None:
        try:
            solver = solvers.for_game(game)
        except UnknownNameError:
            return None
        from tqdm import tqdm

        labels = []
        for moves in tqdm(_positions(game, count, seed), desc="solver labels", unit="pos", leave=False, disable=None):
            state = game.state_from_moves(moves)
            result = solver.solve(state)
            labels.append({"moves": moves, "best": list(result.best_actions),
                           "good": list(solver.good_actions(state, result.score))})
    write_json(path, {"game": game.info.name, "count": count, "seed": seed, "labels": labels})
    return labels


def searched_moves(game: Game, evaluate: Evaluate, labels: list[dict], sims: int,
                   config: SearchConfig, store=None) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per labelled position, searched 128 at a time: (the search's move, or with sims = 0 the raw
    policy's most probable legal move; root child values q float32 (A,); root visits int32 (A,)).
    store: BatchedSearch's (a learned model's latent states, move37.worldmodel) instead of the rules."""
    batch = 128
    search = BatchedSearch(game, evaluate, config, batch, max(sims, 1), compiled_for(game), store=store)
    rows = []
    for start in range(0, len(labels), batch):
        part = labels[start:start + batch]
        for b in range(batch):
            search.set_root(b, game.state_from_moves(part[b]["moves"]) if b < len(part) else None)
        out = search.run(sims)
        actions = out.prior_action() if sims == 0 else out.action
        rows += [(int(actions[b]), out.q[b].copy(), out.visits[b].copy()) for b in range(len(part))]
    return rows


def move_rates(game: Game, evaluate: Evaluate, labels: list[dict], sims: int, config: SearchConfig,
               store=None) -> dict[str, float]:
    """The searched (sims > 0) or raw-policy (sims = 0) move's quality over the labelled positions:
    {"optimal": share of optimal moves (exact score: fastest win, slowest loss), "good": share of
    moves that keep the result} -- the "perfect" and "good" move rates of published AlphaZero
    Connect Four studies."""
    actions = [action for action, _, _ in searched_moves(game, evaluate, labels, sims, config, store)]
    count = max(len(labels), 1)
    return {"optimal": sum(a in label["best"] for a, label in zip(actions, labels)) / count,
            "good": sum(a in label["good"] for a, label in zip(actions, labels)) / count}


def ladder_records(run: Path, game: Game, config: ZeroConfig) -> list:
    """The baselines' round robin (`eval.ladder`, `eval.games` per pair), played once and kept in run/ladder.jsonl."""
    ladder, games, seed = config.eval.ladder, config.eval.games, config.seed
    path = Path(run) / "ladder.jsonl"
    if not path.is_file():
        tmp = path.with_name(".ladder.jsonl.tmp")
        tmp.unlink(missing_ok=True)
        arena.round_robin(game, list(ladder), games, openings(game), seed=seed, records=tmp, progress=False)
        os.replace(tmp, path)
    return arena.read_records(path)


def openings(game: Game) -> tuple[str, ...]:
    """Every 2-move opening, unvetted (vetting them costs full solves of near-empty boards),
    each played with both colours so neither side gains from a lopsided one."""
    return arena.balanced_openings(game, plies=2, use_solver=False).moves or ("",)


def elo_against_ladder(records: list, game: Game, evaluate: Evaluate, ladder: tuple[str, ...], games: int, sims: int,
                       config: SearchConfig, seed: int, name: str) -> dict:
    """The network's Elo (with its 95% interval) from games against each ladder agent, fitted together with the
    ladder's own round robin `records` (ladder_records)."""
    records = list(records)
    player = ZeroAgent.from_evaluate(game, evaluate, sims, SearchConfig(**{**config.__dict__, "reuse": False}), seed)
    player.spec = name
    starts = list(openings(game))
    np.random.default_rng([seed, len(records)]).shuffle(starts)
    mine = []
    for k, spec in enumerate(ladder):
        opponent = agents.make(spec, game)
        try:
            mine += arena.play_match(game, player, opponent, games, starts, seed=arena.match.game_seed(seed, 1000 + k))
        finally:
            opponent.close()
    ratings = {r.name: r for r in arena.fit_elo(arena.results_from_records(records + mine), anchor="random")}
    me = ratings[name]
    score = sum(r.score(r.players.index(name)) for r in mine) / max(len(mine), 1)
    return {"elo": round(me.elo, 1), "elo_low": round(me.low, 1), "elo_high": round(me.high, 1), "score_vs_ladder": score,
            "ladder_elo": {n: round(r.elo, 1) for n, r in ratings.items() if n != name}}




def _rates_on(config: ZeroConfig, labels: list[dict] | None) -> bool:
    return bool(labels) and config.eval.every > 0


def elo_on(config: ZeroConfig) -> bool:
    return bool(config.eval.ladder) and config.eval.games > 0 and config.eval.elo_every > 0


def due(config: ZeroConfig, labels: list[dict] | None, iteration: int) -> bool:
    """Whether `evaluate_network` measures anything at `iteration`."""
    return (_rates_on(config, labels) and iteration % config.eval.every == 0) or \
        (elo_on(config) and iteration % config.eval.elo_every == 0)


def evaluate_network(game: Game, evaluate: Evaluate, config: ZeroConfig, labels: list[dict] | None, iteration: int,
                     ladder: Callable[[], list]) -> dict:
    """The metrics-line fields of the evaluations due at `iteration` (none: {}): optimal and good move rates,
    raw policy and searched, every `eval.every` iterations; Elo against the ladder every `eval.elo_every`, fitted
    with the ladder's own round robin, which `ladder()` returns (ladder_records, played once per run)."""
    row: dict = {}
    if _rates_on(config, labels) and iteration % config.eval.every == 0:
        for sims, suffix in ((0, "_policy"), (config.eval.sims, "")):
            rates = move_rates(game, evaluate, labels, sims, config.search)
            row[f"optimal_rate{suffix}"], row[f"good_rate{suffix}"] = round(rates["optimal"], 4), round(rates["good"], 4)
    if elo_on(config) and iteration % config.eval.elo_every == 0:
        row.update(elo_against_ladder(ladder(), game, evaluate, config.eval.ladder, config.eval.games, config.eval.sims,
                                      config.search, config.seed, f"zero@{iteration}"))
    return row
