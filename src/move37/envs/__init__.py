"""Environments with rewards behind the game API: `gym:CartPole-v1`, `minatar:breakout`.

Any gymnasium environment with a discrete action space, and the MinAtar games, become a
`Game` with one player, a reward on every step and a discount (`GameInfo.rewards`,
`GameInfo.discount`), so they go wherever a game name goes (the registry in move37.games
names them). Board games are untouched: they keep their two players and their signed
returns. Time limits end an episode as `truncated` (the state is terminal for play, but a
value target bootstraps past it), unlike `terminated` (the true end, value 0 after it).

Modules: base.py (the immutable state over a stepped simulator), gym.py, minatar.py.
"""

from move37.envs.base import EnvGame, EnvState, Simulator

__all__ = ["EnvGame", "EnvState", "Simulator"]
