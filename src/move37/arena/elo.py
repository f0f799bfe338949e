"""Elo ratings by maximum likelihood, with 95% intervals.

Model (Bradley-Terry on the Elo scale): player i scores against player j with
expectation p_ij = 1 / (1 + 10^(-(r_i - r_j) / 400)); a win counts 1, a draw 1/2,
a loss 0, and the log-likelihood of s points in n games is
s log p + (n - s) log(1 - p). Ratings are shifted so the anchor (the random
player when present, else the first player seen) is exactly 0.

A player who wins or loses every game has no finite maximum-likelihood rating. So
each pair that met also gets `prior_draws` virtual drawn games (one by default): a
weak prior that pulls opponents' ratings towards each other by a little and makes
the estimate exist (a maximum a-posteriori estimate). Its pull fades as real games
accumulate; set prior_draws=0 for the pure MLE when every score is mixed.

The 95% interval is estimate +- 1.96 standard errors, the errors from the inverse
of the observed information (the Hessian of the negative log-likelihood at the
estimate, anchor removed); it is relative to the anchor, whose interval is [0, 0].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from move37.arena.records import GameRecord

_K = math.log(10.0) / 400.0  # Elo points -> natural logit
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rating:
    """One row of the table: Elo, its 95% interval [low, high], and the player's results."""

    name: str
    elo: float
    low: float
    high: float
    wins: int
    draws: int
    losses: int

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses


def results_from_records(records: Iterable[GameRecord]) -> list[tuple[str, str, float]]:
    """(first player, second player, points of the first) for each two-player record."""
    return [(r.players[0], r.players[1], r.score(0)) for r in records]


def head_to_head(results: Iterable[tuple[str, str, float]]) -> dict[tuple[str, str], tuple[float, int]]:
    """(a, b) -> (points a took from b, games between them), for every pair that met, both ways."""
    table: dict[tuple[str, str], tuple[float, int]] = {}
    for a, b, s in results:
        for x, y, p in ((a, b, s), (b, a, 1 - s)):
            points, games = table.get((x, y), (0.0, 0))
            table[x, y] = (points + p, games + 1)
    return table


def _anchor_index(names: Sequence[str], anchor: str | None) -> int:
    if anchor is not None:
        for i, n in enumerate(names):
            if n == anchor or n.split(":", 1)[0] == anchor:
                return i
    return 0


def fit_elo(results: Sequence[tuple[str, str, float]], anchor: str | None = "random",
            prior_draws: float = 1.0) -> list[Rating]:
    """Ratings of every player in `results`, best first (see the module docstring)."""
    names: list[str] = []
    index: dict[str, int] = {}
    for a, b, _ in results:
        for n in (a, b):
            if n not in index:
                index[n] = len(names)
                names.append(n)
    if len(names) < 2:
        raise ValueError("ratings need games between at least two players")
    m = len(names)
    games = np.zeros((m, m))
    points = np.zeros((m, m))  # points[i, j]: points i took from j
    wdl = np.zeros((m, 3), dtype=int)
    for a, b, s in results:
        i, j = index[a], index[b]
        if i == j:
            continue
        games[i, j] += 1
        games[j, i] += 1
        points[i, j] += s
        points[j, i] += 1 - s
        col = 0 if s == 1 else 1 if s == 0.5 else 2
        wdl[i, col] += 1
        wdl[j, 2 - col] += 1
    met = games > 0
    games = games + prior_draws * met
    points = points + 0.5 * prior_draws * met
    iu = np.triu_indices(m, 1)
    pair = games[iu] > 0
    pi, pj = iu[0][pair], iu[1][pair]
    n_ij, s_ij = games[pi, pj], points[pi, pj]
    fixed = _anchor_index(names, anchor)
    free = [k for k in range(m) if k != fixed]

    def expand(x: np.ndarray) -> np.ndarray:
        r = np.zeros(m)
        r[free] = x
        return r

    def nll(x: np.ndarray) -> tuple[float, np.ndarray]:
        r = expand(x)
        d = _K * (r[pi] - r[pj])
        # -[s log p + (n - s) log(1 - p)] with log p = -log(1 + e^-d), stably
        f = float(np.sum(s_ij * np.logaddexp(0, -d) + (n_ij - s_ij) * np.logaddexp(0, d)))
        g_pair = _K * (n_ij / (1 + np.exp(-d)) - s_ij)  # d f / d r_i for each pair
        grad = np.zeros(m)
        np.add.at(grad, pi, g_pair)
        np.add.at(grad, pj, -g_pair)
        return f, grad[free]

    fit = minimize(nll, np.zeros(m - 1), jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 1000})
    r = expand(fit.x)
    d = _K * (r[pi] - r[pj])
    p = 1 / (1 + np.exp(-d))
    w = n_ij * _K**2 * p * (1 - p)
    hess = np.zeros((m, m))
    np.add.at(hess, (pi, pi), w)
    np.add.at(hess, (pj, pj), w)
    np.add.at(hess, (pi, pj), -w)
    np.add.at(hess, (pj, pi), -w)
    se = np.zeros(m)
    try:
        se[free] = np.sqrt(np.diag(np.linalg.inv(hess[np.ix_(free, free)])))
    except np.linalg.LinAlgError:  # players not connected by games: no finite interval
        se[free] = np.inf
    rows = [Rating(n, float(r[k]), float(r[k] - _Z95 * se[k]), float(r[k] + _Z95 * se[k]), *map(int, wdl[k]))
            for k, n in enumerate(names)]
    return sorted(rows, key=lambda row: -row.elo)
