"""How well the learned model knows the rules: its latent rollout k steps along real play, against the game.

From the representation of a real observation, the dynamics steps along the moves the game really
continued with; after k steps the model's guesses are compared with what the rules said there:

    legal moves  the prediction head's policy, read as a legality mask: action a is predicted legal when its
                 prior (softmax over all actions, nothing masked) is >= `threshold`. The model has no legality
                 head; its policy is trained on search policies that put 0 on the real illegal moves, so this
                 is what it learnt of legality. Scored where the game goes on (not at the last observation).
    reward       the dynamics' reward for step k, right when within 0.5 of the real one (board games: the
                 mover's outcome +1/-1 at a decisive end, else 0).
    end          the model has no end head either: a predicted |reward| >= 0.5 is read as "the game ends here".
                 In Connect Four every end but a full-board draw pays +-1, so this is the model's only end signal.

`rollout_accuracy` needs nothing but a model with `represent`, `step` and `__call__` (model.LatentModel)
and `Trajectory`s; `continuations` plays the real games to measure on.
"""

from __future__ import annotations

import numpy as np

from move37.games.base import Game
from move37.worldmodel.model import LatentModel
from move37.worldmodel.play import mover_reward, start
from move37.worldmodel.replay import Trajectory


def continuations(game: Game, model: LatentModel, count: int, rng: np.random.Generator,
                  opening: int = 0) -> list[Trajectory]:
    """`count` real games after 0..`opening` random moves each, every move drawn from the model's raw policy on
    the real observation (legal moves only; temperature 1), all games stepped together."""
    states = [start(game, i, opening, rng) for i in range(count)]
    A = game.info.num_actions
    rec = [{"obs": [s.encode()], "legal": [s.legal_mask()], "player": [s.current_player], "action": [], "reward": []}
           for s in states]
    live = list(range(count))
    while live:
        legal = np.stack([states[i].legal_mask() for i in live])
        priors, _ = model(model.represent(np.stack([states[i].encode() for i in live])), legal)
        for j, i in enumerate(live):
            p = priors[j] / priors[j].sum()
            a = int(rng.choice(A, p=p))
            nxt = states[i].play(a)
            r = rec[i]
            r["action"].append(a)
            r["reward"].append(mover_reward(nxt, states[i].current_player))
            r["obs"].append(nxt.encode())
            r["legal"].append(nxt.legal_mask())
            r["player"].append(nxt.current_player)
            states[i] = nxt
        live = [i for i in live if not states[i].is_terminal()]
    out = []
    for r, s in zip(rec, states):
        T = len(r["action"])
        out.append(Trajectory(np.stack(r["obs"]).astype(np.float32), np.stack(r["legal"]),
                              np.array(r["player"], np.int8), np.array(r["action"], np.int64),
                              np.array(r["reward"], np.float32), np.zeros((T, A), np.float32),
                              np.zeros(T + 1, np.float32), not s.truncated))
    return out


def rollout_accuracy(model, trajectories: list[Trajectory], horizon: int, threshold: float = 0.01) -> list[dict]:
    """One row per k = 1..horizon over every start t with t + k <= T (T: its episode's length):

        steps           starts that reach k
        legal_exact     share of live steps (t + k < T) whose predicted legal set equals the real one
        illegal_recall  share of the real illegal actions there that the model called illegal (None if none)
        legal_recall    share of the real legal actions there that the model called legal
        all_legal       share of those steps where every action is legal (what "all legal" would score)
        separated       share of the live steps with an illegal action where every illegal action's prior is below
                        every legal one's (no threshold: the legality the policy ranks right; None if none)
        reward          share of steps whose predicted reward is within 0.5 of the real one
        reward_zero     share of steps whose real reward is 0 (what "always 0" would score)
        end_recall      share of real ends (t + k = T, rules ended it) the model called ends (None if none)
        end_false       share of the other steps the model called ends
    """
    if horizon < 1 or not 0 < threshold < 1:
        raise ValueError("horizon must be >= 1 and threshold in (0, 1)")
    starts = [(e, t) for e, traj in enumerate(trajectories) for t in range(len(traj))]
    if not starts:
        return []
    ep = np.array([e for e, _ in starts])
    t0 = np.array([t for _, t in starts])
    length = np.array([len(trajectories[e]) for e in ep])
    A = trajectories[0].legal.shape[1]
    latent = model.represent(np.stack([trajectories[e].obs[t] for e, t in starts]))
    rows = []
    for k in range(1, horizon + 1):
        keep = t0 + k <= length  # of the starts that reached k - 1
        if not keep.any():
            break
        latent, ep, t0, length = latent[keep], ep[keep], t0[keep], length[keep]
        action = np.array([trajectories[e].action[t + k - 1] for e, t in zip(ep, t0)])
        latent, reward = model.step(latent, action)
        priors, _ = model(latent, np.ones((len(ep), A), bool))
        real_reward = np.array([trajectories[e].reward[t + k - 1] for e, t in zip(ep, t0)])
        ended = np.array([t + k == n and trajectories[e].terminated for e, t, n in zip(ep, t0, length)])
        said_end = np.abs(reward) >= 0.5
        on = t0 + k < length
        real_legal = np.array([trajectories[e].legal[t + k] for e, t in zip(ep[on], t0[on])], bool).reshape(-1, A)
        said_legal = priors[on] >= threshold
        some = ~real_legal.all(axis=1)
        top_illegal = np.where(real_legal, -np.inf, priors[on]).max(axis=1)
        low_legal = np.where(real_legal, priors[on], np.inf).min(axis=1)
        rows.append({"k": k, "steps": int(len(ep)),
                     "legal_exact": _share((said_legal == real_legal).all(axis=1)),
                     "illegal_recall": _share(~said_legal[~real_legal]),
                     "legal_recall": _share(said_legal[real_legal]),
                     "all_legal": _share(real_legal.all(axis=1)),
                     "separated": _share((top_illegal < low_legal)[some]),
                     "reward": _share(np.abs(reward - real_reward) < 0.5),
                     "reward_zero": _share(real_reward == 0),
                     "end_recall": _share(said_end[ended]), "end_false": _share(said_end[~ended])})
    return rows


def _share(flags: np.ndarray) -> float | None:
    return float(np.mean(flags)) if flags.size else None
