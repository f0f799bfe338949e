"""RL arms from one imitation run: copy an SFT-only run (grpo.steps 0) and train it on with other GRPO settings.

    .venv/bin/python bench/reasoning_fork_rl.py SFT_RUN ARM '{"steps": 100, "prompts_per_step": 16, "lr": 0.0002}'

The arm starts from the same weights and random streams (style_experiment.fork), so the GRPO
overrides are the only difference between arms.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from move37.reasoning import config  # noqa: E402
from move37.reasoning.style_experiment import fork  # noqa: E402
from move37.reasoning.train import read_config, train  # noqa: E402


def main() -> int:
    sft, arm, overrides = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    base = read_config(sft)
    cfg = config.from_dict({**base.to_dict(), "grpo": {**base.grpo, **overrides}})
    fork(sft, arm, cfg)
    start = time.time()
    summary = train(arm, cfg, progress=False)
    print(json.dumps(summary["difficulties"]), f"{time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
