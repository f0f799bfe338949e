"""Zero against AlphaGo at equal compute on Connect Four (issue 17, item 3).

Three ways to spend the same CPU-seconds, each as child processes of this script run one at a time
(`move37` commands, every thread pool at one thread), their CPU time (user + system, the children's own,
from the kernel's accounting) counted, so a loaded machine slows them without biasing the comparison:

- alphago: `move37 demonstrate` makes the expert records (humanlike:depth=4, the documented human-like
  demonstrator), then `move37 alphago` runs its three stages (supervised policy, RL policy by
  policy-gradient self-play against a pool, value network), each stage a child of its own so its cost is
  known. Its total, records included, is the budget B of the other two.
- zero: `move37 train connect4` from the rules alone (the preset, in-training evaluation off so it spends
  nothing on measuring itself), stopped when its CPU time reaches B; its network is the last checkpoint
  written before that.
- zero-init: the same, started from the supervised policy (`--init OUT/alphago/sl.safetensors`), stopped at
  B minus what the records and the supervised stage cost (they are charged to it too).

Then, outside the budget: the optimal- and good-move rates on the 300 solver-labelled positions of
training's evaluation (move37.train.evaluate: the raw policy and 32 simulations) for each arm's networks
along its CPU-seconds, one round robin (move37.arena: colours alternated over solver-vetted openings,
maximum-likelihood Elo with 95% intervals, the demonstrator anchored at 0) of the three final agents at 32
simulations and the demonstrator, and one PNG of the curves and the ratings.

    nice -n 10 .venv/bin/python bench/alphago_connect4.py [--out runs/alphago-c4] [--games 800]

Resumable: every finished step is recorded in OUT/bench.json and skipped when the script runs again (a
step cut short is run again from its own run folder, which resumes; the CPU time of the cut-short process
after its last checkpoint is then not counted). Writes bench/results/alphago_connect4.json (+ .jsonl, the
arena's games) and docs/results/alphago/connect4-equal-compute.png.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from move37 import arena, games, jsontext  # noqa: E402
from move37.atomic import write_bytes, write_json  # noqa: E402
from move37.cli.arena import format_table  # noqa: E402

ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
DEMONSTRATOR = "humanlike:depth=4"
SIMS = 32
ZERO_CONFIG = {"eval": {"every": 0, "elo_every": 0}, "keep_every": 2, "keep_checkpoints": 3}


def alphago_config(rl_iterations: int, value_games: int, epochs: int) -> dict:
    """The pipeline's settings, sized to a few CPU-minutes (configs/alphago-connect4.json is the full one). The
    RL stage measures itself against the supervised policy once, at its end."""
    return {"seed": 0,
            "imitation": {"epochs": epochs, "batch_size": 256, "lr": 0.002, "holdout": 0.1, "value_weight": 0.25},
            "rl": {"iterations": rl_iterations, "games": 64, "lr": 0.01, "pool_every": 10,
                   "eval_every": rl_iterations, "eval_games": 128},
            "value": {"games": value_games, "chunk": 250, "positions_per_game": 4, "u_max": 30, "epochs": 4,
                      "lr": 0.001}}


class Bench:
    """OUT/bench.json: what each finished step cost (CPU-seconds) and the zero runs' CPU stamps per iteration."""

    def __init__(self, out: Path):
        self.out, self.path = out, out / "bench.json"
        self.state = jsontext.read(self.path) if self.path.is_file() else {}

    def save(self) -> None:
        write_json(self.path, self.state, indent=1)

    def child(self, name: str, argv: list[str]) -> float:
        """Run one `move37` command to its end (once: a finished step is skipped); its CPU-seconds."""
        if name in self.state.get("cpu", {}):
            return self.state["cpu"][name]
        before = _children_cpu()
        proc = _start(argv, self.out / "logs" / f"{name}.log")
        if proc.wait() != 0:
            sys.exit(f"{name}: exit status {proc.returncode}, see {self.out / 'logs' / (name + '.log')}")
        self.state.setdefault("cpu", {})[name] = round(_children_cpu() - before, 2)
        self.save()
        print(f"{name}: {self.state['cpu'][name]:.1f} CPU-s", flush=True)
        return self.state["cpu"][name]

    def budgeted_train(self, name: str, budget: float, extra: list[str]) -> float:
        """`move37 train connect4 --out OUT/name` until its CPU time reaches `budget`; stamps each iteration with
        the CPU-seconds spent when its metrics row appeared. Returns the CPU-seconds counted."""
        stamps = self.state.setdefault("stamps", {}).setdefault(name, [])
        if name in self.state.get("cpu", {}):
            return self.state["cpu"][name]
        run = self.out / name
        config = self.out / "zero-config.json"
        write_json(config, ZERO_CONFIG)
        offset = stamps[-1][1] if stamps else 0.0  # a resumed run goes on from its last checkpoint
        if offset >= budget:  # stopped at the budget before this step was recorded
            self.state.setdefault("cpu", {})[name] = offset
            self.save()
            return offset
        metrics = run / "metrics.jsonl"
        seen = _rows(metrics)
        before = _children_cpu()
        proc = _start(["train", "connect4", "--out", str(run), "--minutes", "100000", "--config", str(config), *extra],
                      self.out / "logs" / f"{name}.log")
        watch = psutil.Process(proc.pid)
        spent = offset
        while proc.poll() is None:
            time.sleep(1.0)
            try:
                times = watch.cpu_times()
                spent = offset + times.user + times.system
            except psutil.Error:
                break
            rows = _rows(metrics)
            for row in rows[len(seen):]:
                stamps.append([int(row["iteration"]), round(spent, 2)])
                print(f"{name}: iteration {row['iteration']} at {spent:.0f} of {budget:.0f} CPU-s", flush=True)
            if len(rows) > len(seen):
                seen = rows
                self.save()
            if spent >= budget:  # SIGTERM: a child started in the background ignores SIGINT; checkpoints are atomic
                proc.send_signal(signal.SIGTERM)
                break
        proc.wait()
        spent = offset + _children_cpu() - before
        self.state.setdefault("cpu", {})[name] = round(spent, 2)
        self.save()
        return spent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _start(argv: list[str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(ROOT / "src")}
    with open(log, "ab") as f:
        return subprocess.Popen([sys.executable, "-m", "move37.cli", *argv], stdout=f, stderr=subprocess.STDOUT,
                                env=env, cwd=ROOT)


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # a row being written
            break
    return rows


def checkpoints(run: Path, stamps: list[list], budget: float) -> list[tuple[int, float, Path]]:
    """(iteration, CPU-seconds, weights) of every kept checkpoint written within `budget`, by iteration."""
    cpu = {int(i): float(c) for i, c in stamps}
    found = []
    for folder in sorted((run / "checkpoints").iterdir()):
        weights = folder / "weights.safetensors"
        if folder.name.isdigit() and weights.is_file() and int(folder.name) in cpu and cpu[int(folder.name)] <= budget:
            found.append((int(folder.name), cpu[int(folder.name)], weights))
    return found


def rates(game, evaluate, labels, config) -> dict[str, float]:
    """Optimal- and good-move rates, raw policy and SIMS simulations."""
    from move37.train import evaluate as ev

    raw, searched = ev.move_rates(game, evaluate, labels, 0, config), ev.move_rates(game, evaluate, labels, SIMS, config)
    return {"optimal_raw": raw["optimal"], "good_raw": raw["good"], "optimal": searched["optimal"],
            "good": searched["good"]}


def measure(bench: Bench, game, labels, budget: float, shares: dict[str, float]) -> dict[str, list[dict]]:
    """The curves: each arm's rates along its CPU-seconds (cached in OUT/bench.json)."""
    from move37.agents.zero import play_config
    from move37.alphago.agent import alphago_evaluate
    from move37.nets import evaluator, load_net
    from move37.search.batched import SearchConfig

    curves = bench.state.setdefault("curves", {})
    puct = SearchConfig(algorithm="puct", discount=1.0)
    ag = bench.out / "alphago"
    if "alphago" not in curves:
        sl = evaluator(load_net(ag / "sl.safetensors", "connect4", info=game.info))
        rl = evaluator(load_net(ag / "rl.safetensors", "connect4", info=game.info))
        curves["alphago"] = [
            {"stage": "supervised policy (its own value head)", "cpu_seconds": shares["sl"], **rates(game, sl, labels, puct)},
            {"stage": "RL policy (its own value head)", "cpu_seconds": shares["rl"], **rates(game, rl, labels, puct)},
            {"stage": "alphago (SL prior, value network)", "cpu_seconds": shares["value"],
             **rates(game, alphago_evaluate(ag, game), labels, puct)}]
        bench.save()
    for name in ("zero", "zero-init"):
        rows = curves.setdefault(name, [])
        done = {r["iteration"] for r in rows}
        limit = budget if name == "zero" else budget - shares["sl"]
        for iteration, cpu, weights in checkpoints(bench.out / name, bench.state["stamps"][name], limit):
            if iteration in done:
                continue
            evaluate = evaluator(load_net(weights, "connect4", info=game.info))
            start = 0.0 if name == "zero" else shares["sl"]
            rows.append({"iteration": iteration, "cpu_seconds": start + cpu,
                         **rates(game, evaluate, labels, play_config(weights))})
            rows.sort(key=lambda r: r["iteration"])
            bench.save()
            print(f"{name} iteration {iteration}: optimal {rows[-1]['optimal']:.3f}", flush=True)
    return curves


def final_players(bench: Bench, budget: float, sl_cost: float) -> dict[str, dict]:
    """Each arm's final player at SIMS simulations: its agent spec, and the CPU-seconds spent up to its network
    (the zero runs' last checkpoint within the budget, the supervised stage counted for zero-init)."""
    players = {"alphago": {"spec": f"alphago:{bench.out / 'alphago'},sims={SIMS}", "cpu_seconds": budget}}
    for name, start, limit in (("zero", 0.0, budget), ("zero-init", sl_cost, budget - sl_cost)):
        iteration, cpu, weights = checkpoints(bench.out / name, bench.state["stamps"][name], limit)[-1]
        players[name] = {"spec": f"zero:{weights},sims={SIMS}", "iteration": iteration,
                         "cpu_seconds": round(start + cpu, 1)}
    return players


def plot(path: Path, curves: dict, ratings: list[dict], budget: float, names: dict[str, str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    colours = {"zero": "tab:blue", "zero-init": "tab:green", "alphago": "tab:red"}
    for name, rows in curves.items():
        x = [r["cpu_seconds"] / 60 for r in rows]
        ax.plot(x, [r["optimal"] for r in rows], "o-", color=colours[name], label=f"{names[name]}, {SIMS} sims")
        ax.plot(x, [r["optimal_raw"] for r in rows], "x--", color=colours[name], alpha=0.6,
                label=f"{names[name]}, raw policy")
    ax.axvline(budget / 60, color="grey", lw=0.8)
    ax.set_xlabel("CPU-minutes (expert records counted)")
    ax.set_ylabel("optimal-move rate (300 labelled positions)")
    ax.set_title("Connect Four: the same CPU-seconds three ways")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ys = range(len(ratings))
    bx.errorbar([r["elo"] for r in ratings], ys, xerr=[[r["elo"] - r["low"] for r in ratings],
                                                      [r["high"] - r["elo"] for r in ratings]], fmt="o", capsize=4)
    bx.set_yticks(list(ys), [r["label"] for r in ratings], fontsize=8)
    bx.invert_yaxis()
    bx.set_xlabel(f"Elo, 95% interval ({DEMONSTRATOR} = 0)")
    bx.set_title("round robin of the final players")
    bx.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/alphago-c4", help="folder of the runs (resumed)")
    parser.add_argument("--games", type=int, default=800, help="expert games the demonstrator plays")
    parser.add_argument("--epochs", type=int, default=8, help="supervised epochs")
    parser.add_argument("--rl-iterations", type=int, default=120)
    parser.add_argument("--value-games", type=int, default=2000)
    parser.add_argument("--arena-games", type=int, default=10, help="games per pair")
    parser.add_argument("--positions", type=int, default=300, help="labelled positions for the rates")
    parser.add_argument("--results", default="bench/results/alphago_connect4")
    parser.add_argument("--png", default="docs/results/alphago/connect4-equal-compute.png")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bench = Bench(out)
    game = games.make("connect4")
    config = out / "alphago-config.json"
    write_json(config, alphago_config(args.rl_iterations, args.value_games, args.epochs))
    records = out / "records.jsonl"

    cost = {"records": bench.child("records", ["demonstrate", "connect4", "--agent", DEMONSTRATOR, "--games",
                                               str(args.games), "--out", str(records)])}
    for stage in ("sl", "rl", "value"):
        cost[stage] = bench.child(stage, ["alphago", "connect4", "--out", str(out / "alphago"), "--records",
                                          str(records), "--config", str(config), "--until", stage])
    budget = sum(cost.values())
    shares = {"sl": cost["records"] + cost["sl"], "rl": cost["records"] + cost["sl"] + cost["rl"], "value": budget}
    print(f"budget: {budget:.0f} CPU-s (records {cost['records']:.0f}, supervised {cost['sl']:.0f}, "
          f"RL {cost['rl']:.0f}, value {cost['value']:.0f})", flush=True)
    zero_cpu = bench.budgeted_train("zero", budget, [])
    init_cpu = bench.budgeted_train("zero-init", budget - shares["sl"],
                                    ["--init", str(out / "alphago" / "sl.safetensors")])

    from move37.data import connect4_sample

    labels = connect4_sample(args.positions, 37)  # training's evaluation positions
    curves = measure(bench, game, labels, budget, shares)
    final = final_players(bench, budget, shares["sl"])
    specs = {name: player["spec"] for name, player in final.items()}
    start = time.perf_counter()
    openings = arena.balanced_openings(game, plies=8, count=max(1, args.arena_games // 2), seed=0)
    players = [specs["zero"], specs["zero-init"], specs["alphago"], DEMONSTRATOR]
    results_path = Path(args.results)
    records_path = results_path.with_suffix(".jsonl")
    records_path.parent.mkdir(parents=True, exist_ok=True)
    games_played = arena.round_robin(game, players, args.arena_games, openings.moves, seed=0, records=records_path,
                                     progress=False, resume=True)
    ratings = arena.fit_elo(arena.results_from_records(games_played), anchor=DEMONSTRATOR)
    print(format_table(ratings))
    label = {specs["zero"]: "zero", specs["zero-init"]: "zero-init", specs["alphago"]: "alphago",
             DEMONSTRATOR: "demonstrator"}
    names = {"zero": "Zero from the rules", "zero-init": "Zero from the imitation policy", "alphago": "AlphaGo path"}
    table = [{"agent": r.name, "label": label[r.name], "elo": round(r.elo, 1), "low": round(r.low, 1),
              "high": round(r.high, 1), "wins": r.wins, "draws": r.draws, "losses": r.losses, "games": r.games}
             for r in ratings]
    plot(ROOT / args.png, curves, table, budget, names)
    result = {"benchmark": "alphago_connect4", "command": " ".join(["python", *sys.argv]),
              "budget_cpu_seconds": round(budget, 1), "alphago_cpu_seconds": cost,
              "zero_cpu_seconds": round(zero_cpu, 1), "zero_init_cpu_seconds": round(init_cpu + shares["sl"], 1),
              "config": {"alphago": alphago_config(args.rl_iterations, args.value_games, args.epochs),
                         "zero": ZERO_CONFIG, "games": args.games, "demonstrator": DEMONSTRATOR},
              "positions": args.positions, "sims": SIMS, "curves": curves, "final": final,
              "arena": {"games_per_pair": args.arena_games, "openings": list(openings.moves), "ratings": table,
                        "games": len(games_played), "seconds": round(time.perf_counter() - start, 1)},
              "load_average": os.getloadavg()}
    write_json(results_path.with_suffix(".json"), result, indent=1)
    for name, rows in curves.items():
        last = rows[-1]
        print(f"{names[name]}: optimal {last['optimal']:.3f} ({SIMS} sims), {last['optimal_raw']:.3f} raw, "
              f"at {last['cpu_seconds']:.0f} CPU-s")


if __name__ == "__main__":
    main()
