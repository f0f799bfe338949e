"""pass@k at large k: does RL widen what the model can solve, or only sharpen what it already could?

For each held-out problem n completions are sampled and c of them are right; the unbiased
estimator of Chen et al. (2021) gives, for every k <= n,

    pass@k = 1 - C(n - c, k) / C(n, k)

averaged over problems (computed as a running product, no huge binomials). Yue et al.
(2025) report that RL-trained models win at k = 1 while their base models catch up, or
pass them, at large k: RL sharpens the distribution onto solutions the base model could
already sample. Comparing the imitation model with the RL model of one run at k up to
256 asks the same question here.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch

from move37.atomic import write_bytes
from move37.reasoning.rollout import rollout
from move37.reasoning.tasks import Problem, Task


def pass_at_k(n: int, c: np.ndarray, k: int) -> np.ndarray:
    """Unbiased pass@k per problem (P,) from c (P,) right answers out of n samples each; k <= n."""
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must lie in [1, n={n}]")
    c = np.asarray(c)
    out = np.ones(len(c))
    for i, ci in enumerate(c):
        if n - ci >= k:  # else every draw of k contains a right one
            out[i] = 1.0 - np.prod(1.0 - k / np.arange(n - ci + 1, n + 1))
    return out


def ks_up_to(n: int) -> list[int]:
    """1, 2, 4, ... up to n (n itself included)."""
    ks = [1 << i for i in range(n.bit_length()) if 1 << i <= n]
    return ks if ks[-1] == n else ks + [n]


def correct_counts(model, task: Task, problems: list[Problem], n: int, temperature: float, seed: int,
                   chunk: int = 4096) -> np.ndarray:
    """(P,) right answers out of n samples per problem, sampled in chunks of about `chunk` completions."""
    gen = torch.Generator().manual_seed(seed)
    per = max(1, chunk // n)
    counts = []
    for i in range(0, len(problems), per):
        part = problems[i:i + per]
        counts.append(rollout(model, task, part, n, temperature, gen).rewards.reshape(len(part), n).sum(1))
    return np.concatenate(counts).astype(int)


def curves(counts: dict[str, np.ndarray], n: int) -> dict[str, dict[int, float]]:
    """Mean pass@k over problems for every k in ks_up_to(n), per model."""
    return {name: {k: float(pass_at_k(n, c, k).mean()) for k in ks_up_to(n)} for name, c in counts.items()}


def write_plot(results: dict[str, dict[str, dict[int, float]]], title: str, path: Path) -> None:
    """pass@k against k (log scale), one panel per difficulty, one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.6), squeeze=False)
    for ax, (d, by_model) in zip(axes[0], results.items()):
        for name, curve in by_model.items():
            ks = sorted(int(k) for k in curve)
            ax.plot(ks, [curve[k] for k in ks], "-o", ms=3, label=name)
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("k (samples)")
        ax.set_ylabel("pass@k (held out)")
        ax.set_title(f"difficulty {d}", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
