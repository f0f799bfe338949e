"""Connect Four: MuZero (a learned model) against AlphaZero (the true rules) at equal CPU-seconds.

On a shared machine wall-clock minutes say little about what a run got, so each training run is
`move37 train` in a child process that this script watches: every 2 s it reads the child's CPU time
(user + system, its own children included, from /proc) and, for every new row of the run's
metrics.jsonl, appends {"row", "cpu", "wall"} to RUN/cpu.jsonl; when the CPU budget is spent it stops
the child (a checkpoint is whole at every iteration end, so nothing of the run breaks). Started again,
it resumes the run (`move37 train` resumes exactly) and counts on from the CPU already recorded.

    python bench/worldmodel_c4.py run RUN CPU_MINUTES -- connect4 --algorithm muzero --config C.json
    python bench/worldmodel_c4.py plot OUT.png LABEL=RUN ...   # optimal-move rate against CPU minutes

Each run's optimal-move rate is its own training evaluation (32 simulations, 300 solver-labelled
positions from move37/data: the same positions for both algorithms).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import json

from move37 import runs

POLL = 2.0
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of process `pid`, in seconds (Linux /proc/PID/stat)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "; fields[0] is the state
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICK


def _rows(path: Path) -> int:
    return len(runs.read_rows(path)) if path.exists() else 0


def run(folder: Path, cpu_minutes: float, train_args: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "cpu.jsonl"
    logged = runs.read_rows(log)
    spent = max((r["cpu"] for r in logged), default=0.0)
    if spent >= cpu_minutes * 60:
        print(f"{folder}: budget spent ({spent / 60:.1f} CPU minutes)", file=sys.stderr)
        return
    cmd = [sys.executable, "-m", "move37.cli", "train", *train_args, "--out", str(folder), "--minutes", "100000"]
    child = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": "src"}, stderr=sys.stderr, stdout=sys.stdout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the child too
    started, last = time.monotonic(), max((r["row"] for r in logged), default=-1) + 1
    try:
        while child.poll() is None:
            time.sleep(POLL)
            try:
                used = spent + cpu_seconds(child.pid)
            except (FileNotFoundError, ProcessLookupError):
                break
            rows = _rows(folder / "metrics.jsonl")
            last = min(last, rows)  # a resume truncates metrics.jsonl to its checkpoint: log the rows made again
            for i in range(last, rows):
                runs.append_row(log, {"row": i, "cpu": round(used, 2), "wall": round(time.monotonic() - started, 2)})
            last = rows
            if used >= cpu_minutes * 60:
                break
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            child.wait(60)


def curve(folder: Path, key: str = "optimal_rate") -> list[tuple[float, float]]:
    """(CPU minutes, value) for every metrics row that has `key`; a row's CPU is the last recorded for it."""
    cpu = {r["row"]: r["cpu"] for r in runs.read_rows(folder / "cpu.jsonl")}
    rows = runs.read_rows(folder / "metrics.jsonl")
    return [(cpu[i] / 60, row[key]) for i, row in enumerate(rows) if key in row and i in cpu]


def random_rate(folder: Path) -> float:
    """The optimal-move rate of a uniformly random legal move on the run's labelled positions (labels.json)."""
    from move37 import games, jsontext

    data = jsontext.read(folder / "labels.json")
    game = games.make(data["game"])
    return float(sum(len(lab["best"]) / len(game.state_from_moves(lab["moves"]).legal_actions())
                     for lab in data["labels"]) / len(data["labels"]))


def plot(out: Path, named: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for item in named:
        label, folder = item.split("=", 1)
        points = curve(Path(folder))
        if points:
            ax.plot(*zip(*points), label=label)
        print(json.dumps({"run": label, "points": len(points), "last": points[-1] if points else None,
                              "best": max((p[1] for p in points), default=None)}))
    chance = random_rate(Path(named[0].split("=", 1)[1]))
    ax.axhline(chance, color="grey", ls=":", label=f"random legal move ({chance:.3f})")
    ax.set_xlabel("CPU minutes (run process and its children)")
    ax.set_ylabel("optimal-move rate, search at 32 simulations")
    ax.set_title("Connect Four: learned model (MuZero) vs true rules (AlphaZero)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) >= 4 and args[0] == "run" and args[3] == "--":
        run(Path(args[1]), float(args[2]), args[4:])
    elif len(args) >= 3 and args[0] == "plot":
        plot(Path(args[1]), args[2:])
    else:
        sys.exit(__doc__)
