"""How to run a residual network on the CPU for self-play: speed and memory of three ways.

Why: the residual network's CPU evaluator (`nets.folded.FoldedEvaluator`, formerly `nets.frozen`) re-optimises the network after every learner update.
With TorchScript (`torch.jit.trace` + `freeze` + `optimize_for_inference`) each rebuild left
about 3-4 MiB behind that was never freed (docs/results/reliability.md: RSS of a one-hour
training run grew 3.4 MiB per iteration). PyTorch's FX version of the same optimisation
(`torch.fx.experimental.optimization.optimize_for_inference`: batch norms folded into the
convolutions, oneDNN weights) builds ordinary Python modules that are freed.

Measures, on one torch thread, for the 64x4 network on Connect Four:
- milliseconds per forward call at batch 16, 64 and 256 for eager, TorchScript and FX, the
  ways taking turns over `--repeats` rounds (the spread across rounds is reported);
- resident memory (RSS) after `--rebuilds` weight updates, each followed by a rebuild.

    .venv/bin/python bench/resnet_evaluator.py --out bench/results/resnet_evaluator.json
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.fx.experimental.optimization as fx_optimization

from move37 import games
from move37.nets.policy_value import NetConfig, PolicyValueNet

BATCHES = (16, 64, 256)


def _net() -> PolicyValueNet:
    info = games.make("connect4").info
    torch.manual_seed(0)
    return PolicyValueNet(info.observation_shape, info.num_actions, NetConfig(kind="resnet", channels=64, blocks=4)).eval()


def _build(way: str, net: PolicyValueNet, obs: torch.Tensor, mask: torch.Tensor):
    """A callable `(obs (B, C, H, W), mask bool (B, A)) -> (logits, value)` made `way`."""
    if way == "eager":
        return net
    if way == "fx":
        return fx_optimization.optimize_for_inference(net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(net, (obs, mask), check_trace=False)
        return torch.jit.optimize_for_inference(torch.jit.freeze(traced))


def _inputs(net: PolicyValueNet, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(batch)
    return torch.randn((batch, *net.observation_shape), generator=gen), torch.ones((batch, net.num_actions), dtype=torch.bool)


def _ms_per_call(fn, obs, mask, calls: int) -> float:
    with torch.inference_mode():
        for _ in range(5):
            fn(obs, mask)
        start = time.perf_counter()
        for _ in range(calls):
            fn(obs, mask)
    return (time.perf_counter() - start) / calls * 1e3


def speed(repeats: int, calls: int) -> dict:
    torch.set_num_threads(1)
    net = _net()
    rows: dict = {}
    for batch in BATCHES:
        obs, mask = _inputs(net, batch)
        built = {way: _build(way, net, obs, mask) for way in ("eager", "torchscript", "fx")}
        with torch.inference_mode():
            ref = net(obs, mask)[1]
            worst = {way: float((fn(obs, mask)[1] - ref).abs().max()) for way, fn in built.items()}
        runs: dict[str, list[float]] = {way: [] for way in built}
        for _ in range(repeats):
            for way, fn in built.items():
                runs[way].append(_ms_per_call(fn, obs, mask, max(calls * 64 // batch, 5)))
        rows[str(batch)] = {way: {"ms": runs[way], "max_value_difference": worst[way]} for way in built}
        print(f"batch {batch}: " + ", ".join(f"{w} {min(v):.2f}-{max(v):.2f} ms" for w, v in runs.items()), flush=True)
    return rows


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def _memory(way: str, rebuilds: int, out) -> None:
    """In a fresh process: RSS after every 10th of `rebuilds` (weights nudged, then rebuilt and called)."""
    torch.set_num_threads(1)
    net = _net()
    obs, mask = _inputs(net, 16)
    samples = []
    for i in range(rebuilds + 1):
        with torch.no_grad():
            for p in net.parameters():
                p.add_(1e-4)
        fn = _build(way, net, obs, mask)
        with torch.inference_mode():
            fn(obs, mask)
        del fn
        if i % 10 == 0:
            gc.collect()
            samples.append([i, round(_rss_mib(), 1)])
    out.put(samples)


def memory(rebuilds: int) -> dict:
    result = {}
    for way in ("torchscript", "fx"):
        queue = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=_memory, args=(way, rebuilds, queue))
        proc.start()
        samples = queue.get()
        proc.join()
        growth = (samples[-1][1] - samples[1][1]) / (samples[-1][0] - samples[1][0])
        result[way] = {"rss_mib": samples, "mib_per_rebuild_after_the_10th": round(growth, 3)}
        print(f"{way}: RSS {samples[0][1]} -> {samples[-1][1]} MiB over {rebuilds} rebuilds "
              f"({growth:.2f} MiB per rebuild after the 10th)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100, help="calls per timing at batch 64 (scaled by batch)")
    parser.add_argument("--rebuilds", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench/results/resnet_evaluator.json"))
    args = parser.parse_args()
    result = {"torch": torch.__version__, "threads": 1, "network": "resnet 64x4, Connect Four",
              "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
              "load_average_before": list(np.round(np.array(__import__("os").getloadavg()), 2)),
              "speed_ms_per_call": speed(args.repeats, args.calls), "memory": memory(args.rebuilds)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from move37.atomic import write_json
    write_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
