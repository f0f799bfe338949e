"""Pgx's own AlphaZero recipe trained on Connect Four for a wall-clock budget, with move37's
Connect Four network, and its optimal-move rate measured on move37's labelled positions.

The learning recipe follows Pgx's example examples/alphazero (train.py, network.py; sotetsuk/pgx)
and keeps its choices: each iteration plays `max_num_steps` moves of a batch of games from
fresh starts (finished games restart in place, Pgx's `auto_reset`) with mctx's
`gumbel_muzero_policy` (gumbel_scale 1, completed-by-mix-value Q), takes the search's
action weights as policy targets and the discounted game result as value targets (masked
where a game was cut off), shuffles all of them and makes one Adam step (learning rate
1e-3) per 4096 of them on softmax cross-entropy plus L2 value loss; batch norm as in the
example (momentum 0.9, batch statistics while training). Only what the comparison fixes is
changed: 256 games in parallel, 32 simulations a move, and move37's network (the "connect4"
preset: a 3x3 conv stem with batch norm, 3 post-activation residual blocks of 32 channels, a
policy head 1x1 conv -> 2 -> linear 7, a value head 1x1 conv -> 1 -> linear 64 -> linear 1,
tanh; convolutions without bias, as move37's are followed by batch norm). One device: `jit`
where the example uses `pmap`.
The example's quirk is kept too: a game restarted in place still carries its terminated
flag at the next root, so that root's search sees only terminal children of value 0.

Every `eval_every_s` seconds of the training clock (self-play and learning only; compiling
counts, evaluation does not) the network is measured on the 300 positions of training's
evaluation (move37.data.connect4_sample(300, 37)): the raw policy's argmax over legal moves, and a
deterministic Gumbel search (gumbel_scale 0) with 32 simulations, each scored against the
optimal ("best") and the result-keeping ("good") actions. The curve goes to a JSON file
after every point, so a cut-off run keeps what it measured.

    .venv-bench/bin/python bench/peers/pgx_alphazero.py --minutes 30 --threads 1
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from move37.atomic import write_json  # noqa: E402

LABELS = (300, 37)  # training's evaluation positions: count and seed of move37.data.connect4_sample


@dataclass(frozen=True)
class Recipe:
    """Pgx's AlphaZero example settings (its Config), the fixed-by-comparison ones set to move37's."""

    selfplay_batch_size: int = 256  # move37's parallel_games (the example: 1024)
    num_simulations: int = 32  # as the example and move37
    max_num_steps: int = 256  # moves of every game batch per iteration, as the example
    training_batch_size: int = 4096  # as the example
    learning_rate: float = 1e-3  # Adam, as the example
    channels: int = 32  # move37's connect4 preset (the example: 128 x 6, pre-activation)
    blocks: int = 3
    value_hidden: int = 64
    seed: int = 0


class Sample(NamedTuple):
    """Training samples, leading axes (T, B) after self-play, (N,) once flattened."""

    obs: object  # (..., 6, 7, 2) bool: the mover's stones, the opponent's
    policy: object  # (..., 7) search action weights
    value: object  # (...,) discounted result for the mover
    value_mask: object  # (...,) False where the game was cut off before its end


def network(recipe: Recipe):
    """A haiku (params, state) network: obs (B, 6, 7, 2) -> (logits (B, 7), value (B,))."""
    import haiku as hk
    import jax
    import jax.numpy as jnp

    def norm(x, training):
        return hk.BatchNorm(True, True, 0.9)(x, training, test_local_stats=False)

    def conv(x, channels, k):
        return hk.Conv2D(channels, kernel_shape=k, with_bias=False)(x)

    def forward(obs, training=False):
        x = jax.nn.relu(norm(conv(obs.astype(jnp.float32), recipe.channels, 3), training))
        for _ in range(recipe.blocks):
            y = jax.nn.relu(norm(conv(x, recipe.channels, 3), training))
            x = jax.nn.relu(x + norm(conv(y, recipe.channels, 3), training))
        p = jax.nn.relu(norm(conv(x, 2, 1), training))
        logits = hk.Linear(7)(hk.Flatten()(p))
        v = jax.nn.relu(norm(conv(x, 1, 1), training))
        v = jax.nn.relu(hk.Linear(recipe.value_hidden)(hk.Flatten()(v)))
        return logits, jnp.tanh(hk.Linear(1)(v))[:, 0]

    return hk.without_apply_rng(hk.transform_with_state(forward))


class Trainer:
    """The example's loop pieces, compiled: `selfplay` -> `targets` -> `update` per minibatch."""

    def __init__(self, recipe: Recipe):
        import jax
        import jax.numpy as jnp
        import mctx
        import optax
        import pgx
        from pgx.experimental import auto_reset

        self.recipe = recipe
        self.env = env = pgx.make("connect_four")
        self.net = net = network(recipe)
        self.optimizer = optax.adam(recipe.learning_rate)
        key = jax.random.PRNGKey(recipe.seed)
        self.model = net.init(key, jax.vmap(env.init)(jax.random.split(key, 2)).observation, True)  # (params, state)
        self.opt_state = self.optimizer.init(self.model[0])
        games, steps = recipe.selfplay_batch_size, recipe.max_num_steps

        def evaluate(model, state):
            (logits, value), _ = net.apply(*model, state.observation, False)
            logits = logits - logits.max(axis=-1, keepdims=True)
            return jnp.where(state.legal_action_mask, logits, jnp.finfo(logits.dtype).min), value

        def recurrent_fn(model, key, action, state):
            mover = state.current_player
            state = jax.vmap(env.step)(state, action)
            logits, value = evaluate(model, state)
            reward = state.rewards[jnp.arange(state.rewards.shape[0]), mover]
            value = jnp.where(state.terminated, 0.0, value)
            discount = jnp.where(state.terminated, 0.0, -1.0)
            return mctx.RecurrentFnOutput(reward=reward, discount=discount, prior_logits=logits, value=value), state

        def search(model, key, state, gumbel_scale):
            logits, value = evaluate(model, state)
            root = mctx.RootFnOutput(prior_logits=logits, value=value, embedding=state)
            return mctx.gumbel_muzero_policy(model, key, root, recurrent_fn, num_simulations=recipe.num_simulations,
                                             invalid_actions=~state.legal_action_mask, gumbel_scale=gumbel_scale,
                                             qtransform=mctx.qtransform_completed_by_mix_value)

        def selfplay(model, key):
            def move(state, key):
                search_key, reset_key = jax.random.split(key)
                out = search(model, search_key, state, 1.0)
                mover = state.current_player
                after = jax.vmap(auto_reset(env.step, env.init))(state, out.action, jax.random.split(reset_key, games))
                return after, dict(obs=state.observation, policy=out.action_weights,
                                   reward=after.rewards[jnp.arange(games), mover], terminated=after.terminated)

            init_key, key = jax.random.split(key)
            state = jax.vmap(env.init)(jax.random.split(init_key, games))
            return jax.lax.scan(move, state, jax.random.split(key, steps))[1]  # each (T, B, ...)

        def targets(data) -> Sample:
            # Value: the mover's discounted result, backwards through the moves (the next mover is the
            # opponent, hence discount -1; 0 across a game's end). Masked where no end follows.
            discount = jnp.where(data["terminated"], 0.0, -1.0)

            def back(later, t):
                v = data["reward"][t] + discount[t] * later
                return v, v

            _, value = jax.lax.scan(back, jnp.zeros(games), jnp.arange(steps), reverse=True)
            ended = jnp.cumsum(data["terminated"][::-1], axis=0)[::-1] >= 1
            return Sample(data["obs"], data["policy"], value, ended)

        def loss(params, state, batch: Sample):
            (logits, value), state = net.apply(params, state, batch.obs, True)
            policy_loss = optax.softmax_cross_entropy(logits, batch.policy).mean()
            value_loss = (optax.l2_loss(value, batch.value) * batch.value_mask).mean()
            return policy_loss + value_loss, (state, policy_loss, value_loss)

        def update(model, opt_state, batch: Sample):
            grads, (state, policy_loss, value_loss) = jax.grad(loss, has_aux=True)(*model, batch)
            updates, opt_state = self.optimizer.update(grads, opt_state)
            return (optax.apply_updates(model[0], updates), state), opt_state, policy_loss, value_loss

        self._selfplay_targets = jax.jit(lambda model, key: targets(selfplay(model, key)))
        self._update = jax.jit(update)
        self._decide = jax.jit(lambda model, state: (evaluate(model, state)[0].argmax(axis=-1),
                                                      search(model, jax.random.PRNGKey(0), state, 0.0).action))
        self.key = jax.random.PRNGKey(recipe.seed + 1)
        self.frames = 0

    def iteration(self) -> dict:
        """Self-play one batch, then one pass of Adam steps over its shuffled samples; mean losses."""
        import jax
        import numpy as np

        self.key, play_key, shuffle_key = jax.random.split(self.key, 3)
        samples = jax.device_get(self._selfplay_targets(self.model, play_key))
        samples = Sample(*(x.reshape(-1, *x.shape[2:]) for x in samples))  # (T * B, ...)
        n = samples.obs.shape[0]
        self.frames += n
        order = np.asarray(jax.random.permutation(shuffle_key, n))
        size = self.recipe.training_batch_size
        losses = []
        for i in range(n // size):
            part = order[i * size:(i + 1) * size]
            self.model, self.opt_state, p, v = self._update(self.model, self.opt_state, Sample(*(x[part] for x in samples)))
            losses.append((float(p), float(v)))
        p, v = np.mean(losses, axis=0) if losses else (float("nan"), float("nan"))
        return {"policy_loss": float(p), "value_loss": float(v), "updates": len(losses), "frames": self.frames}

    def decide(self, states):
        """(raw policy argmax (N,), 32-simulation deterministic Gumbel search action (N,)) at `states`."""
        import numpy as np

        policy, searched = self._decide(self.model, states)
        return np.asarray(policy), np.asarray(searched)


def label_states(env, labels: list[dict]):
    """The labelled positions as one batched pgx state. A label's "moves" are 1-based column
    digits (move37's Connect Four notation); pgx's action is the 0-based column, and its
    observation's first plane holds the stones of the side to move, as move37's does."""
    import jax

    step = jax.jit(env.step)
    states = []
    for label in labels:
        state = env.init(jax.random.PRNGKey(0))
        for digit in label["moves"]:
            column = int(digit) - 1
            if not bool(state.legal_action_mask[column]) or bool(state.terminated):
                raise ValueError(f"label {label['moves']!r}: column {digit} is not a legal move in pgx")
            state = step(state, column)
        states.append(state)
    return jax.tree_util.tree_map(lambda *xs: jax.numpy.stack(xs), *states)


def move_rates(actions, labels: list[dict]) -> dict[str, float]:
    """Share of positions where the action is optimal ("best") and where it keeps the result ("good")."""
    n = len(labels)
    return {"optimal": sum(int(a) in lab["best"] for a, lab in zip(actions, labels)) / n,
            "good": sum(int(a) in lab["good"] for a, lab in zip(actions, labels)) / n}


def run(minutes: float, eval_every_s: float, out: Path, recipe: Recipe, threads: int) -> dict:
    from move37.data import connect4_sample

    labels = connect4_sample(*LABELS)
    trainer = Trainer(recipe)
    states = label_states(trainer.env, labels)
    curve: list[dict] = []
    result = {"framework": "pgx+mctx+haiku+optax", "follows": "sotetsuk/pgx examples/alphazero",
              "recipe": asdict(recipe), "minutes": minutes, "eval_every_s": eval_every_s, "threads": threads,
              "positions": len(labels), "labels": "move37.data.connect4_sample(300, 37)", "curve": curve}
    wall0, train_s, eval_s, iteration = time.monotonic(), 0.0, 0.0, 0
    next_eval, last = 0.0, {}
    while True:
        if train_s >= next_eval or train_s >= minutes * 60:
            t0 = time.monotonic()
            policy, searched = trainer.decide(states)
            raw, search = move_rates(policy, labels), move_rates(searched, labels)
            eval_s += time.monotonic() - t0
            usage = resource.getrusage(resource.RUSAGE_SELF)
            curve.append({"iteration": iteration, "train_s": round(train_s, 2),
                          "wall_s": round(time.monotonic() - wall0, 2), "eval_s": round(eval_s, 2),
                          "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "frames": trainer.frames,
                          "optimal_rate": search["optimal"], "good_rate": search["good"],
                          "optimal_rate_policy": raw["optimal"], "good_rate_policy": raw["good"], **last})
            write_json(out, result)
            print(json.dumps(curve[-1]), flush=True)
            next_eval = (train_s // eval_every_s + 1) * eval_every_s
            if train_s >= minutes * 60:
                return result
        t0 = time.monotonic()
        last = trainer.iteration()
        train_s += time.monotonic() - t0
        iteration += 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=30.0, help="training clock budget (evaluation excluded)")
    p.add_argument("--eval-every", type=float, default=120.0, help="seconds of training clock between measurements")
    p.add_argument("--threads", type=int, default=1, help="XLA and BLAS threads (0: the libraries' defaults)")
    p.add_argument("--max-num-steps", type=int, default=Recipe.max_num_steps, help="moves of self-play per iteration")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "learning_efficiency_pgx.json")
    args = p.parse_args(argv)
    if args.minutes <= 0 or args.eval_every <= 0 or args.max_num_steps < 1:
        p.error("--minutes, --eval-every and --max-num-steps must be positive")
    if args.threads:
        from bench.selfplay import set_threads

        set_threads(args.threads)  # before JAX starts
    run(args.minutes, args.eval_every, args.out, Recipe(max_num_steps=args.max_num_steps, seed=args.seed), args.threads)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
