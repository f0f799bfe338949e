"""Reliability: hostile input to every parser of outside text, and SIGKILL at random moments of every trainer.

    PYTHONPATH=src .venv/bin/python bench/reliability.py parsers [--inputs 10000] [--only NAME ...] [--out FILE]
    PYTHONPATH=src .venv/bin/python bench/reliability.py table      (every reliability_parsers*.json as Markdown)
    PYTHONPATH=src .venv/bin/python bench/reliability.py kills --trainer tictactoe|connect4|reason [--kills 20]
    PYTHONPATH=src .venv/bin/python bench/reliability_rss.py --run DIR --minutes 60     (memory over an hour)

`parsers` runs every case of tests/fuzzing.py (the same strategies and checks as the fuzz tests: SGF, PGN, FEN,
positions and moves of every game, game/task/agent specs, reasoning verifiers, config files, GTP lines and
loadsgf files, UCI lines, HTTP requests) with `--inputs` inputs each (Hypothesis, a fixed seed, generation only)
and counts the inputs that broke the rule: an exception other than Move37Error (or one of more than one line), a
reply outside the protocol, a program started by an agent from outside, a file written. Writes OUT (default
bench/results/reliability_parsers.json) after each case. `table` prints every result file's cases; a row
marked "pending" was measured before the fix it waited for was merged (see docs/results/reliability.md).

`kills` starts the trainer's command in a fresh run folder, SIGKILLs it after a random delay (uniform over
`--delay LO HI` seconds from its start, so kills land in start-up, self-play, updates, evaluation and checkpoint
writes alike), checks the folder, and starts the same command again (the resume) -- `--kills` times. A resume must
not fail (it is killed while it runs, or it ends with status 0). The check after each kill: every JSON file
parses, every JSONL file parses but for at most a partial last line (written at the moment of the kill; readers
skip it and a resume cuts it), every .npz and .safetensors loads, no temporary file of an atomic write is left
where a reader would take it for data (counted, with their names), and for game runs the newest checkpoint plays
a move as `zero:RUN`. At the end one more resume runs to completion (games: one iteration more; reasoning: a
short time budget), and its folder is checked again, the metrics' iterations or steps strictly increasing.
Writes bench/results/reliability_kills_TRAINER.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # tests/fuzzing.py: the fuzz tests' strategies and checks

from move37.atomic import write_json  # noqa: E402

RESULTS = HERE / "results"


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src"], capture_output=True,
                           text=True, cwd=HERE).stdout.strip()
    return head + ("+uncommitted changes in src" if dirty else "")


# Parsers.

def run_case(case, inputs: int, seed: int) -> dict:
    """`inputs` drawn inputs through the case's check; counts and the first few inputs that broke the rule."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    import fuzzing

    stats = {"inputs": 0, "broken": 0, "examples": []}

    @hypothesis_seed(seed)
    @settings(max_examples=inputs, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case.strategy)
    def run(value):
        stats["inputs"] += 1
        with fuzzing.scratch_folder() as folder:
            try:
                case.check(value, folder)
                stray = set(fuzzing.files_under(folder)) - fuzzing.INPUT_FILES
                if stray:
                    raise AssertionError(f"wrote {sorted(stray)}")
            except Exception as e:  # counted, not raised: the benchmark measures how often
                stats["broken"] += 1
                if len(stats["examples"]) < 3:
                    stats["examples"].append({"error": f"{type(e).__name__}: {str(e)[:300]}",
                                              "input": repr(value)[:300]})

    start = time.perf_counter()
    run()
    stats["seconds"] = round(time.perf_counter() - start, 1)
    return stats


def parsers(args) -> None:
    import fuzzing

    cases = [c for c in fuzzing.cases() if not args.only or c.name in args.only]
    out = Path(args.out)
    result = {"command": "PYTHONPATH=src python bench/reliability.py " + " ".join(sys.argv[1:]), "commit": commit(),
              "inputs_per_case": args.inputs, "seed": args.seed, "cases": {}}
    for case in cases:
        row = run_case(case, args.inputs, args.seed)
        result["cases"][case.name] = row
        result["total_inputs"] = sum(r["inputs"] for r in result["cases"].values())
        result["total_broken"] = sum(r["broken"] for r in result["cases"].values())
        write_json(out, result)
        print(f"{case.name:28s} {row['inputs']:6d} inputs {row['broken']:5d} broken {row['seconds']:8.1f} s",
              flush=True)


def table(args) -> None:
    """Every case of every result file, by case name: a case measured twice (before and after a fix) shows both."""
    rows = []
    for path in sorted(RESULTS.glob("reliability_parsers*.json")):
        result = json.loads(path.read_text())
        for name, row in result["cases"].items():
            rows.append((name, result["commit"][:7], row, path.name))
    print("| parser (case) | commit | inputs | broke the rule | seconds | ms per input | result file |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for name, commit_, row, file in sorted(rows, key=lambda r: r[0]):
        pending = " (pending)" if row.get("pending") else ""
        print(f"| `{name}`{pending} | {commit_} | {row['inputs']} | {row['broken']} | {row['seconds']} | "
              f"{1000 * row['seconds'] / max(row['inputs'], 1):.1f} | {file} |")


# Kills.

TRAINERS = {
    # Small configs: an iteration (games) or a step (reasoning) takes a fraction of the kill window, so the
    # kills land everywhere, the SFT -> RL boundary and checkpoint writes included.
    "tictactoe": (["train", "tictactoe"], {"games_per_iteration": 16, "selfplay": {"parallel_games": 16},
                                           "learn": {"min_positions": 50, "batch_size": 64, "window": 2000},
                                           "eval": {"every": 3, "elo_every": 6, "games": 2, "positions": 50}}),
    "connect4": (["train", "connect4"], {"games_per_iteration": 16, "keep_every": 5,
                                         "net": {"kind": "mlp", "hidden": [64]},
                                         "selfplay": {"parallel_games": 16, "sims": 16, "fast_sims": 4},
                                         "learn": {"min_positions": 200, "batch_size": 64, "window": 5000},
                                         "eval": {"every": 4, "elo_every": 0, "games": 2, "positions": 20,
                                                  "ladder": ["random"]}}),
    "reason": (["reason", "train"], {  # SFT about 45 s here (23 ms a step), then RL that never ends (60 ms a step)
        "task": "addition:width=2", "seed": 3, "checkpoint_every": 5, "log_every": 1,
        "model": {"n_layer": 2, "n_head": 2, "n_embd": 64, "block_size": 40},
        "sft": {"steps": 2000, "batch_size": 64, "min_difficulty": 1, "max_difficulty": 2},
        "grpo": {"steps": 100000, "prompts_per_step": 8, "group_size": 8},
        "curriculum": {"start": 2, "min_difficulty": 1, "max_difficulty": 2},
        "eval": {"difficulties": [2], "problems": 20, "k": 2, "every": 20}}),
}
TEMPORARY = re.compile(r"^\..+\.tmp\d+$")  # move37.atomic's temporary files: ".NAME.tmpPID"


def check_folder(run: Path, game_spec: str | None) -> dict:
    """What a reader of the run folder would meet: problems (unreadable files), partial last lines, leftovers."""
    import torch
    from safetensors.torch import load_file

    problems, partial, leftovers = [], [], []
    for path in sorted(p for p in run.rglob("*") if p.is_file()):
        name = str(path.relative_to(run))
        try:
            if TEMPORARY.match(path.name):
                leftovers.append(name)
            elif path.suffix == ".json":
                json.loads(path.read_text())
            elif path.suffix == ".jsonl":
                lines = path.read_text().split("\n")
                for i, line in enumerate(lines):
                    if not line:
                        continue
                    try:
                        json.loads(line)
                    except ValueError:
                        if i == len(lines) - 1:  # no newline after it: cut by the kill, skipped by readers
                            partial.append(name)
                        else:
                            raise
            elif path.suffix == ".npz":
                with np.load(path) as data:
                    [data[k] for k in data.files]
            elif path.suffix == ".safetensors":
                load_file(str(path))
        except Exception as e:
            problems.append(f"{name}: {type(e).__name__}: {str(e)[:200]}")
    if game_spec is not None and (run / "checkpoints").is_dir() and any((run / "checkpoints").iterdir()):
        from move37 import agents, games

        try:
            game = games.make(game_spec)
            torch.set_num_threads(1)
            agent = agents.make(f"zero:{run},sims=8", game)
            agent.act(game.initial_state())
            agent.close()
        except Exception as e:
            problems.append(f"zero:{run}: {type(e).__name__}: {str(e)[:200]}")
    return {"problems": problems, "partial_last_lines": partial, "leftover_temporary_files": leftovers}


def progress(run: Path, trainer: str) -> int:
    """Iterations (games) or steps (reasoning) in the run's metrics."""
    try:
        rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.endswith("}")]
    except (OSError, ValueError):
        return 0
    key = "step" if trainer == "reason" else "iteration"
    return max((int(r.get(key, 0)) for r in rows), default=0)


def monotone(run: Path, trainer: str) -> bool:
    """The metrics' iterations (games) or training steps (reasoning; its evaluation lines repeat the step they
    evaluate) strictly increase: no line of lost work kept."""
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    key = "step" if trainer == "reason" else "iteration"
    seen = [r[key] for r in rows if key in r and r.get("phase") != "eval"]
    return all(a < b for a, b in zip(seen, seen[1:]))


def kills(args) -> None:
    trainer = args.trainer
    words, config = TRAINERS[trainer]
    root = Path(args.folder).resolve()
    if root.exists():
        sys.exit(f"error: {root} exists; the benchmark starts a fresh run")
    root.mkdir(parents=True)
    run, config_path = root / "run", root / "config.json"
    config_path.write_text(json.dumps(config))
    game_spec = None if trainer == "reason" else words[1]
    base = [sys.executable, "-m", "move37.cli", *words, "--out", str(run), "--config", str(config_path)]
    base += ["--quiet"] if trainer == "reason" else ["--iterations", "100000"]
    rng = np.random.default_rng(args.seed)
    log = open(root / "log.txt", "w")
    rows, failures = [], []
    out = RESULTS / f"reliability_kills_{trainer}.json"
    result = {"command": "PYTHONPATH=src python bench/reliability.py " + " ".join(sys.argv[1:]), "commit": commit(),
              "trainer_command": " ".join(base[1:]), "config": config, "kills": rows, "failures": failures}
    for k in range(args.kills):
        delay = float(rng.uniform(*args.delay))
        proc = subprocess.Popen(base, stdout=log, stderr=subprocess.STDOUT)  # the same command starts and resumes
        try:
            status = proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            status = None
        if status not in (None, 0):
            failures.append(f"start {k} (a resume after kill {k - 1}) exited with status {status}")
        folder = check_folder(run, game_spec) if run.exists() else {"problems": [], "note": "no folder yet"}
        failures += [f"after kill {k}: {p}" for p in folder["problems"]]
        rows.append({"kill": k, "after_s": round(delay, 2), "exit_status": status, "progress": progress(run, trainer),
                     **folder})
        write_json(out, result)
        print(json.dumps(rows[-1]), flush=True)
    final = base[:-2] + ["--iterations", str(progress(run, trainer) + 1)] if trainer != "reason" else \
        base + ["--minutes", "0.5"]
    done = subprocess.run(final, stdout=log, stderr=subprocess.STDOUT, timeout=1800)
    folder = check_folder(run, game_spec)
    result["final"] = {"command": " ".join(final[1:]), "exit_status": done.returncode,
                       "progress": progress(run, trainer), "metrics_strictly_increasing": monotone(run, trainer),
                       **folder}
    if done.returncode != 0:
        failures.append(f"the final resume exited with status {done.returncode}")
    failures += [f"after the final resume: {p}" for p in folder["problems"]]
    if not result["final"]["metrics_strictly_increasing"]:
        failures.append("metrics.jsonl repeats or skips back: lines of lost work were kept")
    result["summary"] = {"kills": len(rows), "failures": len(failures),
                         "kills_leaving_partial_lines": sum(bool(r.get("partial_last_lines")) for r in rows),
                         "kills_leaving_temporary_files": sum(bool(r.get("leftover_temporary_files")) for r in rows),
                         "temporary_files_after_final_resume": len(folder["leftover_temporary_files"])}
    write_json(out, result)
    print(json.dumps(result["summary"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="part", required=True)
    p = sub.add_parser("parsers")
    p.add_argument("--inputs", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", nargs="*", help="case names (default: all)")
    p.add_argument("--out", default=str(RESULTS / "reliability_parsers.json"))
    p.set_defaults(func=parsers)
    t = sub.add_parser("table", help="the cases of every bench/results/reliability_parsers*.json as a Markdown table")
    t.set_defaults(func=table)
    k = sub.add_parser("kills")
    k.add_argument("--trainer", choices=sorted(TRAINERS), required=True)
    k.add_argument("--kills", type=int, default=20)
    k.add_argument("--delay", type=float, nargs=2, default=(2.0, 45.0), metavar=("LO", "HI"))
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--folder", required=True, help="scratch folder for the run (must not exist)")
    k.set_defaults(func=kills)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
