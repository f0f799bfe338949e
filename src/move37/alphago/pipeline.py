"""The AlphaGo pipeline as stages that exchange files in one run folder (trainer "alphago"):

    RUN/run.json            game, config, the record files or imitation run it started from
    RUN/sl/                 stage 1: the supervised policy, an imitation run (move37.imitation);
    RUN/sl.safetensors        or copied from an existing imitation run (--imitation DIR)
    RUN/rl/, rl.safetensors stage 2: policy-gradient self-play against a pool (rl.py)
    RUN/value/, value.safetensors  stage 3: the value network on RL self-play positions (value.py)
    RUN/metrics.jsonl       one row per RL iteration and value epoch, each with the stage's CPU-seconds
    RUN/plots/*.png

Each stage starts from the files the one before wrote and skips itself when its own file exists, so running
the command again resumes where a kill stopped it. The agent `alphago:RUN` then searches with PUCT using
sl.safetensors as prior and value.safetensors as evaluation (agent.py).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from move37 import runs
from move37.alphago.config import AlphaGoConfig
from move37.alphago.rl import RL_FILE, train_rl
from move37.alphago.value import VALUE_FILE, train_value
from move37.errors import RunFolderError
from move37.games.base import Game
from move37.imitation import POLICY_FILE, read_demonstrations, train_imitation
from move37.imitation.plots import plot_rows

SL_FILE = "sl.safetensors"
STAGES = ("sl", "rl", "value")


def run_pipeline(game: Game, game_spec: str, out: Path, config: AlphaGoConfig, records: list[str] | None = None,
                 imitation: str | None = None, until: str = "value", log=sys.stderr) -> dict[str, Path]:
    """Run (or resume) the stages up to `until`; the files written, by stage."""
    out = Path(out)
    source = {"records": list(records or []), "imitation": imitation}
    with runs.open_run(out, "alphago", lambda: {"config": runs.to_dict(config), "game": game_spec, **source}) as meta:
        if meta.get("game") != game_spec or {k: meta.get(k) for k in source} != source:
            raise RunFolderError(f"{out} is an alphago run of {meta.get('game')} from "
                                 f"{meta.get('records') or meta.get('imitation')}; resume it with the same "
                                 "game and source, or choose a new --out")
        written = {"sl": _supervised(game, game_spec, out, config, records, imitation, log)}
        if STAGES.index(until) >= 1:
            written["rl"] = train_rl(game, game_spec, out, written["sl"], config.rl, config.seed, log)
        if STAGES.index(until) >= 2:
            written["value"] = train_value(game, game_spec, out, written["sl"], written["rl"], config.value,
                                           config.seed, log)
        write_plots(out)
        return written


def _supervised(game: Game, game_spec: str, out: Path, config: AlphaGoConfig, records, imitation, log) -> Path:
    target = out / SL_FILE
    if target.is_file():
        return target
    if imitation:
        source = Path(imitation) / POLICY_FILE
        if not source.is_file():
            raise RunFolderError(f"{imitation}: no {POLICY_FILE} (not a finished move37 imitate run)")
    else:
        if not records:
            raise RunFolderError("the supervised stage needs --records FILES or --imitation DIR")
        demos = read_demonstrations(game, records)
        train_imitation(game, game_spec, demos, out / "sl", config.imitation, records=records, log=log)
        source = out / "sl" / POLICY_FILE
    for suffix in (".json", ".safetensors"):  # the weights last: their presence marks the stage done
        tmp = target.with_suffix(suffix + ".tmp")
        shutil.copyfile(source.with_suffix(suffix), tmp)
        tmp.replace(target.with_suffix(suffix))
    return target


def write_plots(out: Path) -> list[Path]:
    rows = runs.read_rows(Path(out) / "metrics.jsonl")
    name = Path(out).name
    made = [plot_rows(Path(out) / "plots" / "rl.png", [r for r in rows if r.get("stage") == "rl"], "iteration",
                      [("score_vs_sl", "against the supervised policy"), ("score_vs_pool", "against the pool")],
                      f"{name}: RL policy (raw, sampled moves)", "policy-gradient iteration", "score"),
            plot_rows(Path(out) / "plots" / "value.png", [r for r in rows if r.get("stage") == "value"], "epoch",
                      [("held_mse", "value network, held-out"), ("held_mse_constant", "a constant (the mean)"),
                       ("loss_value", "value network, training")],
                      f"{name}: value network", "epoch", "mean squared error")]
    return [p for p in made if p]


__all__ = ["RL_FILE", "SL_FILE", "STAGES", "VALUE_FILE", "run_pipeline", "write_plots"]
