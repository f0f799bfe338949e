"""Agent kinds the tests register (`monkeypatch.setitem(agents.AGENTS.entries, NAME, "fake_agents:CLASS")`)
to drive the servers' admission and deadlines without real engines or long searches."""

from __future__ import annotations

import threading

from move37.agents.base import Agent, Analysis


class SpawningAgent(Agent):
    """A kind that declares it starts a program (it does not: it counts its builds), as a new engine kind would."""

    starts_process = True
    built = 0

    def __init__(self, *, game, seed: int = 0):
        SpawningAgent.built += 1

    def _analyse(self, state):
        return Analysis(action=int(state.legal_actions()[0]))


class SlowAgent(Agent):
    """A kind whose moves end only when the test sets `go`: a search that overruns a server's deadline."""

    go = threading.Event()

    def __init__(self, *, game, seed: int = 0):
        pass

    def _analyse(self, state):
        SlowAgent.go.wait(30)
        return Analysis(action=int(state.legal_actions()[0]))
