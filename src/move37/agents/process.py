"""A line-oriented engine process: the transport under the engine agents (GTP, UCI, xboard).

The command is split with `shlex` and started without a shell, so a spec such as
`gtp:"gnugo --mode gtp --level 1"` runs exactly that program with those arguments.
Debian installs its game engines in /usr/games, which is often not on root's PATH, so
a bare program name is also looked up there. Every read has a timeout: an engine that
hangs or dies raises EngineError instead of hanging the arena. The process is ended on
`close()`, and also when the object is garbage collected or the interpreter exits.
"""

from __future__ import annotations

import queue
import shlex
import shutil
import subprocess
import threading
import time
import weakref

from move37.errors import Move37Error, SpecError

_EXTRA_PATH = "/usr/games:/usr/local/games"


class EngineError(Move37Error):
    """An external engine that timed out, died, or answered something unexpected."""


def resolve_command(command: str, install_hint: str = "") -> list[str]:
    """argv for `command`; SpecError when empty or when the program is not installed."""
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise SpecError(f"engine command {command!r}: {e}") from None
    if not argv:
        raise SpecError("empty engine command")
    path = shutil.which(argv[0]) or shutil.which(argv[0], path=_EXTRA_PATH)
    if path is None:
        hint = f" ({install_hint})" if install_hint else ""
        raise SpecError(f"engine program {argv[0]!r} not found{hint}")
    return [path, *argv[1:]]


def _stop(proc: subprocess.Popen) -> None:
    """End a child process: it had its chance to quit; terminate, then kill."""
    if proc.poll() is not None:
        return
    for signal_it in (proc.terminate, proc.kill):
        signal_it()
        try:
            proc.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue


class EngineProcess:
    """A child process spoken to in lines of text.

    `send(line)` writes one line; `read_line(timeout)` returns the next output line
    (without its newline) or raises EngineError after `timeout` seconds or at exit.
    """

    def __init__(self, argv: list[str], name: str):
        self.name = name
        self._lines: queue.Queue[str | None] = queue.Queue()
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", errors="replace", bufsize=1, start_new_session=True,
            )
        except OSError as e:
            raise EngineError(f"cannot start engine {name!r}: {e}") from None
        self._finalizer = weakref.finalize(self, _stop, self._proc)
        threading.Thread(target=self._pump, args=(self._proc.stdout, self._lines), daemon=True).start()

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line.rstrip("\r\n"))
        lines.put(None)

    def send(self, line: str) -> None:
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise EngineError(f"engine {self.name!r} has exited") from None

    def read_line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise EngineError(f"engine {self.name!r} did not answer within {timeout:g} s") from None
        if line is None:
            self._lines.put(None)  # stay at end of file for later reads
            raise EngineError(f"engine {self.name!r} has exited (status {self._proc.poll()})")
        return line

    def read_until(self, predicate, timeout: float) -> list[str]:
        """Lines up to and including the first for which `predicate(line)` holds."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            line = self.read_line(deadline - time.monotonic())
            out.append(line)
            if predicate(line):
                return out

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self, quit_line: str | None = "quit") -> None:
        """Ask the engine to quit, then make sure it is gone."""
        if self.alive and quit_line is not None:
            try:
                self.send(quit_line)
                self._proc.wait(timeout=1)
            except (EngineError, subprocess.TimeoutExpired):
                pass
        self._finalizer()
        try:
            self._proc.stdin.close()
        except OSError:
            pass

    @property
    def pid(self) -> int:
        return self._proc.pid

