"""The Bitter Lesson's curves: playing strength against compute per move, for hand-made and learned agents.

    nice -n 10 python bench/bitter_lesson.py                       # Connect Four, the agents and budgets below
    nice -n 10 python bench/bitter_lesson.py --game othello:size=6 # Othello 6x6 (Elo only: no labelled positions)

One harness for every agent: the hand-made alpha-beta (its hand-written evaluation), UCT (`mcts:`, random
rollouts), Zero (a network learned by self-play from the rules) and AlphaGo (`alphago:DIR`, the imitation
policy's prior and a value network). Each agent is run at several budgets (depth or simulations: fixed
counts, so a point is reproducible; a time budget would make the x axis the wall clock of a loaded machine).
A point (agent, budget) measures:

- compute per move: the CPU time of this process (`time.process_time`: user + system of every thread,
  so a busy shared machine slows a move without inflating its cost) over each of the agent's moves, the
  labelled positions' and the ladder games' together, after one untimed warm-up move (compiling and loading);
- the optimal-move rate on solver-labelled positions where the game has them (Connect Four: the shipped
  ones, training's evaluation set), with a 95% Wilson interval;
- Elo against a fixed ladder: `games` games against each ladder agent (move37.arena, colours alternated
  over solver-vetted openings), fitted together with the ladder's own round robin, random = 0, with the
  arena's 95% intervals.

Resumable: OUT/results.json holds the finished points (written atomically after each) and OUT/games.jsonl
every finished game, so a restarted run skips finished points and replays no finished game. A run started
with other settings (positions, ladder, games, seed) in the same folder is refused. The PNG (one per game)
is redrawn from the results after every point.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scipy.stats import binomtest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from move37 import agents, arena, games, jsontext  # noqa: E402
from move37.agents.base import Agent, Analysis  # noqa: E402
from move37.atomic import write_bytes, write_json  # noqa: E402
from move37.errors import ConfigError  # noqa: E402

#: per game: the ladder (fixed opponents, random = 0) and each agent's spec template with its budgets
SETUPS = {
    "connect4": {
        "ladder": ["random", "alphabeta:depth=2", "mcts:sims=300", "alphabeta:depth=6"],
        "opening_plies": 8, "vet_openings": True,
        "agents": {"alphabeta": ("alphabeta:depth={}", [1, 2, 4, 6, 8, 10]),
                   "mcts": ("mcts:sims={}", [100, 1000, 10_000, 100_000, 300_000]),
                   "zero": ("zero:sims={}", [0, 8, 32, 128, 512]),
                   "alphago": ("alphago:runs/ag/alphago,sims={}", [0, 8, 32, 128, 512])},
    },
    "othello:size=6": {
        "ladder": ["random", "alphabeta:depth=2", "mcts:sims=300"], "opening_plies": 4, "vet_openings": False,
        "agents": {"alphabeta": ("alphabeta:depth={}", [1, 2, 3, 4]),
                   "mcts": ("mcts:sims={}", [10, 100, 1000]),
                   "zero": ("zero:bench/results/othello6-zero/weights.safetensors,sims={}", [0, 8, 32, 128])},
    },
}
COLOURS = {"alphabeta": "tab:gray", "mcts": "tab:orange", "zero": "tab:blue", "alphago": "tab:red"}


class CpuTimed(Agent):
    """An agent whose moves are timed in CPU-seconds of this process (`clock`), so a point's cost per move
    is what the agent computed, not how long the shared machine made it wait. Spec and seeding are the
    wrapped agent's, so arena records name it as usual."""

    def __init__(self, agent: Agent, clock: Callable[[], float] = time.process_time):
        self.agent, self.clock, self.spec = agent, clock, agent.spec
        self.cpu_seconds, self.moves = 0.0, 0

    def _analyse(self, state) -> Analysis:
        start = self.clock()
        analysis = self.agent.analyse(state)
        self.cpu_seconds += self.clock() - start
        self.moves += 1
        return analysis

    def reset(self, seed: int | None = None) -> None:
        self.agent.reset(seed)

    def close(self) -> None:
        self.agent.close()

    def cpu_ms_per_move(self) -> float:
        return 1000.0 * self.cpu_seconds / max(self.moves, 1)


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of a rate (scipy's, as bench/prover_baselines.py and bench/zero_search_sims.py use)."""
    if n == 0:
        return 0.0, 1.0
    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return max(0.0, float(ci.low)), min(1.0, float(ci.high))


def move_quality(game, player: Agent, labels: list[dict]) -> dict:
    """The player's move on each labelled position: counts of optimal and good (result-keeping) moves."""
    optimal = good = 0
    for label in labels:
        action = player.act(game.state_from_moves(label["moves"]))
        optimal += action in label["best"]
        good += action in label["good"]
    return {"positions": len(labels), "optimal": optimal, "good": good}


def measure_point(game, spec: str, labels: list[dict], ladder: list[str], games_per_opponent: int,
                  openings: list[str], seed: int, played: dict, on_game: Callable,
                  clock: Callable[[], float] = time.process_time, name: str | None = None) -> dict:
    """One (agent, budget) point: CPU-ms per move, move quality on `labels`, and its games against the ladder
    (records go to `on_game`; those in `played` are not replayed, and their moves are not timed)."""
    inner = agents.make(spec, game)
    player = CpuTimed(inner, clock)
    try:
        inner.act(game.state_from_moves(labels[0]["moves"]) if labels else game.initial_state())  # warm-up, untimed
        load = [os.getloadavg()[0]]
        row: dict = {"spec": spec}
        if labels:
            row |= move_quality(game, player, labels)
        row["moves_positions"], row["cpu_s_positions"] = player.moves, round(player.cpu_seconds, 4)
        score, count = 0.0, 0
        for k, opponent_spec in enumerate(ladder):
            opponent = agents.make(opponent_spec, game)
            try:
                records = arena.play_match(game, player, opponent, games_per_opponent, openings,
                                           seed=arena.match.game_seed(seed, 100 + k), on_game=on_game,
                                           played=played, name=name)
            finally:
                opponent.close()
            score += sum(r.score(r.players.index(spec)) for r in records)
            count += len(records)
        load.append(os.getloadavg()[0])
        row |= {"moves": player.moves, "cpu_s": round(player.cpu_seconds, 4),
                "cpu_ms_per_move": player.cpu_ms_per_move(),
                "score_vs_ladder": score / max(count, 1), "ladder_games": count, "load": load}
        return row
    finally:
        player.close()


def elo_table(records: list) -> dict[str, dict]:
    """Elo (random = 0) with 95% intervals of every player in the records, fitted together."""
    return {r.name: {"elo": round(r.elo, 1), "low": round(r.low, 1), "high": round(r.high, 1)}
            for r in arena.fit_elo(arena.results_from_records(records), anchor="random")}


def plot(result: dict, path: Path) -> None:
    """Optimal-move rate (where labelled) and Elo against CPU-ms per move (log x), one line per agent."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points, elo = result["points"], result.get("elo", {})
    has_rates = any("optimal" in p for p in points.values())
    fig, axes = plt.subplots(1, 2 if has_rates else 1, figsize=(12 if has_rates else 6.5, 4.6), squeeze=False)
    panels = [("elo", axes[0][-1])] + ([("optimal", axes[0][0])] if has_rates else [])
    for label in dict.fromkeys(p["agent"] for p in points.values()):
        mine = sorted((p for p in points.values() if p["agent"] == label), key=lambda p: p["cpu_ms_per_move"])
        x = [p["cpu_ms_per_move"] for p in mine]
        for kind, ax in panels:
            if kind == "elo":
                rows = [elo.get(p["spec"]) for p in mine]
                keep = [(xi, r, p) for xi, r, p in zip(x, rows, mine) if r is not None]
                if not keep:
                    continue
                xs, ys = [k[0] for k in keep], [k[1]["elo"] for k in keep]
                err = [[k[1]["elo"] - k[1]["low"] for k in keep], [k[1]["high"] - k[1]["elo"] for k in keep]]
            else:
                keep = [(xi, p) for xi, p in zip(x, mine) if "optimal" in p]
                xs, ys = [k[0] for k in keep], [k[1]["optimal"] / k[1]["positions"] for k in keep]
                bounds = [wilson(k[1]["optimal"], k[1]["positions"]) for k in keep]
                err = [[y - b[0] for y, b in zip(ys, bounds)], [b[1] - y for y, b in zip(ys, bounds)]]
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, color=COLOURS.get(label), label=label)
            for (xi, yi), p in zip(zip(xs, ys), [k[-1] for k in keep]):
                ax.annotate(str(p["budget"]), (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=7)
    for kind, ax in panels:
        ax.set_xscale("log")
        ax.set_xlabel("CPU-ms per move (process CPU time, log scale)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        if kind == "elo":
            ax.set_ylabel("Elo against the ladder (random = 0), 95% interval")
        else:
            ax.set_ylabel(f"optimal-move rate ({result['config']['positions']} labelled positions), 95% interval")
    fig.suptitle(f"{result['game']}: strength against compute per move (labels: depth or simulations)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_bytes(path, buf.getvalue())


def labels_for(game, count: int, seed: int) -> list[dict]:
    """`count` solver-labelled positions: Connect Four's shipped ones; none for other games (solving
    Othello 6x6 or Go middlegames is beyond a benchmark's minutes)."""
    if game.info.name != "connect4" or count == 0:
        return []
    from move37.data import connect4_sample

    return connect4_sample(count, seed)


def schedule(setup_agents: dict, only: set[str] | None = None) -> list[tuple[str, str, int]]:
    """(agent, spec template, budget) in the order measured: every agent's cheapest budget first, then every
    agent's second, and so on, so a run cut short still has every agent's curve over the cheaper budgets."""
    chosen = [(label, template, budgets) for label, (template, budgets) in setup_agents.items()
              if not only or label in only]
    width = max((len(budgets) for _, _, budgets in chosen), default=0)
    return [(label, template, budgets[i]) for i in range(width) for label, template, budgets in chosen
            if i < len(budgets)]


def run(game_spec: str, out: Path, setup: dict, positions: int, games_per_opponent: int, seed: int,
        only: set[str] | None = None, png: Path | None = None, log=print) -> dict:
    """Measure every point of `setup` not yet in out/results.json; returns the results (also written there)."""
    game = games.make(game_spec)
    out.mkdir(parents=True, exist_ok=True)
    config = {"positions": positions, "label_seed": 37, "ladder": setup["ladder"],
              "opening_plies": setup["opening_plies"], "vet_openings": setup["vet_openings"],
              "games_per_opponent": games_per_opponent, "seed": seed}
    path, games_path = out / "results.json", out / "games.jsonl"
    result = jsontext.read(path) if path.is_file() else {"game": game_spec, "config": config, "points": {}}
    if result["config"] != config or result["game"] != game_spec:
        raise ConfigError(f"{path} holds a run with other settings ({result['game']}, {result['config']}); "
                          "use another --out")
    labels = labels_for(game, positions, 37)
    openings = list(arena.balanced_openings(game, plies=setup["opening_plies"], count=max(1, games_per_opponent // 2),
                                            seed=seed, use_solver=setup["vet_openings"]).moves) or [""]
    played = {r.key: r for r in arena.read_records(games_path)} if games_path.is_file() else {}
    writer = arena.RecordWriter(games_path)

    def on_game(record) -> None:
        if record.key not in played:
            writer.write(record)
            played[record.key] = record

    try:
        tmp = out / "ladder.jsonl"
        ladder_records = arena.round_robin(game, setup["ladder"], games_per_opponent, openings, seed=seed, records=tmp,
                                           progress=False, resume=True, name=game_spec)
        for label, template, budget in schedule(setup["agents"], only):
            key = f"{label}@{budget}"
            if key not in result["points"]:
                spec = template.format(budget)
                start = time.monotonic()
                row = measure_point(game, spec, labels, setup["ladder"], games_per_opponent, openings, seed, played,
                                    on_game, name=game_spec)
                result["points"][key] = {"agent": label, "budget": budget, **row,
                                         "wall_s": round(time.monotonic() - start, 1)}
                ours = [r for r in played.values() if any(p["spec"] in r.players for p in result["points"].values())]
                result["elo"] = elo_table(ladder_records + ours)
                result["load_now"] = os.getloadavg()
                write_json(path, result, indent=1)
                if png is not None:
                    plot(result, png)
                rate = f", optimal {row['optimal']}/{row['positions']}" if "optimal" in row else ""
                log(f"{key}: {row['cpu_ms_per_move']:.2f} CPU-ms/move over {row['moves']} moves{rate}, "
                    f"Elo {result['elo'][spec]['elo']:.0f} [{result['elo'][spec]['low']:.0f}, "
                    f"{result['elo'][spec]['high']:.0f}], load {row['load']}, {result['points'][key]['wall_s']} s")
    finally:
        writer.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="connect4", choices=sorted(SETUPS))
    parser.add_argument("--out", help="results folder (default runs/bitter/GAME)")
    parser.add_argument("--positions", type=int, default=200, help="labelled positions (Connect Four)")
    parser.add_argument("--games", type=int, default=8, help="games against each ladder agent (even)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="agents to measure now (default all)")
    parser.add_argument("--budgets", nargs="*", default=[], metavar="AGENT=B1,B2",
                        help="replace an agent's budgets, e.g. mcts=10,100")
    parser.add_argument("--png", help="default docs/results/alphago/bitter-GAME.png")
    args = parser.parse_args()
    setup = {**SETUPS[args.game], "agents": dict(SETUPS[args.game]["agents"])}
    for item in args.budgets:
        label, _, values = item.partition("=")
        if label not in setup["agents"]:
            parser.error(f"--budgets: no agent {label!r} (have {', '.join(setup['agents'])})")
        setup["agents"][label] = (setup["agents"][label][0], [int(v) for v in values.split(",")])
    slug = args.game.replace(":size=", "")
    out = Path(args.out or f"runs/bitter/{slug}")
    png = Path(args.png or f"docs/results/alphago/bitter-{slug}.png")
    try:
        run(args.game, out, setup, args.positions, args.games, args.seed, set(args.only or []) or None, png,
            log=lambda line: print(line, flush=True))
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    write_json(ROOT / "bench" / "results" / f"bitter_{slug}.json", jsontext.read(out / "results.json"), indent=1)


if __name__ == "__main__":
    main()
