"""Make the evaluation positions shipped in move37/data, with the project's own players and solvers.

    python -m move37.experiments.eval_data connect4 --seed 37
    python -m move37.experiments.eval_data othello --seed 37

Positions come from real games, not random playouts: games between two alpha-beta players
(move37.search.alphabeta, each side's depth drawn per game from --depths) that play a
uniformly random legal move instead with probability --noise, so the games spread over many
openings while most moves stay sensible. Everything is drawn from --seed, so the same command
makes the same positions.

- connect4: every live position of --games games, deduplicated, without positions where the
  side to move wins at once (as in Pons's sets: they measure nothing); then --per-ply of them
  drawn for each ply of --plies (all where a ply has fewer). Each is labelled with its exact
  score, every optimal move and every move that keeps the result (solvers/connect4.py).
- othello: one position per game with E empty squares and a legal move for the side to move,
  E going round --empties until --per-empties of each are found, labelled with the exact score
  of every legal move (a full solve of each child; solvers/othello.py), written as OBF lines.

Labelling runs in a worker process that is killed when one position takes more than --cap-s
seconds (the position is then left out and listed in the progress file); every label is
appended to --progress as it is made, so a killed run resumes where it stopped. The finished
set is written atomically to --out. The files' format is in move37/data/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from move37 import games, solvers
from move37.atomic import append_line, write_text
from move37.data import DATA
from move37.games.base import Game, State
from move37.search.alphabeta import AlphaBeta

SKIPPED = "# skipped "  # progress-file prefix of a position left out at the time cap


def play_games(game: Game, count: int, depths: tuple[int, ...], noise: float, seed: int,
               stop: Callable[[State], bool] = lambda state: False) -> list[list[str]]:
    """`count` games (move texts) between noisy alpha-beta players, each played until over or `stop`."""
    rng = np.random.default_rng(seed)
    players = {d: AlphaBeta(game, depth=d, tt_size=1 << 16, seed=seed) for d in depths}
    records = []
    for number in range(count):
        sides = [players[int(d)] for d in rng.choice(depths, 2)]
        for player in sides:
            player.reset(seed + number)
        state, moves = game.initial_state(), []
        while not state.is_terminal() and not stop(state):
            if rng.random() < noise:
                action = int(rng.choice(state.legal_actions()))
            else:
                action = sides[len(moves) % 2].search(state).action
            moves.append(game.action_to_text(state, action))
            state = state.play(action)
        records.append(moves)
    return records


def wins_at_once(state: State) -> bool:
    """Whether the side to move has a move that ends the game in its favour."""
    mover = state.current_player
    for action in state.legal_actions():
        child = state.play(int(action))
        if child.is_terminal() and child.returns()[mover] > 0:
            return True
    return False


def connect4_positions(game: Game, records: list[list[str]], plies: range, per_ply: int, seed: int) -> list[str]:
    """Up to `per_ply` distinct live positions (move texts) per ply in `plies`, drawn from the games."""
    by_ply: dict[int, dict[int, str]] = {ply: {} for ply in plies}
    for moves in records:
        state = game.initial_state()
        for ply, move in enumerate(moves):
            if ply in by_ply and not wins_at_once(state):
                by_ply[ply].setdefault(state.key(), game.join_moves(moves[:ply]))
            state = state.play_text(move)
    rng = np.random.default_rng(seed)
    out = []
    for ply in plies:
        seen = list(by_ply[ply].values())
        take = sorted(rng.choice(len(seen), min(per_ply, len(seen)), replace=False)) if seen else []
        out += [seen[i] for i in take]
    return out


def othello_positions(game: Game, empties: range, per_empties: int, depths: tuple[int, ...], noise: float,
                      seed: int) -> list[str]:
    """`per_empties` positions (board texts) for each count of empty squares in `empties`, one per game."""
    found: dict[int, dict[int, str]] = {e: {} for e in empties}
    number = 0
    while any(len(found[e]) < per_empties for e in empties):
        target = empties[number % len(empties)]
        if len(found[target]) < per_empties:
            (moves,) = play_games(game, 1, depths, noise, seed + number, stop=lambda s: s.empties() <= target)
            state = game.state_from_moves(game.join_moves(moves))
            if state.empties() == target and not state.is_terminal() and state.moves_bitboard:
                found[target].setdefault(state.key(), game.state_to_text(state))
        number += 1
    return [text for e in empties for text in found[e].values()]


def connect4_label(game: Game, solver, moves: str) -> str:
    """`MOVES SCORE BEST GOOD`: exact score, optimal and result-keeping moves as 1-based column digits."""
    state = game.state_from_moves(moves)
    result = solver.solve(state)
    good = solver.good_actions(state, result.score)
    digits = lambda actions: "".join(str(a + 1) for a in actions)  # noqa: E731
    return f"{moves} {result.score} {digits(result.best_actions)} {digits(good)}"


def othello_label(game: Game, solver, board: str) -> str:
    """An OBF line: the board, the side to move, then `MOVE:SCORE;` for every legal move, best first."""
    state = game.state_from_text(board)
    scores = {int(a): -solver.score(state.play(int(a))) for a in state.legal_actions()}
    result = solver.solve(state)
    best = max(scores.values())
    if result.score != best or set(result.best_actions) != {a for a, s in scores.items() if s == best}:
        raise AssertionError(f"{board}: solve() disagrees with the scores of the moves")
    ranked = sorted(scores, key=lambda a: (-scores[a], a))
    return f"{board};" + "".join(f" {game.action_to_text(state, a).upper()}:{scores[a]:+d};" for a in ranked)


LABELS = {"connect4": connect4_label, "othello": othello_label}


def _worker(game_name: str, conn) -> None:
    """Label each position received on `conn` with one solver (its table warm across positions)."""
    game = games.make(game_name)
    solver = solvers.for_game(game)
    while True:
        position = conn.recv()
        conn.send(LABELS[game_name](game, solver, position))


def _read_progress(path: Path) -> dict[str, str | None]:
    """position -> label line (None: skipped at the cap) of every finished position in the progress file.
    A crash can leave a torn last line (no newline yet): it is cut off, so the next append starts clean."""
    done: dict[str, str | None] = {}
    if not path.is_file():
        return done
    text = path.read_text()
    complete = text[:text.rfind("\n") + 1]
    if complete != text:
        os.truncate(path, len(complete.encode()))
    for line in complete.splitlines():
        if line.startswith(SKIPPED):
            done[line[len(SKIPPED):].split(" after ")[0]] = None
        elif line.strip():
            done[_position_of(line)] = line
    return done


def _position_of(label: str) -> str:
    """The position a label line starts with (Connect Four: the moves; Othello: board and side)."""
    return label.split(";")[0] if ";" in label else label.split()[0]


def label_all(game_name: str, positions: list[str], progress: Path, cap_s: float,
              cost: Callable[[str], int]) -> list[str]:
    """Label lines of `positions` (those past the cap left out), resuming from and appending to `progress`;
    labelled cheapest first by `cost`, so that an interrupted run has the most to show."""
    done = _read_progress(progress)
    todo = sorted((p for p in positions if p not in done), key=cost)
    context = multiprocessing.get_context("spawn")
    proc = conn = None
    start = time.monotonic()
    for count, position in enumerate(todo, 1):
        if proc is None:
            conn, child = context.Pipe()
            proc = context.Process(target=_worker, args=(game_name, child), daemon=True)
            proc.start()
        conn.send(position)
        if conn.poll(cap_s):
            done[position] = conn.recv()
            append_line(progress, done[position])
        else:
            proc.kill()
            proc.join()
            proc = None
            done[position] = None
            append_line(progress, f"{SKIPPED}{position} after {cap_s:g} s")
        if count % 50 == 0 or count == len(todo):
            print(f"{count}/{len(todo)} labelled, {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    if proc is not None:
        proc.kill()
    return [done[p] for p in positions if done[p] is not None]


def _span(text: str) -> range:
    low, _, high = text.partition("-")
    return range(int(low), int(high or low) + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("game", choices=sorted(LABELS))
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--games", type=int, default=3000, help="connect4: games played")
    parser.add_argument("--plies", type=_span, default=_span("6-41"), help="connect4: plies covered, LOW-HIGH")
    parser.add_argument("--per-ply", type=int, default=80, help="connect4: positions drawn per ply")
    parser.add_argument("--empties", type=_span, default=_span("12-20"), help="othello: empty squares, LOW-HIGH")
    parser.add_argument("--per-empties", type=int, default=10, help="othello: positions per count of empties")
    parser.add_argument("--depths", default=None, help="alpha-beta depths drawn per side and game, e.g. 2,4,6")
    parser.add_argument("--noise", type=float, default=0.1, help="chance of a uniformly random move instead")
    parser.add_argument("--cap-s", type=float, default=300.0, help="most seconds for one position's labels")
    parser.add_argument("--progress", type=Path, default=None, help="resumable log of labels (default: beside --out)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    game = games.make(args.game)
    if args.game == "connect4":
        depths = tuple(int(d) for d in (args.depths or "2,4,6").split(","))
        records = play_games(game, args.games, depths, args.noise, args.seed)
        positions = connect4_positions(game, records, args.plies, args.per_ply, args.seed)
        out = args.out or DATA / "connect4.txt"
        cost = lambda moves: -len(moves)  # noqa: E731  (the fewer stones, the longer the solve)
    else:
        depths = tuple(int(d) for d in (args.depths or "1,2,3").split(","))
        positions = othello_positions(game, args.empties, args.per_empties, depths, args.noise, args.seed)
        out = args.out or DATA / "othello_endgames.obf"
        cost = lambda board: board.count("-")  # noqa: E731  (each empty square triples the solve)
    print(f"{len(positions)} positions to label", file=sys.stderr, flush=True)
    progress = args.progress or out.with_name(f".{out.name}.progress")
    lines = label_all(args.game, positions, progress, args.cap_s, cost)
    write_text(out, "".join(line + "\n" for line in lines))
    print(f"{len(lines)} labelled positions written to {out} ({len(positions) - len(lines)} left out at the cap)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
