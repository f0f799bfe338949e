"""The learner and evaluation as Ray actors, so they run while the workers play instead of between iterations.

The Ray side of stages.py's `Stages`. With `--ray` an iteration is three stages at once.
The self-play workers play iteration t's games with the network W (ray_source.py); the `LearnerActor` trains on the
replay window as it was after iteration t-1, turning W into W'; when an evaluation is
due, the `EvaluationActor` measures W, the network that plays iteration t. Then the
driver writes t's games and replay chunk, sends the chunk to the learner, and
checkpoints W' together with the updates still owed to chunk t (`pending_steps` in
state.json), which the next iteration makes while W' plays. So self-play uses weights
one iteration older than in a local run, as in AlphaZero's asynchronous training, and
nobody waits for the learner unless it is the slowest stage.

Weights reach the workers and the evaluation actor through Ray's object store; each
replay chunk goes to the learner once. The learner's batches draw on the run's
generator, whose state travels with every call and is saved in the checkpoint, so a
resumed run continues it. The evaluation actor gets what the run folder caches (the
solver's labels, and the ladder's round robin, played here first when Elo is on), so it
can sit on any node. If the learner or the evaluation actor dies, `StageLost` tells the
training loop, which goes back to its last checkpoint and starts both actors again
(at most stages.MAX_RESTARTS times in one `move37 train`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from move37 import games as game_registry
from move37.errors import StageLost
from move37.nets import PolicyValueNet, evaluator
from move37.train import evaluate as ev
from move37.train.config import ZeroConfig
from move37.train.learner import Learner
from move37.train.replay import ReplayWindow

try:
    import ray
    from ray.exceptions import RayActorError
except ImportError:  # only reached through ray_source.connect(), which reports a missing Ray first
    ray = None


def _arrays(net: torch.nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}


def _load(net: torch.nn.Module, weights: dict[str, np.ndarray]) -> None:
    net.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
    net.eval()


class LearnerActor:
    """AdamW updates on an in-memory copy of the replay window (chunks of obs, legal, policy, value)."""

    def __init__(self, game_spec: str, config: ZeroConfig, weights: dict[str, np.ndarray], optimizer: dict,
                 step: int, chunks: list[tuple[str, dict[str, np.ndarray]]]):
        torch.set_num_threads(config.threads)
        game = game_registry.make(game_spec)
        net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config.net)
        _load(net, weights)
        self.learner = Learner(net, game, config.learn)
        self.learner.optimizer.load_state_dict(optimizer)
        self.learner.step = step
        self.window = ReplayWindow(None, config.learn.window)
        for name, arrays in chunks:
            self.window.append(name, arrays)

    def add(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        self.window.append(name, arrays)

    def train(self, steps: int, rng_state: dict, lr: float | None = None
              ) -> tuple[dict[str, float], dict, int, dict[str, np.ndarray]]:
        """`steps` updates at learning rate `lr` (default: as it is) drawing on a generator in `rng_state`: (mean
        losses, the generator's new state, learner step, weights)."""
        rng = np.random.default_rng()
        rng.bit_generator.state = rng_state
        if lr is not None:
            self.learner.set_lr(lr)
        losses = self.learner.train(self.window, steps, rng) if steps else {}
        return losses, rng.bit_generator.state, self.learner.step, _arrays(self.learner.net)

    def optimizer_state(self) -> dict:
        return self.learner.optimizer.state_dict()


class EvaluationActor:
    """The run's evaluations (evaluate.evaluate_network) of the weights it is sent, from the solver's `labels` and
    the ladder's round robin `ladder` (records)."""

    def __init__(self, game_spec: str, config: ZeroConfig, labels: list[dict] | None, ladder: list | None):
        torch.set_num_threads(config.threads)
        self.labels, self.ladder = labels, ladder
        self.game = game_registry.make(game_spec)
        self.net = PolicyValueNet(self.game.info.observation_shape, self.game.info.num_actions, config.net)
        self.evaluate = evaluator(self.net)

    def evaluate_weights(self, weights: dict[str, np.ndarray], iteration: int, config: ZeroConfig) -> dict:
        """The evaluation due at `iteration` under `config` (the one in force)."""
        _load(self.net, weights)
        return ev.evaluate_network(self.game, self.evaluate, config, self.labels, iteration, lambda: self.ladder)


class RayStages:
    """`Stages` on two actors: `begin` submits the updates owed to the previous chunk and, when due, the evaluation
    of the weights about to play; `end` collects them and hands the learner the new chunk."""

    def __init__(self, run: Path, game_spec: str, config: ZeroConfig, learner: Learner, replay: ReplayWindow,
                 labels: list[dict] | None, owed: int, restarts: int):
        self.game_spec, self.config, self.labels, self.owed, self.local = game_spec, config, labels, owed, learner
        self.extra = {"stage_restarts": restarts}
        self.ladder = ev.ladder_records(run, learner.game, config) if ev.elo_on(config) else None
        self.learner = ray.remote(num_cpus=1)(LearnerActor).remote(
            game_spec, config, _arrays(learner.net), learner.optimizer.state_dict(), learner.step, replay.chunks)
        self.evaluator = None  # started at the first evaluation due
        self._jobs: tuple = ()

    def begin(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> None:
        learn = self.learner.train.remote(self.owed, rng.bit_generator.state, config.learn.lr)
        evaluation = None
        if ev.due(config, self.labels, iteration):
            if self.evaluator is None:
                # no CPU reserved: it works in bursts (every eval.every iterations), beside whatever runs there
                self.evaluator = ray.remote(num_cpus=0)(EvaluationActor).remote(
                    self.game_spec, self.config, self.labels, self.ladder)
            evaluation = self.evaluator.evaluate_weights.remote(ray.put(_arrays(net)), iteration, config)
        self._jobs = (learn, evaluation)

    def end(self, net: PolicyValueNet, iteration: int, chunk: tuple[str, dict], steps: int, config: ZeroConfig,
            rng: np.random.Generator) -> tuple[dict, dict]:
        """Wait for the learner (its new weights go into `net`, its step into the driver's learner, the generator's
        state into `rng`) and the evaluation; the learner then gets `chunk`, whose `steps` it makes in the next
        iteration."""
        learn, evaluation = self._jobs
        losses, rng.bit_generator.state, self.local.step, weights = _get(learn, "learner")
        _load(net, weights)
        name, arrays = chunk
        self.learner.add.remote(name, arrays)  # runs before the next `train`: an actor's calls keep their order
        self.owed = steps
        return losses, (_get(evaluation, "evaluation actor") if evaluation is not None else {})

    def sync(self) -> None:
        self.local.optimizer.load_state_dict(_get(self.learner.optimizer_state.remote(), "learner"))

    def close(self) -> None:
        for actor in (self.learner, self.evaluator):
            if actor is not None:
                ray.kill(actor, no_restart=True)


def _get(ref, what: str):
    try:
        return ray.get(ref)
    except RayActorError as e:
        raise StageLost(f"the Ray {what} died ({type(e).__name__})") from None
