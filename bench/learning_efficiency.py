"""Learning efficiency: Connect Four optimal-move rate against training minutes, move37 beside
Pgx's own AlphaZero example (bench/peers/pgx_alphazero.py), trained at the same time for the
same budget with the same network, simulations and games in parallel.

Both run as child processes started together, each with every thread pool at one thread
and `nice -n 5` (the shared machine's other jobs keep their priority):
- move37: `move37 train connect4 --out RUN/move37 --minutes M` on the preset config
  (its metrics.jsonl: optimal_rate, optimal_rate_policy, good_rate(_policy) every 5
  iterations; its "elapsed" clock includes that evaluation);
- Pgx: `bench/peers/pgx_alphazero.py --minutes M` (measures every `--eval-every` seconds
  of its own training clock, evaluation excluded, at iteration ends).
Each child's CPU seconds (user + system, from wait4) are recorded beside its curve.

    .venv-bench/bin/python bench/learning_efficiency.py --minutes 30

Writes bench/results/learning_efficiency.json, bench/results/learning_efficiency_pgx.json
(the Pgx side's own curve) and docs/results/img/learning_efficiency.png, and prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from move37.atomic import write_json  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
RATES = ("optimal_rate", "optimal_rate_policy", "good_rate", "good_rate_policy")


def start(command: list[str], log: Path) -> subprocess.Popen:
    """`command` under `nice -n 5` with one-thread pools, output to `log`."""
    env = {**os.environ, **ONE_THREAD, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as f:
        return subprocess.Popen(["nice", "-n", "5", *command], cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT)


def finish(proc: subprocess.Popen) -> dict:
    """Wait for one child; its exit status, wall seconds and CPU seconds (nice execs the command in place)."""
    t0 = time.monotonic()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": proc.returncode, "waited_s": round(time.monotonic() - t0, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "user_s": round(usage.ru_utime, 1),
            "system_s": round(usage.ru_stime, 1)}


def move37_curve(run: Path) -> list[dict]:
    """The evaluated rows of move37's metrics.jsonl, in training minutes."""
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return [{"minutes": round(r["elapsed"] / 60, 3), "iteration": r["iteration"], "positions": r["positions"],
             **{k: r[k] for k in RATES}} for r in rows if "optimal_rate" in r]


def pgx_curve(path: Path) -> list[dict]:
    """The Pgx side's points, in training minutes (evaluation excluded) and total wall minutes."""
    points = json.loads(path.read_text())["curve"]
    return [{"minutes": round(p["train_s"] / 60, 3), "wall_minutes": round(p["wall_s"] / 60, 3),
             "iteration": p["iteration"], "positions": p["frames"], "cpu_s": p["cpu_s"], **{k: p[k] for k in RATES}}
            for p in points]


def at_budget(curve: list[dict], minutes: float) -> dict | None:
    """The last point measured within the budget (the final state of a run stopped at it)."""
    inside = [p for p in curve if p["minutes"] <= minutes + 1e-9]
    return inside[-1] if inside else None


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    # Pgx's network changes only at the end of an iteration (minutes apart here), so its curve is drawn as steps.
    for side, colour, steps in (("move37", "tab:blue", "default"), ("pgx_alphazero", "tab:orange", "steps-post")):
        curve = result["sides"][side]["curve"]
        xs = [p["minutes"] for p in curve]
        ax.plot(xs, [p["optimal_rate"] for p in curve], "-o", ms=3, color=colour, drawstyle=steps,
                label=f"{side}: search (32 sims)")
        ax.plot(xs, [p["optimal_rate_policy"] for p in curve], "--", color=colour, drawstyle=steps,
                label=f"{side}: raw policy")
    ax.axvline(result["minutes"], color="grey", lw=0.8, ls=":")  # the budget; a side's last iteration may end past it
    ax.set_xlabel("training minutes (one thread, nice 5, shared 2-core machine)")
    ax.set_ylabel("optimal-move rate (300 positions)")
    ax.set_title("Connect Four, 32x3 residual net, 256 games, 32 Gumbel simulations")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def table(result: dict) -> str:
    """Both sides' last point within the budget and final point (each side starts its last
    iteration before the budget ends, so the final point lies a little past it)."""
    lines = ["| side | point | training minutes | iteration | positions played | CPU s (whole run) | optimal (search) "
             "| optimal (policy) | good (search) | good (policy) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for side, data in result["sides"].items():
        for name in ("at_budget", "final"):
            p = data[name]
            if p is None:
                continue
            rates = " | ".join(f"{p[k]:.3f}" for k in RATES)
            lines.append(f"| {side} | {name.replace('_', ' ')} | {p['minutes']:.1f} | {p['iteration']} | {p['positions']:,} "
                         f"| {data['process']['cpu_s']:,.0f} | {rates} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=30.0, help="training budget of each side")
    p.add_argument("--eval-every", type=float, default=120.0, help="Pgx side: training seconds between measurements")
    p.add_argument("--run", type=Path, default=None, help="folder for both runs and logs (default: a new temporary one)")
    p.add_argument("--out", type=Path, default=RESULTS / "learning_efficiency.json")
    p.add_argument("--pgx-out", type=Path, default=RESULTS / "learning_efficiency_pgx.json")
    p.add_argument("--plot", type=Path, default=ROOT / "docs" / "results" / "img" / "learning_efficiency.png")
    args = p.parse_args(argv)
    if args.minutes <= 0 or args.eval_every <= 0:
        p.error("--minutes and --eval-every must be positive")
    run = args.run or Path(tempfile.mkdtemp(prefix="learning_efficiency_"))
    run.mkdir(parents=True, exist_ok=True)
    minutes = f"{args.minutes:g}"
    python = sys.executable
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_start = os.getloadavg()
    move37_cmd = [str(Path(python).parent / "move37"), "train", "connect4", "--out", str(run / "move37"), "--minutes", minutes]
    pgx_cmd = [python, "bench/peers/pgx_alphazero.py", "--minutes", minutes, "--eval-every", f"{args.eval_every:g}",
               "--threads", "1", "--out", str(args.pgx_out)]
    procs = {"move37": start(move37_cmd, run / "move37.log"), "pgx_alphazero": start(pgx_cmd, run / "pgx.log")}
    print(f"started both ({minutes} minutes each); logs in {run}", file=sys.stderr, flush=True)
    usage = {side: finish(proc) for side, proc in procs.items()}
    for side, u in usage.items():
        if u["exit"] != 0:
            print(f"{side} failed (exit {u['exit']}); see {run}", file=sys.stderr)
            return 1
    curves = {"move37": move37_curve(run / "move37"), "pgx_alphazero": pgx_curve(args.pgx_out)}
    commands = {"move37": " ".join(["nice -n 5", "move37", *move37_cmd[1:]]),
                "pgx_alphazero": " ".join(["nice -n 5", os.path.relpath(python, ROOT), *pgx_cmd[1:]])}
    result = {"command": " ".join([os.path.relpath(python, ROOT), "bench/learning_efficiency.py",
                                   *(argv if argv is not None else sys.argv[1:])]),
              "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "loadavg_start": load_start, "loadavg_end": os.getloadavg(), "minutes": args.minutes, "run": str(run),
              "sides": {side: {"command": commands[side], "process": usage[side], "curve": curves[side],
                               "at_budget": at_budget(curves[side], args.minutes),
                               "final": curves[side][-1] if curves[side] else None} for side in procs}}
    write_json(args.out, result)
    plot(result, args.plot)
    print(table(result))
    print(f"wrote {args.out}, {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
