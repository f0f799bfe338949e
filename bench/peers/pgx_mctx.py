"""Pgx + mctx: Connect Four self-play with Gumbel MuZero root search, as one XLA program.

This is the peer's fastest form (as in Pgx's AlphaZero example): the game batch, the
mctx search and the network are traced together and `moves` moves of all games run in
one `lax.scan` call. A finished game restarts from the initial position inside the
program, so every game stays in flight; simulations counted = games x sims x moves.
"""

from __future__ import annotations

from bench.peers.measure import Timed, calls_for


def _evaluator(net: str | None):
    """(params, obs (B, 6, 7, 2) bool, legal (B, 7) bool) -> masked logits (B, 7), values (B,)."""
    import jax.numpy as jnp

    from bench.peers import jax_nets

    def evaluate(params, obs, legal):
        if net is None:  # tree and game only: uniform priors, zero value
            logits = jnp.zeros(legal.shape, jnp.float32)
            value = jnp.zeros(legal.shape[:1], jnp.float32)
        else:
            logits, value = jax_nets.forward(params, obs.astype(jnp.float32))
            logits = logits - logits.max(axis=-1, keepdims=True)
        return jnp.where(legal, logits, jnp.finfo(jnp.float32).min), value

    return evaluate


def selfplay(net: str | None, games: int = 64, sims: int = 32, moves: int = 16, seed: int = 0,
             calibrate: bool = True) -> Timed:
    """A compiled call playing `moves` moves of all games; its units are simulations.

    calibrate: repeat the call to fill about half a second per timed call; False: exactly
    `moves` moves per timed call, so runs at different moments time the same games."""
    import jax
    import jax.numpy as jnp
    import mctx
    import pgx

    from bench.peers import jax_nets

    env = pgx.make("connect_four")
    params = jax_nets.init(net, seed) if net else {}
    evaluate = _evaluator(net)

    def recurrent_fn(params, key, action, state):
        player = state.current_player
        state = jax.vmap(env.step)(state, action)
        logits, value = evaluate(params, state.observation, state.legal_action_mask)
        reward = state.rewards[jnp.arange(state.rewards.shape[0]), player]
        value = jnp.where(state.terminated, 0.0, value)
        discount = jnp.where(state.terminated, 0.0, -1.0 * jnp.ones_like(value))
        return mctx.RecurrentFnOutput(reward=reward, discount=discount, prior_logits=logits, value=value), state

    def step_or_restart(state, action, key):
        state = env.step(state, action)
        return jax.lax.cond(state.terminated, lambda: env.init(key), lambda: state)

    def move(carry, _):
        state, key = carry
        key, search_key, reset_key = jax.random.split(key, 3)
        logits, value = evaluate(params, state.observation, state.legal_action_mask)
        root = mctx.RootFnOutput(prior_logits=logits, value=value, embedding=state)
        out = mctx.gumbel_muzero_policy(params, search_key, root, recurrent_fn, num_simulations=sims,
                                        invalid_actions=~state.legal_action_mask)
        state = jax.vmap(step_or_restart)(state, out.action, jax.random.split(reset_key, games))
        return (state, key), None

    @jax.jit
    def run(state, key):
        (state, key), _ = jax.lax.scan(move, (state, key), None, length=moves)
        return state, key

    key = jax.random.PRNGKey(seed)
    carry = [jax.vmap(env.init)(jax.random.split(key, games)), key]
    jax.block_until_ready(run(*carry))  # compile outside the timing

    def call() -> None:
        carry[:] = run(*carry)
        jax.block_until_ready(carry)

    reps = calls_for(call) if calibrate else 1  # about half a second of work per timed call

    def once() -> float:
        for _ in range(reps):
            call()
        return games * sims * moves * reps

    return once, dict(games=games, sims_per_move=sims, moves_per_call=moves * reps, net=net or "none",
                      params=jax_nets.num_params(params) if net else 0)


def forward(net: str, batch: int, seed: int = 0) -> Timed:
    """The jitted network alone: evaluations/s at `batch`, one synchronised call at a time."""
    import jax
    import numpy as np

    from bench.peers import jax_nets

    params = jax_nets.init(net, seed)
    obs = jax.numpy.asarray(np.random.default_rng(seed).integers(0, 2, (batch, 6, 7, 2)), jax.numpy.float32)
    fn = jax.jit(jax_nets.forward)
    jax.block_until_ready(fn(params, obs))
    calls = calls_for(lambda: jax.block_until_ready(fn(params, obs)))

    def once() -> float:
        for _ in range(calls):
            jax.block_until_ready(fn(params, obs))
        return batch * calls

    return once, dict(batch=batch, net=net, params=jax_nets.num_params(params))
