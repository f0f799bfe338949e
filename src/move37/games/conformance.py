"""The conformance checker every registered game must pass.

It plays random games and checks, at every position visited, the invariants that
search, self-play and the protocols rely on. A failure raises ConformanceError
naming the position (as a move sequence) and the broken rule.
"""

from __future__ import annotations

import numpy as np

from move37.errors import IllegalMoveError, Move37Error
from move37.games.base import Game, State


class ConformanceError(AssertionError):
    """A game breaks a rule of the game API."""


def _check(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise ConformanceError(f"{message} (after moves {where!r})")


def check_state(game: Game, state: State, where: str, rng: np.random.Generator) -> None:
    """Check one position: mask, legality, encoding, notation and symmetries."""
    info = game.info
    mask = state.legal_mask()
    _check(mask.shape == (info.num_actions,) and mask.dtype == bool, where, "legal_mask has wrong shape/dtype")
    _check(state.is_terminal() != bool(mask.any()), where, "terminal state with legal moves, or live state without")
    obs = state.encode()
    _check(obs.shape == info.observation_shape and obs.dtype == np.float32, where, "encode has wrong shape/dtype")
    _check(bool(np.isfinite(obs).all()), where, "encode is not finite")
    ret = state.returns()
    _check(ret.shape == (info.num_players,), where, "returns has wrong shape")
    _check(state.truncated <= state.is_terminal(), where, "truncated state that is not terminal")
    if state.is_terminal():  # an environment's return is the sum of its rewards, not a constant
        _check(info.rewards or abs(float(ret.sum()) - info.returns_sum) < 1e-9, where,
               "returns do not sum as declared")
    else:
        _check(not ret.any(), where, "returns of a live state are not zero")
    illegal = np.flatnonzero(~mask)
    if illegal.size:
        a = int(rng.choice(illegal))
        try:
            state.play(a)
        except IllegalMoveError:
            pass
        else:
            raise ConformanceError(f"play accepted illegal action {a} (after moves {where!r})")
    for a in state.legal_actions():
        text = game.action_to_text(state, int(a))
        _check(game.text_to_action(state, text) == a, where, f"action {a} -> {text!r} does not parse back")
    text = game.state_to_text(state)
    if text is not None:
        _check(game.state_from_text(text) == state, where, f"position text {text!r} does not parse back")
    _check_symmetries(game, state, where, rng)


def _check_symmetries(game: Game, state: State, where: str, rng: np.random.Generator) -> None:
    mask, obs = state.legal_mask(), state.encode()
    legal = state.legal_actions()
    for k in range(game.info.num_symmetries):
        perm = game.action_permutation(k)
        image = state.transform(k)
        _check(image.current_player == state.current_player or state.is_terminal(), where, f"symmetry {k} changes the mover")
        _check(bool((image.legal_mask()[perm] == mask).all()), where, f"symmetry {k} does not map legal moves to legal moves")
        _check(image.is_terminal() == state.is_terminal(), where, f"symmetry {k} changes terminality")
        _check(bool((image.returns() == state.returns()).all()), where, f"symmetry {k} changes the outcome")
        _check(bool((game.transform_observation(obs, k) == image.encode()).all()), where, f"symmetry {k}: observation transform disagrees with the state transform")
        if legal.size:
            a = int(rng.choice(legal))
            _check(state.play(a).transform(k) == image.play(int(perm[a])), where, f"symmetry {k} does not commute with play")
    if game.info.num_symmetries:
        _check(bool((game.action_permutation(0) == np.arange(game.info.num_actions)).all()), where, "symmetry 0 is not the identity")


def check_game(game: Game, playouts: int = 20, seed: int = 0) -> int:
    """Play `playouts` random games checking every position; returns positions checked."""
    rng = np.random.default_rng(seed)
    info = game.info
    _check(info.num_actions > 0 and info.num_symmetries >= 1 and info.max_length > 0, "", "implausible GameInfo")
    checked = 0
    for _ in range(playouts):
        state, moves = game.initial_state(), []
        while True:
            where = game.join_moves(moves)
            check_state(game, state, where, rng)
            checked += 1
            if state.is_terminal():
                break
            before = state.key()
            a = int(rng.choice(state.legal_actions()))
            moves.append(game.action_to_text(state, a))
            nxt = state.play(a)
            _check(state.key() == before, where, "play changed the state it was called on")
            state = nxt
            _check(len(moves) <= info.max_length, where, "game longer than max_length")
        try:
            replay = game.state_from_moves(game.join_moves(moves))
        except Move37Error as e:
            raise ConformanceError(f"move sequence {game.join_moves(moves)!r} does not replay: {e}") from None
        _check(replay == state and replay.is_terminal(), game.join_moves(moves), "move sequence does not replay to the same position")
    return checked
