"""`move37 train --ray`: self-play workers, learner and evaluation as actors on a real two-node Ray cluster on 127.0.0.1.

The cluster (a head with 2 CPUs and a worker node with 2, Ray's files in a temporary folder)
is started with `ray start --block`, whose SIGTERM ends its node's processes, so the
teardown ends exactly this cluster (`ray stop` would end every Ray on the machine)."""

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from move37 import games as games_registry
from move37.cli import main
from move37.runs import checkpoint_dirs

TINY = {"games_per_iteration": 16, "keep_checkpoints": 2, "selfplay": {"parallel_games": 8, "sims": 16},
        "learn": {"batch_size": 32, "window": 300, "min_positions": 40, "replay_ratio": 4},
        "eval": {"every": 2, "elo_every": 3, "ladder": ["random", "mcts:sims=20"], "games": 2, "sims": 8,
                 "positions": 20}}
ITERATIONS = 12
RAY = Path(sys.executable).parent / "ray"


def _lines(path: Path) -> list[dict]:
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _processes_of(temp: str) -> list[int]:
    """Pids of this cluster's processes: those naming its folder, and the workers their raylets started."""
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    ours = {p for p in pids if temp in _cmdline(p)}
    return sorted(ours | {p for p in pids if _parent(p) in ours})


def _actors(temp: str, name: str) -> list[int]:
    """Pids of this cluster's actor processes of class `name` (Ray names their processes ray::CLASS)."""
    return [p for p in _processes_of(temp) if _cmdline(p).startswith(f"ray::{name}")]


def _signal(pid: int, sig: int, group: bool = False) -> None:
    try:
        (os.killpg if group else os.kill)(pid, sig)
    except ProcessLookupError:
        pass


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def cluster(monkeypatch):
    """(HOST:PORT, Ray's folder) of a running head plus one worker node; every process of it ended afterwards."""
    pytest.importorskip("ray")
    temp = tempfile.mkdtemp(prefix="m37ray-")  # short: Ray's socket paths live under it
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the cluster's own token, for its nodes and drivers alike (whatever ~/.ray/auth_token holds)
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    common = ["--block", "--node-ip-address", "127.0.0.1", "--temp-dir", temp, "--disable-usage-stats"]
    started = []
    try:  # 4 CPUs in all: two self-play workers, the learner and a CPU inference actor (evaluation takes none)
        for i, args in enumerate([["--head", "--port", str(port), "--include-dashboard", "false", "--num-cpus", "2"],
                                  ["--address", f"127.0.0.1:{port}", "--num-cpus", "2"]]):
            log = Path(temp) / f"start{i}.log"
            with open(log, "wb") as f:
                started.append(subprocess.Popen([str(RAY), "start", *args, *common], stdout=f, stderr=subprocess.STDOUT,
                                                start_new_session=True))
            _wait(lambda: "Ray runtime started" in log.read_text(errors="replace") or started[-1].poll() is not None,
                  60, "ray start")
            assert started[-1].poll() is None, log.read_text()
        yield f"127.0.0.1:{port}", temp
    finally:
        for proc in reversed(started):  # `ray start --block` ends its node's processes on SIGTERM (itself only)
            _signal(proc.pid, signal.SIGTERM)
        for proc in started:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                _signal(proc.pid, signal.SIGKILL, group=True)
                proc.wait()
        for pid in _processes_of(temp):  # anything that outlived its `ray start`
            _signal(pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def test_games_flow_and_the_run_survives_a_killed_worker_and_learner_and_resumes(cluster, tmp_path):
    address, temp = cluster
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "move37.cli", "train", "tictactoe", "--out", str(run), "--iterations", str(ITERATIONS),
           "--config", str(config), "--ray", address, "--ray-workers", "2"]
    env = {**os.environ, "TQDM_DISABLE": "1"}
    log = tmp_path / "driver.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=f, env=env)
    try:
        # a worker process dies while the run is under way: SIGKILL, as a lost machine would
        victim = _wait(lambda: _actors(temp, "SelfPlayWorker") or proc.poll() is not None, 60, "a self-play worker")
        assert proc.poll() is None
        os.kill(victim[0], signal.SIGKILL)
        # evaluation runs in its own actor (from the first iteration an evaluation is due)
        _wait(lambda: _actors(temp, "EvaluationActor") or proc.poll() is not None, 90, "the evaluation actor")
        # then the learner's process, once a few iterations are written: the run goes back to its last
        # checkpoint and starts the learner (and evaluation) again
        _wait(lambda: len(_lines(run / "metrics.jsonl")) >= 2 or proc.poll() is not None, 90, "two iterations")
        assert proc.poll() is None, log.read_text()
        [learner] = _actors(temp, "LearnerActor")
        os.kill(learner, signal.SIGKILL)
        after = _wait(lambda: [r["iteration"] for r in _lines(run / "metrics.jsonl") if r.get("stage_restarts")]
                      or proc.poll() is not None, 90, "an iteration after the restart")
        assert proc.poll() is None, log.read_text()
        # its metrics line comes just before its checkpoint: wait for that too before the driver goes
        _wait(lambda: int(checkpoint_dirs(run)[-1].name) >= after[0] or proc.poll() is not None, 60,
              "the checkpoint of that iteration")
        assert _actors(temp, "LearnerActor") not in ([], [learner])
        # and at last the driver itself
        proc.kill()
    finally:
        proc.kill()
        proc.wait()
    assert "the Ray learner died" in log.read_text() and "going on from checkpoint" in log.read_text()
    rows = _lines(run / "metrics.jsonl")
    assert rows[0]["workers"] == 2 and sum(r["worker_restarts"] for r in rows) >= 1
    assert [r["iteration"] for r in rows] == list(range(1, len(rows) + 1))
    reached = int(checkpoint_dirs(run)[-1].name)
    assert 2 <= reached < ITERATIONS

    # the same command again (this time with one inference actor serving both workers) resumes from the
    # newest checkpoint and finishes
    done = subprocess.run([*cmd, "--ray-inference"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    rows = _lines(run / "metrics.jsonl")
    assert [r["iteration"] for r in rows] == list(range(1, ITERATIONS + 1))
    assert all(r["workers"] == 2 for r in rows)
    assert all("inference_calls" not in r for r in rows[:reached])
    assert all(r["inference_requests"] >= r["inference_calls"] > 0 for r in rows[reached:])
    steps = [r["step"] for r in rows]
    assert steps == sorted(steps) and steps[-1] > steps[reached - 1] > 0  # learning went on from the checkpoint
    assert steps[0] == 0 < steps[1]  # the learner trains on iteration t-1's games while t's are played
    assert [i for i, r in enumerate(rows, 1) if "optimal_rate" in r] == list(range(2, ITERATIONS + 1, 2))
    assert [i for i, r in enumerate(rows, 1) if "elo" in r] == list(range(3, ITERATIONS + 1, 3))
    assert all(0 <= r["optimal_rate"] <= r["good_rate"] <= 1 for r in rows if "optimal_rate" in r)
    assert [r["games"] for r in rows] == [TINY["games_per_iteration"] * i for i in range(1, ITERATIONS + 1)]
    games = _lines(run / "games.jsonl")
    assert [g["index"] for g in games] == list(range(ITERATIONS * TINY["games_per_iteration"]))
    assert [g["iteration"] for g in games] == [i for i in range(1, ITERATIONS + 1) for _ in range(TINY["games_per_iteration"])]
    ttt = games_registry.make("tictactoe")
    assert all(len(ttt.split_moves(g["moves"])) >= 5 and g["returns"] in ([1, -1], [-1, 1], [0, 0]) for g in games)
    assert int(checkpoint_dirs(run)[-1].name) == ITERATIONS
    state = json.loads((checkpoint_dirs(run)[-1] / "state.json").read_text())
    assert state["games"] == ITERATIONS * TINY["games_per_iteration"] and state["step"] == steps[-1]
    assert state["pending_steps"] > 0  # owed to the last iteration's games, made first when the run goes on


def test_inference_server_answers_queued_requests_with_one_forward_pass():
    from move37.nets import evaluator
    from move37.train.config import from_dict
    from move37.train.ray_inference import InferenceServer

    server = InferenceServer("tictactoe", from_dict({}, "tictactoe"), "cpu")
    rng = np.random.default_rng(0)
    requests = [(rng.random((k, 2, 3, 3), dtype=np.float32), rng.random((k, 9)) < 0.7) for k in (5, 1, 8)]

    async def together():
        return await asyncio.gather(*(server.evaluate(obs, legal) for obs, legal in requests))

    answers = asyncio.run(together())
    assert asyncio.run(server.stats()) == (1, 3)  # three workers' leaves, one forward pass
    alone = evaluator(server.net)
    for (obs, legal), (priors, values) in zip(requests, answers):
        p, v = alone(obs, legal)
        assert priors.shape == (len(obs), 9) and values.shape == (len(obs),)
        np.testing.assert_allclose(priors, p, atol=1e-6)
        np.testing.assert_allclose(values, v, atol=1e-6)
        assert np.all(priors[~legal] == 0)


class _FakeRay:
    """Ray's calls that `connect` makes, for a cluster of given resources."""

    def __init__(self, resources: dict):
        self.resources, self.connected = resources, False

    def init(self, **_):
        self.connected = True

    def cluster_resources(self) -> dict:
        return self.resources

    def shutdown(self):
        self.connected = False


def test_workers_are_counted_against_the_cluster_before_anything_is_written(tmp_path, capsys, monkeypatch):
    from move37.train import ray_source

    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")  # connect() sets it when unset
    for resources, inference, expected in [({"CPU": 8.0}, False, (7, None)), ({"CPU": 8.0}, True, (6, "cpu")),
                                           ({"CPU": 8.0, "GPU": 1.0}, True, (7, "cuda")), ({"CPU": 2.0}, False, (1, None))]:
        monkeypatch.setattr(ray_source, "ray", _FakeRay(resources))
        assert ray_source.connect("auto", None, inference) == expected
    fake = _FakeRay({"CPU": 4.0})
    monkeypatch.setattr(ray_source, "ray", fake)
    run = tmp_path / "run"
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "1", "--ray", "auto", "--ray-workers", "3",
                 "--ray-inference"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("move37: error: 3 Ray workers, the learner and a CPU inference actor: "
                   "the cluster has 4 CPUs (each takes one)")
    assert not run.exists() and not fake.connected


def test_ray_missing_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    from move37.train import ray_source

    monkeypatch.setattr(ray_source, "ray", None)
    run = tmp_path / "run"
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "1", "--ray", "auto"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "move37: error: --ray needs Ray: pip install 'move37[ray]'" and not run.exists()


def test_a_share_replayed_on_a_fresh_worker_plays_the_same_games():
    """What makes replacing a dead worker sound: a share's games depend on weights, size and seed only."""
    from move37.train.config import from_dict
    from move37.train.ray_source import SelfPlayWorker

    config = from_dict({"selfplay": {"parallel_games": 4, "sims": 8, "full_search_prob": 0.5, "fast_sims": 2},
                        "search": {"algorithm": "puct"}}, "tictactoe")
    old = SelfPlayWorker("tictactoe", config)
    weights = {k: v.numpy() * 1.5 for k, v in old.net.state_dict().items()}  # weights the workers were not built with
    old.play(weights, 3, [0, 1, 0])  # a worker that has played before, with a searcher of another size
    replayed = old.play(weights, 6, [0, 2, 1])
    fresh = SelfPlayWorker("tictactoe", config).play(weights, 6, [0, 2, 1])
    assert [r.moves for r in replayed.records] == [r.moves for r in fresh.records] and len(fresh.records) == 6
    assert (replayed.hits, replayed.misses) == (fresh.hits, fresh.misses) and fresh.misses > 0
    for a, b in zip(replayed.records, fresh.records):
        np.testing.assert_array_equal(a.policy, b.policy)
        np.testing.assert_array_equal(a.obs, b.obs)
    other = SelfPlayWorker("tictactoe", config).play(weights, 6, [0, 2, 0])  # the next share's seed
    assert [r.moves for r in other.records] != [r.moves for r in fresh.records]


def test_the_learner_actor_makes_the_same_updates_as_the_local_learner(tmp_path):
    """What makes the Ray learner a drop-in: from the same weights, optimiser state, window and generator state it
    draws the same batches and ends with the same weights, step and generator state (run in-process here)."""
    import copy

    import torch

    from move37.nets import PolicyValueNet
    from move37.train.config import from_dict
    from move37.train.learner import Learner
    from move37.train.ray_stages import LearnerActor
    from move37.train.replay import ReplayWindow

    config = from_dict({"learn": {"batch_size": 16, "window": 200, "min_positions": 16}}, "tictactoe")
    game = games_registry.make("tictactoe")
    torch.manual_seed(0)
    learner = Learner(PolicyValueNet(game.info.observation_shape, 9, config.net), game, config.learn)
    data = np.random.default_rng(1)

    def chunk(n):
        policy = data.random((n, 9), dtype=np.float32)
        return {"obs": data.random((n, 2, 3, 3), dtype=np.float32), "legal": np.ones((n, 9), bool),
                "policy": policy / policy.sum(1, keepdims=True), "value": data.uniform(-1, 1, n).astype(np.float32)}

    replay = ReplayWindow(tmp_path, config.learn.window)
    replay.add("chunk_000001.npz", chunk(120))
    rng = np.random.default_rng(2)
    learner.train(replay, 3, rng)  # an optimiser with state to hand over
    weights = {k: v.detach().numpy().copy() for k, v in learner.net.state_dict().items()}
    actor = LearnerActor("tictactoe", config, weights, copy.deepcopy(learner.optimizer.state_dict()), learner.step,
                         copy.deepcopy(replay.chunks))
    second = chunk(100)
    replay.add("chunk_000002.npz", second)
    actor.add("chunk_000002.npz", second)
    losses, rng_state, step, trained = actor.train(5, rng.bit_generator.state)
    assert losses == learner.train(replay, 5, rng)
    assert rng_state == rng.bit_generator.state and step == learner.step == 8
    for key, value in learner.net.state_dict().items():
        np.testing.assert_array_equal(trained[key], value.numpy())
    assert any(not np.array_equal(trained[k], weights[k]) for k in weights)  # it did learn
