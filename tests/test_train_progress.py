"""What `move37 train` shows while it runs: with no terminal (a pipe, a log file) a line per evaluation."""

import json
import os
import re
import subprocess
import sys

from move37.train.loop import train
from move37.train.progress import line

TINY = {"games_per_iteration": 8, "selfplay": {"parallel_games": 8, "sims": 8},
        "learn": {"batch_size": 16, "window": 200, "min_positions": 20},
        "eval": {"every": 2, "elo_every": 3, "ladder": ["random", "mcts:sims=10"], "games": 2, "sims": 4, "positions": 20}}


def test_a_piped_run_prints_a_line_per_evaluation(tmp_path):
    cfg, run = tmp_path / "tiny.json", tmp_path / "run"
    cfg.write_text(json.dumps(TINY))
    env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
    done = subprocess.run([sys.executable, "-m", "move37.cli", "train", "tictactoe", "--out", str(run),
                           "--iterations", "4", "--config", str(cfg)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("iteration ")]
    # iterations 2, 3 and 4 evaluate (rates every 2, Elo every 3); a plain line only after a quiet minute
    lines = [ln for ln in lines if "optimal" in ln or "Elo" in ln or not ln.startswith("iteration 1:")]
    assert [int(ln.split(":")[0].split()[1]) for ln in lines] == [2, 3, 4], done.stderr
    rates = r"optimal 0\.\d{3} \(policy 0\.\d{3}\), good [01]\.\d{3} \(policy [01]\.\d{3}\)"
    assert re.fullmatch(rf"iteration 2: 16 games, \d+\.\d min, {rates}, loss \d+\.\d{{3}} \+ \d+\.\d{{3}}", lines[0])
    assert re.search(r"Elo -?\d+ \[-?\d+, -?\d+\]", lines[1]) and "optimal" not in lines[1]
    assert "\r" not in done.stderr  # no bar drawn into the pipe
    assert done.stdout.strip() == f"iteration 4: 32 games, {json.loads(_last(run))['elapsed'] / 60:.1f} min in total"


def test_quiet_means_quiet(tmp_path, capsys):
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    train("tictactoe", tmp_path / "run", iterations=2, config_path=cfg, progress=False)
    assert capsys.readouterr().err == ""


def test_a_line_says_what_was_measured():
    row = {"iteration": 25, "games": 6400, "elapsed": 456.0, "optimal_rate": 0.8367, "optimal_rate_policy": 0.6633,
           "good_rate": 0.95, "good_rate_policy": 0.9, "elo": 520.94, "elo_low": 300.2, "elo_high": 700.0}
    assert line(row) == ("iteration 25: 6400 games, 7.6 min, optimal 0.837 (policy 0.663), good 0.950 (policy 0.900), "
                         "Elo 521 [300, 700]")
    assert line({"iteration": 1, "games": 8, "elapsed": 3.0}) == "iteration 1: 8 games, 0.1 min"


def _last(run) -> str:
    return (run / "metrics.jsonl").read_text().splitlines()[-1]
