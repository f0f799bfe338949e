"""`move37 live`: one agent on one never-ending stream (the era of experience), started or resumed.

    move37 live --stream minatar:games=breakout+freeway,switch=50000 --agent streamq --out runs/live --steps 200000
    move37 live --out runs/live --minutes 30             # resume: the stored stream, agent and seed
    move37 live --stream minatar:games=breakout --agent streamq --feedback user --out runs/fb --steps 100000

Streams: minatar (games joined by '+', switch=N, order=fixed|random), drift (game=, every=N,
change=actions|reward|both), connect4 (a drifting opponent population). Agents: streamq, streamac, dqn,
each with the plasticity remedies as options (cbp=, shrink=, perturb=, l2init=). See docs/experience.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from move37.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("live", help="one agent learning on one never-ending stream (starts or resumes DIR)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="run folder (created, or resumed)")
    p.add_argument("--stream", metavar="SPEC", help='e.g. "minatar:games=breakout+freeway,switch=50000"')
    p.add_argument("--agent", metavar="SPEC", help='e.g. "streamq", "streamac", "dqn", "streamq:cbp=1e-4"')
    p.add_argument("--feedback", metavar="SPEC", default="",
                   help='reward learnt from a simulated user\'s ratings, e.g. "user:rate_every=1000,change=50000"')
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, metavar="N", help="stop when the run has lived N steps in all")
    p.add_argument("--minutes", type=float, metavar="M", help="stop after M minutes of this session")
    p.add_argument("--checkpoint-every", type=int, default=20_000, metavar="N")
    p.add_argument("--probe-every", type=int, default=5_000, metavar="N", help="plasticity measures every N steps")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar or lines")
    p.set_defaults(func=run)


def run(args) -> int:
    from move37.experience.live import LiveConfig, live
    from move37.experience.plots import format_summary

    if (args.steps is not None and args.steps < 0) or (args.minutes is not None and args.minutes <= 0):
        raise ConfigError("--steps must be non-negative and --minutes positive")
    resuming = (args.out / "run.json").is_file()
    given = args.stream is not None or args.agent is not None
    cfg = None
    if given or not resuming:
        if args.stream is None or args.agent is None:
            raise ConfigError("a new live run needs both --stream and --agent")
        try:
            cfg = LiveConfig(stream=args.stream, agent=args.agent, seed=args.seed, feedback=args.feedback,
                             checkpoint_every=args.checkpoint_every, probe_every=args.probe_every)
        except ValueError as e:
            raise ConfigError(str(e)) from None
    summary = live(args.out, cfg, args.steps, args.minutes, show=False if args.quiet else None)
    print(json.dumps(summary) if args.json else format_summary(summary))
    if not args.json:
        print(f"plots: {args.out / 'returns.png'}, {args.out / 'plasticity.png'}")
    return 0
