"""Run folders for every trainer: one process per folder, atomic checkpoints, logs cut back on resume,
typed configs with one-line errors.

    from move37 import runs

    with runs.open_run(out, "zero", lambda: {"config": runs.to_dict(config)}) as meta:  # held: .lock
        ckpt = runs.latest_checkpoint(out)                  # checkpoints/NNNNNN, complete or absent
        runs.write_checkpoint(out, n, fill, state)          # fill(tmp_folder) writes the tensors
        runs.append_row(out / "metrics.jsonl", row)         # fsynced JSON Lines; runs.truncate on resume

Modules: folder.py (run.json, the lock), checkpoints.py, logs.py, config.py.
"""

from move37.runs.checkpoints import (checkpoint_dirs, latest_checkpoint, optimizer_record, prune_checkpoints,
                                     read_state, recover, restore_optimizer, weights_file, write_checkpoint)
from move37.runs.config import build, merge, read_file, setting, to_dict, with_settings
from move37.runs.folder import hold, open_run, read_run, write_run
from move37.runs.logs import append_row, read_rows, size, truncate

__all__ = ["append_row", "build", "checkpoint_dirs", "hold", "latest_checkpoint", "merge", "open_run",
           "optimizer_record", "prune_checkpoints", "read_file", "read_rows", "read_run", "read_state", "recover",
           "restore_optimizer", "setting", "size", "to_dict", "truncate", "weights_file", "with_settings",
           "write_checkpoint", "write_run"]
