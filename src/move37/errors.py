"""Exceptions of the public API.

Every error a user can cause by bad input is a subclass of `Move37Error`, so the
command line can turn it into a one-line message and exit status 2 without a
traceback, while genuine bugs still surface as ordinary exceptions.
"""


class Move37Error(Exception):
    """Base class: an error caused by the user's input, reported in one line.

    Messages often quote the offending input, which may itself hold line breaks (`SZ[0<newline>0]`); they are
    shown escaped (a backslash and `n`), so the message stays one line wherever it is printed or sent.
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


class UnknownNameError(Move37Error, KeyError):
    """A game, agent, task or other registered name that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return one_line(str(self.args[0])) if self.args else ""


class NotationError(Move37Error, ValueError):
    """Text that does not parse in the game's notation (a malformed move or position)."""


class IllegalMoveError(Move37Error, ValueError):
    """A well-formed move that the rules forbid in the current position."""


class SpecError(Move37Error, ValueError):
    """A malformed agent spec or a bad option value (`alphabeta:depth=x`)."""


class LimitError(SpecError):
    """An option value beyond the bound for where the spec came from (`mcts:sims=10**9`, or a
    `tt_size` the web page may not ask for): see move37.spec.Bound."""


class AgentRefusedError(SpecError):
    """An agent that the caller may not build here: one that starts a program or reads the terminal,
    asked for from outside (a web page, a GUI's `setoption`) without the operator's consent."""


class ConfigError(Move37Error, ValueError):
    """A configuration with unknown keys, wrong types or impossible values."""


class JSONTextError(Move37Error, ValueError):
    """Text that should be JSON and is not: not UTF-8, malformed, nested beyond the parser's recursion limit,
    or holding NaN/Infinity where only numbers may stand (see move37.jsontext)."""


class RunFolderError(Move37Error):
    """A run folder that cannot be resumed: another game, corrupted or truncated files."""


class SolverLimitError(Move37Error):
    """A position too large for an exact solver's limits (e.g. too many empty squares)."""


class StageLost(Move37Error):
    """A training stage running in another process (a Ray learner or evaluation actor) died, and with it the
    work since the last checkpoint."""


class MetamathError(Move37Error, ValueError):
    """A Metamath database (.mm) that does not read: a malformed statement, an undeclared symbol, an unbalanced
    scope, a label used twice, or a label asked for that the database does not have."""


class ProofError(MetamathError):
    """A Metamath proof that does not verify: a step that does not unify, a broken $d condition, a stack that
    does not end in the statement."""


_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}  # str.splitlines's set


def one_line(text: str) -> str:
    """`text` with every line break escaped (newline as backslash-n), as a one-line message needs."""
    return text.translate(_LINE_BREAKS)
