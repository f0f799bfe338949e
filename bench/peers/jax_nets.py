"""The benchmark's networks (see nets_spec.py) in plain JAX, observations NHWC (B, 6, 7, 2)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from bench.peers.nets_spec import ACTIONS, COLS, MLP_HIDDEN, PLANES, RES_BLOCKS, RES_CHANNELS, ROWS


def _dense(rng: np.random.Generator, n_in: int, n_out: int) -> dict:
    return {"w": jnp.asarray(rng.normal(0, n_in**-0.5, (n_in, n_out)), jnp.float32), "b": jnp.zeros(n_out)}


def _conv(rng: np.random.Generator, k: int, c_in: int, c_out: int) -> dict:
    w = rng.normal(0, (k * k * c_in) ** -0.5, (k, k, c_in, c_out))
    return {"w": jnp.asarray(w, jnp.float32), "b": jnp.zeros(c_out)}


def init(name: str, seed: int = 0) -> dict:
    """Parameters of network `name` ("mlp" or "resnet")."""
    rng = np.random.default_rng(seed)
    cells = ROWS * COLS
    if name == "mlp":
        return {"h1": _dense(rng, cells * PLANES, MLP_HIDDEN), "h2": _dense(rng, MLP_HIDDEN, MLP_HIDDEN),
                "policy": _dense(rng, MLP_HIDDEN, ACTIONS), "value": _dense(rng, MLP_HIDDEN, 1)}
    if name == "resnet":
        c = RES_CHANNELS
        return {"stem": _conv(rng, 3, PLANES, c),
                "blocks": [(_conv(rng, 3, c, c), _conv(rng, 3, c, c)) for _ in range(RES_BLOCKS)],
                "p_conv": _conv(rng, 1, c, 2), "p_fc": _dense(rng, 2 * cells, ACTIONS),
                "v_conv": _conv(rng, 1, c, 1), "v_fc1": _dense(rng, cells, 64), "v_fc2": _dense(rng, 64, 1)}
    raise ValueError(f"unknown network {name!r}")


def num_params(params: dict) -> int:
    return int(sum(x.size for x in jax.tree_util.tree_leaves(params)))


def _apply_conv(p: dict, x: jnp.ndarray) -> jnp.ndarray:
    y = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return y + p["b"]


def forward(params: dict, obs: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """obs (B, 6, 7, 2) float32 -> (policy logits (B, 7), values (B,))."""
    b = obs.shape[0]
    if "h1" in params:  # mlp
        x = obs.reshape(b, -1)
        x = jax.nn.relu(x @ params["h1"]["w"] + params["h1"]["b"])
        x = jax.nn.relu(x @ params["h2"]["w"] + params["h2"]["b"])
        logits = x @ params["policy"]["w"] + params["policy"]["b"]
        value = jnp.tanh(x @ params["value"]["w"] + params["value"]["b"])[:, 0]
        return logits, value
    x = jax.nn.relu(_apply_conv(params["stem"], obs))
    for c1, c2 in params["blocks"]:
        x = jax.nn.relu(x + _apply_conv(c2, jax.nn.relu(_apply_conv(c1, x))))
    p = jax.nn.relu(_apply_conv(params["p_conv"], x)).reshape(b, -1)
    logits = p @ params["p_fc"]["w"] + params["p_fc"]["b"]
    v = jax.nn.relu(_apply_conv(params["v_conv"], x)).reshape(b, -1)
    v = jax.nn.relu(v @ params["v_fc1"]["w"] + params["v_fc1"]["b"])
    value = jnp.tanh(v @ params["v_fc2"]["w"] + params["v_fc2"]["b"])[:, 0]
    return logits, value
