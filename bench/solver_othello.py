"""Benchmark the exact Othello endgame solver on the FFO endgame suite.

For each chosen problem it solves the position (every optimal move, `solve`), checks
the score and the set of best moves against ../shared/data/othello/ffo_1-79.tsv,
and records wall and CPU seconds, nodes and nodes per second. Each problem runs in
a child process limited to --time-limit seconds of CPU time (RLIMIT_CPU: on a
machine shared with other jobs, CPU time measures the solver, wall time the load),
so an unfinished problem is reported as such instead of stalling the run. Only the best score and best moves
are compared: the suite's scores of the other moves contain known errors (problem
31, see ../shared/data/README.md).

Rows are merged by problem number into bench/results/solver_othello.json (each row
keeps the command that produced it) and docs/results/solver-othello.md is rewritten
from that file, both atomically. Run from the repository root:

    .venv/bin/python bench/solver_othello.py --problems 1-19,40-59 --time-limit 300
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from move37 import games  # noqa: E402
from move37.solvers.othello import OthelloEndgameSolver  # noqa: E402
from move37.atomic import write_text  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "othello" / "ffo_1-79.tsv"
WARM_UP = "--XXXXX--OOOXX-O-OOOXXOX-OXOXOXXOXXXOXXX--XOXOXX-XXXOOO--OOOOO-- X"  # FFO #1
RESULTS = ROOT / "bench" / "results" / "solver_othello.json"
DOC = ROOT / "docs" / "results" / "solver-othello.md"


def parse_ranges(text: str) -> list[int]:
    """"1-19,40-59" -> [1, ..., 19, 40, ..., 59]."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def load_problems(path: Path) -> dict[int, dict]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text().splitlines()[1:] if line.strip()]
    return {int(r[0]): {"no": int(r[0]), "empties": int(r[1]), "board": f"{r[3]} {r[2]}",
                        "score": int(r[4]), "best": sorted(r[5].split(","))} for r in rows}


def _solve_child(board: str, tt_bits: int, cpu_limit: float, queue) -> None:
    limit = max(1, int(cpu_limit + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))  # SIGXCPU ends the child
    game = games.make("othello")
    solver = OthelloEndgameSolver(game, max_empties=64, tt_bits=tt_bits)
    state = game.state_from_text(board)
    solver.solve(game.state_from_text(WARM_UP))  # page in the table and the code first
    wall, cpu = time.perf_counter(), time.process_time()
    result = solver.solve(state)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    best = sorted(game.action_to_text(state, a).upper() for a in result.best_actions)
    queue.put({"solver_score": result.score, "solver_best": best, "nodes": result.nodes,
               "wall_s": round(wall, 3), "cpu_s": round(cpu, 3)})


def solve_with_limit(board: str, tt_bits: int, limit: float) -> dict | None:
    """Solve in a forked child; None when it needs more than `limit` CPU seconds
    (or, as a guard against a stalled machine, 20 times that in wall time)."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_solve_child, args=(board, tt_bits, limit, queue))
    child.start()
    child.join(max(60.0, 20 * limit))
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get(timeout=5) if child.exitcode == 0 else None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _summary(rows: list[dict]) -> list[str]:
    """Lines on how far the solver gets: by number of empties, finished and median CPU time."""
    out = ["", "| empties | finished | median CPU s | max CPU s |", "|---|---:|---:|---:|"]
    for lo, hi in ((6, 19), (20, 21), (22, 23), (24, 25), (26, 27), (28, 34)):
        group = [r for r in rows if lo <= r["empties"] <= hi]
        if not group:
            continue
        cpu = [r["cpu_s"] for r in group if r["finished"]]
        med = f"{statistics.median(cpu):.2f}" if cpu else "—"
        top = f"{max(cpu):.2f}" if cpu else "—"
        out.append(f"| {lo}-{hi} | {len(cpu)} of {len(group)} | {med} | {top} |")
    return out


def render_doc(report: dict) -> str:
    rows = sorted(report["problems"], key=lambda r: r["no"])
    done = [r for r in rows if r["finished"]]
    agree = [r for r in done if r["score_ok"] and r["best_ok"]]
    lines = [
        "# Exact Othello endgame solver on the FFO suite",
        "",
        "`move37.solvers.othello.OthelloEndgameSolver` (Numba: principal variation search,",
        "transposition table, fastest-first / parity move order, stability and enhanced",
        "transposition cutoffs) against the FFO endgame problems in",
        "`../shared/data/othello/ffo_1-79.tsv`. Each problem is a cold solve (fresh table)",
        "of the exact score **and every optimal move**; a row agrees when the score equals",
        "the suite's best score and the set of optimal moves equals the suite's best moves",
        "(only those are compared: the suite's scores of other moves have known errors).",
        "",
        "Commands (each row names the one that produced it):",
        "",
        "```sh",
        *sorted({r["command"] for r in rows}),
        "```",
        "",
        f"Machine: {report['machine']}, shared with other jobs (1-minute load average "
        f"{min(r['load_avg'][0] for r in rows):g} to {max(max(r['load_avg']) for r in rows):g} during the runs), so wall",
        "time can be several times CPU time. Limits are CPU seconds and nodes/s is computed",
        "from CPU time. Nodes count every position searched except those with one empty",
        "square (solved by counting flips).",
        "",
        f"**{len(done)} of {len(rows)} problems finished within their CPU limit; "
        f"{len(agree)} of those agree with the suite on score and best moves"
        + ("" if len(agree) == len(done) else f"; {len(done) - len(agree)} disagree") + ".**",
        *_summary(rows),
        "",
        "| # | empties | FFO score | solver score | FFO best | solver best | agrees | CPU s | wall s | nodes | Mnodes/s (CPU) | run |",
        "|---:|---:|---:|---:|---|---|:---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        run = f"limit {r['limit_s']:g} s"
        if r["finished"]:
            lines.append(
                f"| {r['no']} | {r['empties']} | {r['score']:+d} | {r['solver_score']:+d} | {','.join(r['best'])} | "
                f"{','.join(r['solver_best'])} | {'yes' if r['score_ok'] and r['best_ok'] else '**no**'} | "
                f"{r['cpu_s']:.2f} | {r['wall_s']:.2f} | {r['nodes']:,} | {r['mnps']:.1f} | {run} |")
        else:
            lines.append(f"| {r['no']} | {r['empties']} | {r['score']:+d} | — | {','.join(r['best'])} | — | "
                         f"not finished | | | | | {run} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="1-19,40-59", help="FFO problem numbers, e.g. 1-19,40-59")
    parser.add_argument("--time-limit", type=float, default=120.0, help="CPU seconds per problem")
    parser.add_argument("--tt-bits", type=int, default=22, help="log2 of transposition-table entries")
    parser.add_argument("--data", type=Path, default=DATA, help="the FFO table (ffo_1-79.tsv)")
    parser.add_argument("--render-only", action="store_true", help="only rewrite the doc from the results file")
    args = parser.parse_args()
    if args.render_only:
        write_text(DOC, render_doc(json.loads(RESULTS.read_text())))
        return 0
    problems = load_problems(args.data)
    chosen = parse_ranges(args.problems)
    unknown = [n for n in chosen if n not in problems]
    if unknown:
        parser.error(f"no FFO problem(s) {unknown} in {args.data}")
    # Compile (or load the cached kernels) once in the parent, so children fork warm.
    warm = games.make("othello")
    OthelloEndgameSolver(warm, tt_bits=10).solve(warm.state_from_text(WARM_UP))
    load_before = os.getloadavg()[0]
    rows = []
    for no in tqdm(chosen, desc="FFO", unit="problem", file=sys.stderr):
        p = problems[no]
        got = solve_with_limit(p["board"], args.tt_bits, args.time_limit)
        row = {k: p[k] for k in ("no", "empties", "score", "best")} | {"finished": got is not None}
        if got is not None:
            row |= got
            row["score_ok"] = got["solver_score"] == p["score"]
            row["best_ok"] = got["solver_best"] == p["best"]
            row["mnps"] = round(got["nodes"] / max(got["cpu_s"], 1e-9) / 1e6, 2)
        rows.append(row)
        status = "not finished" if got is None else (
            f"{got['solver_score']:+d} {','.join(got['solver_best'])} {'ok' if row['score_ok'] and row['best_ok'] else 'WRONG'} "
            f"{got['wall_s']:.2f}s wall {got['cpu_s']:.2f}s cpu {got['nodes']:,} nodes")
        tqdm.write(f"FFO #{no} ({p['empties']} empties): {status}", file=sys.stderr)
    command = (f".venv/bin/python bench/solver_othello.py --problems {args.problems} "
               f"--time-limit {args.time_limit:g} --tt-bits {args.tt_bits}")
    for row in rows:
        row |= {"limit_s": args.time_limit, "command": command,
                "load_avg": [round(load_before, 1), round(os.getloadavg()[0], 1)]}
    previous = json.loads(RESULTS.read_text())["problems"] if RESULTS.exists() else []
    merged = {r["no"]: r for r in previous} | {r["no"]: r for r in rows}
    report = {
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "problems": sorted(merged.values(), key=lambda r: r["no"]),
    }
    write_text(RESULTS, json.dumps(report, indent=1) + "\n")
    write_text(DOC, render_doc(report))
    print(render_doc(report))
    bad = [r["no"] for r in rows if r["finished"] and not (r["score_ok"] and r["best_ok"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
