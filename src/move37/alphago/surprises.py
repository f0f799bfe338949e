"""The move-37 finder: moves a searching agent plays that an imitation policy would almost never play.

In game 2 against Lee Sedol, AlphaGo's move 37 had a prior of about 1 in 10,000 under its policy trained on
human games, and turned out strong. Here: for each position, the agent's move `a` (with its visit share and
value) and the imitation policy's probability of `a` (its prior). A move whose prior is below `threshold` is
a surprise; it is then judged against the imitation policy's favourite `b` by an exact solver where the game
has one (Connect Four anywhere; Othello within the endgame solver's reach): "better" when the exact score
after `a` beats the score after `b`, "equal", "worse", or "unverified" (no solver, or beyond its reach).

`report` writes what a player would want to see: a Markdown page with the counts, then one PNG board per
surprise marking the move (red ring) and the favourite (blue square), with prior, visits, value and verdict.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from move37.agents.base import Agent
from move37.atomic import write_bytes, write_text
from move37.errors import Move37Error, SolverLimitError
from move37.games.base import Game, State

THRESHOLDS = (0.05, 0.01, 0.001)


@dataclass(frozen=True)
class Surprise:
    """One position's verdict. position: its text (a move sequence or the game's notation); move, favourite:
    the agent's move and the imitation policy's most probable one; prior: the imitation probability of move
    (favourite_prior of the favourite); visits: the agent's share of search for move (None without one);
    value: the agent's value for the mover; score_move, score_favourite: exact scores after each (None when
    unverified); verdict: better | equal | worse | unverified | same (the agent played the favourite)."""

    position: str
    move: str
    favourite: str
    prior: float
    favourite_prior: float
    visits: float | None
    value: float | None
    score_move: int | None
    score_favourite: int | None
    verdict: str


def exact_score_after(solver, state: State, action: int) -> int | None:
    """The exact score for `state`'s mover after `action`; None beyond the solver's reach."""
    child = state.play(action)
    try:
        score = solver.score(child)
    except SolverLimitError:
        return None
    return score if child.current_player == state.current_player else -score  # solvers score for the mover, terminal too


def solver_for(game: Game):
    """The game's exact solver, or None."""
    from move37 import solvers

    try:
        return solvers.for_game(game)
    except Move37Error:
        return None


def judge(game: Game, agent: Agent, imitation: Agent, text: str, state: State, solver,
          threshold: float) -> Surprise:
    """The agent's move in `state` against the imitation policy's; solved only when its prior < threshold."""
    played = agent.analyse(state)
    prior = imitation.analyse(state).policy
    if prior is None:
        raise Move37Error(f"the imitation agent {imitation.spec!r} gives no policy (use zero:NET,sims=0)")
    legal = state.legal_mask()
    favourite = int(np.argmax(np.where(legal, prior, -1.0)))
    a = int(played.action)
    visits = None if played.policy is None else float(played.policy[a])
    scores: tuple[int | None, int | None] = (None, None)
    if a == favourite:
        verdict = "same"
    elif prior[a] >= threshold or solver is None:
        verdict = "unverified"
    else:
        scores = (exact_score_after(solver, state, a), exact_score_after(solver, state, favourite))
        if None in scores:
            verdict = "unverified"
        else:
            verdict = "better" if scores[0] > scores[1] else "equal" if scores[0] == scores[1] else "worse"
    return Surprise(text, game.action_to_text(state, a), game.action_to_text(state, favourite), float(prior[a]),
                    float(prior[favourite]), visits, None if played.value is None else float(played.value),
                    *scores, verdict)


def find(game: Game, agent: Agent, imitation: Agent, positions: Iterable[tuple[str, State]],
         threshold: float = 0.01) -> Iterator[Surprise]:
    """A Surprise for every position (with scores where the prior is below `threshold` and a solver exists)."""
    solver = solver_for(game)
    for text, state in positions:
        agent.reset()
        yield judge(game, agent, imitation, text, state, solver, threshold)


def self_play_positions(game: Game, agent: Agent, games: int, opening_plies: int,
                        seed: int) -> Iterator[tuple[str, State]]:
    """The positions of `games` games of the agent against itself, each after `opening_plies` random moves;
    each position as (its move sequence, state)."""
    rng = np.random.default_rng(seed)
    for g in range(games):
        agent.reset(seed + g)
        state, moves = game.initial_state(), []
        while not state.is_terminal():
            if len(moves) < opening_plies:
                action = int(rng.choice(state.legal_actions()))
            else:
                yield game.join_moves(moves), state
                action = agent.act(state)
            moves.append(game.action_to_text(state, action))
            state = state.play(action)


def counts(found: list[Surprise]) -> list[dict]:
    """Per threshold: positions, moves below it (the agent not playing the favourite), and their verdicts."""
    rows = []
    for t in THRESHOLDS:
        below = [s for s in found if s.prior < t and s.verdict != "same"]
        rows.append({"threshold": t, "positions": len(found), "below": len(below),
                     **{v: sum(s.verdict == v for s in below) for v in ("better", "equal", "worse", "unverified")}})
    return rows


def draw_board(state: State, move: int, favourite: int, title: str) -> bytes | None:
    """A PNG of the position with `move` ringed in red and `favourite` boxed in blue; None for boardless games."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from move37.games import boards

    board = boards.board_of(state.game)
    if board.kind == "none":
        return None
    stones = boards.stones(state)
    colours = {"connect4": ("#d62728", "#ffbf00")}.get(state.game.info.name, ("black", "white"))
    fig, ax = plt.subplots(figsize=(0.55 * board.cols + 1, 0.55 * board.rows + 1.0))
    ax.set_facecolor("#dcb35c" if state.game.info.name == "go" else "#2a6fb0" if board.kind == "columns" else "#3c8d40")
    for r in range(board.rows):
        for c in range(board.cols):
            if stones[r, c]:
                ax.add_patch(plt.Circle((c, -r), 0.42, color=colours[stones[r, c] - 1], ec="black", lw=0.6))
            elif board.kind == "columns":
                ax.add_patch(plt.Circle((c, -r), 0.42, color="white", alpha=0.85))
    for action, style in ((move, dict(color="red", lw=3)), (favourite, dict(color="blue", lw=2))):
        cell = boards.action_cell(state, action)
        if cell is None:
            continue
        r, c = cell
        shape = plt.Circle((c, -r), 0.47, fill=False, **style) if action == move else \
            plt.Rectangle((c - 0.45, -r - 0.45), 0.9, 0.9, fill=False, **style)
        ax.add_patch(shape)
    ax.set_xlim(-0.6, board.cols - 0.4)
    ax.set_ylim(-board.rows + 0.4, 0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(board.cols))
    ax.set_xticklabels([str(c + 1) if board.kind == "columns" else "abcdefghjklmnopqrst"[c] for c in range(board.cols)])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def report(game: Game, found: list[Surprise], out: Path, agent_spec: str, imitation_spec: str, threshold: float,
           most: int = 12) -> Path:
    """Write OUT/report.md, OUT/surprises.jsonl (every position) and OUT/boards/*.png (the surprises below
    `threshold`, best verdicts first, at most `most`). Returns the report's path."""
    import json

    out = Path(out)
    (out / "boards").mkdir(parents=True, exist_ok=True)
    write_text(out / "surprises.jsonl", "".join(json.dumps(asdict(s)) + "\n" for s in found))
    order = {"better": 0, "equal": 1, "unverified": 2, "worse": 3}
    shown = sorted((s for s in found if s.prior < threshold and s.verdict != "same"),
                   key=lambda s: (order[s.verdict], s.prior))[:most]
    lines = [f"# Surprises: {agent_spec} against the imitation policy {imitation_spec}", "",
             f"{game.info.name}, {len(found)} positions. A surprise is a move of the agent whose imitation prior is "
             "below the threshold; the verdict compares the exact score after it with the score after the "
             "imitation policy's favourite (better / equal / worse; unverified without a solver).", "",
             "| prior below | positions | surprises | better | equal | worse | unverified |",
             "|---|---|---|---|---|---|---|"]
    for row in counts(found):
        lines.append(f"| {row['threshold']:g} | {row['positions']} | {row['below']} | {row['better']} | "
                     f"{row['equal']} | {row['worse']} | {row['unverified']} |")
    lines += ["", f"## The surprises below {threshold:g} (best verdicts first, at most {most})", ""]
    for i, s in enumerate(shown, 1):
        state = game.state_from_text(s.position) if s.position else game.initial_state()
        move, fav = game.text_to_action(state, s.move), game.text_to_action(state, s.favourite)
        visits = "" if s.visits is None else f", visits {s.visits:.0%}"
        value = "" if s.value is None else f", value {s.value:+.2f}"
        scores = "" if s.score_move is None else f" (score {s.score_move:+d} against {s.score_favourite:+d})"
        title = f"{s.move}: prior {s.prior:.2%}{visits}{value}; {s.verdict}{scores}"
        png = draw_board(state, move, fav, title)
        lines.append(f"{i}. position `{s.position or '(start)'}`: the agent plays **{s.move}** (prior {s.prior:.2%}"
                     f"{visits}{value}); the imitation policy's favourite {s.favourite} ({s.favourite_prior:.0%}). "
                     f"Verdict: **{s.verdict}**{scores}.")
        if png is not None:
            write_bytes(out / "boards" / f"{i:03d}.png", png)
            lines += ["", f"   ![{s.move}](boards/{i:03d}.png)"]
        lines.append("")
    path = out / "report.md"
    write_text(path, "\n".join(lines) + "\n")
    return path
