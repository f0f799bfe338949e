"""Named plug-ins loaded on first use: the one registry helper behind games, agents, solvers and tasks.

Each entry maps a name to "module:attribute". Nothing is imported until a name is
asked for, so a plug-in's dependencies (Numba kernels, PyTorch, a chess library)
load only when it is used, and registering one adds no import edge to the graph.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from move37.errors import UnknownNameError


class Registry:
    """`kind` names what the entries are, for the error of an unknown name ("game", "agent", ...).
    `entries`: name -> "module:attribute" (a dict: tests register a fake with monkeypatch.setitem)."""

    def __init__(self, kind: str, entries: Mapping[str, str]):
        self.kind = kind
        self.entries = dict(entries)

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def load(self, name: str):
        """The object registered as `name`; UnknownNameError (listing the known names) when there is none."""
        if name not in self.entries:
            raise UnknownNameError(f"unknown {self.kind} {name!r} (known: {', '.join(self.names())})")
        module, _, attr = self.entries[name].partition(":")
        return getattr(importlib.import_module(module), attr)
