"""GRPO variants side by side from one imitation model: grpo, dr_grpo, dapo, dr_grpo + KL.

    .venv/bin/python bench/reasoning_variants.py [--out bench/results/reasoning_variants] [--steps 40]

Runs the default addition config's imitation phase once (or reuses OUT/sft), forks
it into one RL run per variant (same weights, same random streams), and writes
bench/results/reasoning_variants.json with each variant's held-out accuracy after
every evaluation and its training wall clock.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from move37.reasoning.config import TrainConfig  # noqa: E402
from move37 import runs  # noqa: E402
from move37.atomic import write_json  # noqa: E402
from move37.reasoning.style_experiment import fork  # noqa: E402
from move37.reasoning.train import train  # noqa: E402

VARIANTS = {"grpo": ("grpo", {}), "dr_grpo": ("dr_grpo", {}), "dapo": ("dapo", {}),
            "dr_grpo_kl": ("dr_grpo", {"kl_beta": 0.05})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results/reasoning_variants"))
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--results", type=Path, default=Path("bench/results/reasoning_variants.json"))
    args = parser.parse_args()
    base = dataclasses.replace(TrainConfig(), eval=dataclasses.replace(TrainConfig().eval, every=20))
    train(args.out / "sft", dataclasses.replace(base, grpo={"steps": 0}), progress=False)
    sft_steps = base.sft.steps
    results = {}
    for name, (preset, overrides) in VARIANTS.items():
        cfg = dataclasses.replace(base, grpo_preset=preset, grpo={"steps": args.steps, **overrides})
        fork(args.out / "sft", args.out / name, cfg)
        train(args.out / name, cfg, progress=True)
        rows = runs.read_rows(args.out / name / "metrics.jsonl")
        rl = [r for r in rows if r.get("phase") == "rl" and "elapsed" in r]
        results[name] = {
            "preset": preset, "overrides": overrides,
            "rl_wall_s": round(rl[-1]["elapsed"] - next(r["elapsed"] for r in rows if r.get("step") == sft_steps
                                                         and "elapsed" in r), 1) if rl else None,
            "evals": [{k: r[k] for k in ("step", "greedy/4", "greedy/6", "pass1/4", "pass1/6")}
                      for r in rows if r.get("phase") == "eval" and r["step"] >= sft_steps]}
        last = results[name]["evals"][-1]
        print(f"{name:<12} " + "  ".join(f"step {e['step']}: greedy/6 {e['greedy/6']:.3f} pass1/6 {e['pass1/6']:.3f}"
                                         for e in results[name]["evals"]), f"(last greedy/4 {last['greedy/4']:.3f})")
    write_json(args.results, indent=2, sort_keys=True, obj={"command": " ".join(sys.argv), "steps": args.steps, "variants": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
