"""move37's side of the benchmark: batched Gumbel self-play, UCT (`mcts:` agent) and
the network evaluator search calls.

Imports are inside the functions: a part of move37 that does not exist yet makes the
benchmark report "not available" for that row instead of failing.
"""

from __future__ import annotations

import numpy as np

from bench.peers.measure import Timed, calls_for
from bench.peers.nets_spec import MLP_HIDDEN, RES_BLOCKS, RES_CHANNELS


def _net(name: str):
    """move37's PolicyValueNet of the benchmark architecture (batch norm included, eval mode)."""
    from move37.games import make
    from move37.nets import NetConfig, PolicyValueNet

    info = make("connect4").info
    config = (NetConfig(kind="mlp", hidden=(MLP_HIDDEN, MLP_HIDDEN)) if name == "mlp"
              else NetConfig(kind="resnet", channels=RES_CHANNELS, blocks=RES_BLOCKS, hidden=(64,)))
    return PolicyValueNet(info.observation_shape, info.num_actions, config)


def evaluator(net: str | None, device: str = "cpu", seed: int = 0):
    """The `evaluate(obs, legal) -> (priors, values)` function search gets, and its parameter count.

    net: None (uniform priors, zero value: move37.search.kernel_eval.Uniform, which compiled
    search evaluates in its own loop, as Pgx + mctx compile theirs into the search), "mlp",
    "resnet" (move37's PolicyValueNet through `nets.evaluator`, which picks the compiled
    `MLPEvaluator` for the MLP), or "mlp_torch" (the MLP through PyTorch, as before that choice)."""
    if net is None:
        from move37.search.kernel_eval import Uniform

        return Uniform(), 0
    import torch

    from move37.nets import evaluator as make_evaluator
    from move37.nets import num_parameters

    torch.manual_seed(seed)  # the same random network in every run: its priors set the search's work
    model = _net(net.removesuffix("_torch")).to(device)
    evaluate = make_evaluator(model, device)
    if net.endswith("_torch"):
        evaluate = evaluate.large  # PyTorch at every batch size
    return evaluate, num_parameters(model)


def forward(net: str, batch: int, seed: int = 0, device: str = "cpu") -> Timed:
    """move37's evaluator alone (numpy in, softmax priors out): evaluations/s at `batch`."""
    import torch

    torch.manual_seed(seed)
    evaluate, params = evaluator(net, device, seed)
    rng = np.random.default_rng(seed)
    obs = rng.integers(0, 2, (batch, 2, 6, 7)).astype(np.float32)
    legal = np.ones((batch, 7), bool)
    evaluate(obs, legal)
    calls = calls_for(lambda: evaluate(obs, legal))

    def once() -> float:
        for _ in range(calls):
            evaluate(obs, legal)
        return batch * calls

    return once, dict(batch=batch, net=net, params=params, threads=torch.get_num_threads(), device=device)


def selfplay(net: str | None, games: int = 64, sims: int = 32, moves: int = 16, seed: int = 0,
             device: str = "cpu", store: str = "generic", cache: bool = False, threads: int = 1,
             kernel_cache: bool = True, calibrate: bool = True) -> Timed:
    """Gumbel self-play through `BatchedSearch`, accounted as the Pgx peer: `games` games
    always in flight (a finished one restarts), simulations = games x sims x moves.

    store: "generic" (no compiled fast path: one State object per node) or "bitboard"
    (`compiled_for(game)`: move37.games._connect4_kernels.BitboardStore, as self-play uses).
    cache: wrap the evaluator in move37's `EvaluationCache` (exact-input cache, as the
    training loop does; kept across timed calls, as within one self-play iteration).
    threads: `SearchConfig.threads` (Numba threads of the fused search when the evaluator is
    compiled in). kernel_cache: False turns off that search's own evaluation cache.
    calibrate: play at least about half a second of moves per timed call; False: exactly `moves`,
    so runs at different moments time the same games (the cache's hit rate follows the games played).
    """
    from move37.games import make
    from move37.search import evaluation_cache
    from move37.search.batched import BatchedSearch, SearchConfig
    from move37.search.compiled import compiled_for

    game = make("connect4")
    evaluate, params = evaluator(net, device, seed)
    if cache:
        evaluate = evaluation_cache(evaluate)
    searcher = BatchedSearch(game, evaluate, SearchConfig(algorithm="gumbel", threads=threads), games, sims,
                             compiled_for(game) if store == "bitboard" else None)
    if not kernel_cache:
        searcher.cache_slots = 0
    if store == "bitboard" and type(searcher.store).__name__ != "BitboardStore":
        raise ImportError("move37's search did not pick the compiled Connect Four store")
    rng = np.random.default_rng(seed)
    for b in range(games):
        searcher.set_root(b, game.initial_state())

    def play(n_moves: int) -> float:
        for _ in range(n_moves):
            out = searcher.run(sims, rng, explore=True)
            for b in np.flatnonzero(searcher.advance_all(out.action)):  # all games' moves in one call
                searcher.set_root(b, game.initial_state())
        return games * sims * n_moves

    play(2)  # compile the kernels outside the timing
    if calibrate:
        moves = max(moves, calls_for(lambda: play(1)))  # about half a second of work per timed call

    meta = dict(games=games, sims_per_move=sims, moves_per_call=moves, net=net or "none", params=params,
                store=store, cache=cache, threads=threads, fused=searcher.fused,
                compiled_evaluator=getattr(evaluate, "kernel", None) is not None,
                kernel_cache=kernel_cache and searcher.cache_slots > 0,
                api="move37.search.batched.BatchedSearch (Gumbel, explore=True)")
    counted = [searcher.evaluations, searcher.cache_hits]

    def once() -> float:
        units = play(moves)
        if cache:
            meta["cache_hit_rate"] = evaluate.hits / max(evaluate.hits + evaluate.misses, 1)
        made, found = searcher.evaluations - counted[0], searcher.cache_hits - counted[1]
        meta["evaluations_per_simulation"] = made / max(units, 1)  # network calls per simulation (the last call)
        meta["kernel_cache_hit_rate"] = found / max(made + found, 1)
        counted[:] = [searcher.evaluations, searcher.cache_hits]
        return units

    return once, meta


def uct(sims: int = 200, games: int | None = None, seed: int = 0, compiled: bool = True) -> Timed:
    """The `mcts:` agent (UCT, random rollouts) playing both sides of whole games.

    compiled: the agent's default, Connect Four's compiled UCT (move37.search._mcts_compiled);
    False keeps it on the Python loop. games: per timed call (None: as many as fill about
    half a second, timed on one game after the first call compiled the kernels)."""
    from move37.agents import make as make_agent
    from move37.games import make

    game = make("connect4")
    spec = f"mcts:sims={sims},c=2.0,seed={seed},compiled={str(compiled).lower()}"
    agent = make_agent(spec, game)

    def play(n: int) -> float:
        moves = 0
        for _ in range(n):
            state = game.initial_state()
            while not state.is_terminal():
                state = state.play(agent.act(state))
                moves += 1
        return sims * moves

    if games is None:
        play(1)
        games = calls_for(lambda: play(1))
    return lambda: play(games), dict(agent=spec, sims_per_move=sims, games_per_repeat=games)


def numpy_mlp_evaluator(seed: int = 0):
    """move37's MLP weights evaluated with NumPy matmuls (softmax priors, tanh value): a
    torch-free inference path for small networks, with the evaluator's signature."""
    import torch

    torch.manual_seed(seed)
    w = [p.detach().numpy().T.copy() if p.ndim == 2 else p.detach().numpy() for p in _net("mlp").parameters()]

    def evaluate(obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.maximum(obs.reshape(len(obs), -1) @ w[0] + w[1], 0.0)
        h = np.maximum(h @ w[2] + w[3], 0.0)
        logits = np.where(legal, h @ w[4] + w[5], -1e9)
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True), np.tanh(h @ w[6] + w[7])[:, 0]

    return evaluate, sum(x.size for x in w)


def forward_numpy_mlp(batch: int, seed: int = 0) -> Timed:
    """The NumPy MLP evaluator alone: evaluations/s at `batch`."""
    evaluate, params = numpy_mlp_evaluator(seed)
    obs = np.random.default_rng(seed).integers(0, 2, (batch, 2, 6, 7)).astype(np.float32)
    legal = np.ones((batch, 7), bool)
    calls = calls_for(lambda: evaluate(obs, legal))

    def once() -> float:
        for _ in range(calls):
            evaluate(obs, legal)
        return batch * calls

    return once, dict(batch=batch, net="mlp", params=params)
