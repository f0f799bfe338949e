"""What a training run shows while it runs: a bar on a terminal, lines in a log.

`make run > log`, a CI job or `nohup` gives the run no terminal, where a progress bar
shows nothing (tqdm disables itself) and ten minutes would pass in silence. There the
run prints one line per evaluation instead (iteration, games, minutes, the optimal- and
good-move rates, Elo when it was measured), and a plain line when a minute has passed
without one, all to stderr like the bar.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

QUIET_SECONDS = 60.0  # the longest a run without a terminal goes without a line


def line(row: dict) -> str:
    """One metrics row as a line: 'iteration 25: 6400 games, 7.6 min, optimal 0.837 (policy 0.663), ...'."""
    parts = [f"iteration {row['iteration']}: {row['games']} games, {row['elapsed'] / 60:.1f} min"]
    for kind in ("optimal", "good"):
        if f"{kind}_rate" in row:
            parts.append(f"{kind} {row[f'{kind}_rate']:.3f} (policy {row[f'{kind}_rate_policy']:.3f})")
    if "elo" in row:
        parts.append(f"Elo {row['elo']:.0f} [{row['elo_low']:.0f}, {row['elo_high']:.0f}]")
    if "loss_policy" in row:
        parts.append(f"loss {row['loss_policy']:.3f} + {row['loss_value']:.3f}")
    return ", ".join(parts)


class Progress:
    """`show`: True a bar, False nothing, None (the default) a bar when stderr is a terminal, else lines."""

    def __init__(self, title: str, iterations: int | None, done: int, show: bool | None):
        terminal = sys.stderr.isatty()
        self.lines = show is None and not terminal
        self.bar = tqdm(total=iterations, initial=done if iterations else 0, desc=title, unit="iter",
                        disable=not (show or (show is None and terminal)))
        self.iterations, self.quiet_since = iterations, 0.0

    def update(self, row: dict) -> None:
        """After each iteration's metrics row."""
        self.bar.update(1)
        self.bar.set_postfix(games=row["games"], **{k: row[k] for k in ("loss_policy", "elo", "optimal_rate") if k in row})
        evaluated = "optimal_rate" in row or "elo" in row
        if self.lines and (evaluated or row["elapsed"] - self.quiet_since >= QUIET_SECONDS):
            print(line(row), file=sys.stderr, flush=True)
            self.quiet_since = row["elapsed"]

    def restart(self, done: int) -> None:
        """After the run went back to an earlier checkpoint (iteration `done`)."""
        self.bar.n = done if self.iterations else 0

    def note(self, text: str) -> None:
        self.bar.write(text, file=sys.stderr)

    def close(self) -> None:
        self.bar.close()
