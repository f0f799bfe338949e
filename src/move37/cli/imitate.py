"""`move37 imitate GAME --records FILES --out DIR`: a supervised policy from game records.

Records are SGF (Go), PGN (chess) or move37's JSONL (any game), chosen by suffix
(move37.imitation.records). The network, its metrics (held-out top-1 accuracy per epoch) and a plot
go to the run folder DIR (move37.imitation.supervised); running the command again resumes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from move37 import games, runs
from move37.imitation import POLICY_FILE, imitation_config, read_demonstrations, train_imitation


def register(sub) -> None:
    p = sub.add_parser("imitate", help="train a policy to predict the moves of game records (SGF, PGN, JSONL)",
                       description="Supervised learning of the recorded moves (AlphaGo's first stage); reports "
                                   "the top-1 move accuracy on held-out games. Resumes DIR when run again.")
    p.add_argument("game", help="game spec, e.g. connect4 or go:size=9")
    p.add_argument("--records", required=True, nargs="+", metavar="FILE", help=".sgf, .pgn or .jsonl files")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder")
    p.add_argument("--config", metavar="FILE", help="JSON/TOML settings (epochs, batch_size, lr, holdout, net, ...)")
    p.add_argument("--epochs", type=int, metavar="N", help="epochs (overrides the config)")
    p.add_argument("--json", action="store_true", help="print the last epoch's metrics as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    game = games.make(args.game)
    data = runs.read_file(Path(args.config)) if args.config else {}
    if args.epochs is not None:
        data = {**data, "epochs": args.epochs}
    config = imitation_config(args.game, data)
    demos = read_demonstrations(game, args.records)
    row = train_imitation(game, args.game, demos, Path(args.out), config, records=args.records)
    if args.json:
        print(json.dumps(row))
    else:
        held = f"held-out top-1 {row['held_top1']:.3f}, " if "held_top1" in row else ""
        print(f"{args.out}/{POLICY_FILE}: {held}training top-1 {row.get('train_top1', 0):.3f} "
              f"after {row.get('epoch', 0)} epochs")
    return 0
