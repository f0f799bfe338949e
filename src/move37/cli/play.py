"""`move37 play GAME --opponent SPEC`: play against an agent in the terminal.

The board is shown before each move; the agent's move comes with its analysis
(value, depth, nodes, principal variation). A malformed or illegal move typed by
the human is reported and asked for again; 'quit' or end of input leaves the game.
"""

from __future__ import annotations

from move37 import agents, games
from move37.agents.human import HumanAgent
from move37.games.base import Game, State


def register(sub) -> None:
    p = sub.add_parser("play", help="play a game against an agent in the terminal")
    p.add_argument("game", help="game spec, e.g. connect4")
    p.add_argument("--opponent", required=True, metavar="SPEC", help="agent spec, e.g. alphabeta:depth=8")
    p.add_argument("--first", choices=("human", "agent"), default="human", help="who moves first (default human)")
    p.add_argument("--moves", default="", metavar="MOVES", help="start after these moves (game notation)")
    p.add_argument("--seed", type=int, default=0, help="seed for the agent (default 0)")
    p.set_defaults(func=run)


def describe(game: Game, state: State, analysis) -> str:
    """One line: the agent's move and why."""
    parts = [f"agent plays {game.action_to_text(state, analysis.action)}"]
    if analysis.value is not None:
        parts.append(f"value {analysis.value:+.2f}")
    if analysis.depth:
        parts.append(f"depth {analysis.depth}")
    if analysis.nodes:
        parts.append(f"{analysis.nodes} nodes")
    if len(analysis.pv) > 1:
        s, pv = state, []
        for a in analysis.pv:
            pv.append(game.action_to_text(s, a))
            s = s.play(a)
            if s.is_terminal():
                break
        parts.append("pv " + " ".join(pv))
    return ", ".join(parts)


def run(args) -> int:
    game = games.make(args.game)
    opponent = agents.make(args.opponent, game)
    human = HumanAgent(game=game)
    state = game.state_from_moves(args.moves)
    opponent.reset(args.seed)
    human_player = 0 if args.first == "human" else 1
    try:
        while not state.is_terminal():
            print(state, flush=True)
            if state.current_player == human_player:
                try:
                    action = human.act(state)
                except EOFError:
                    print("\ngame abandoned")
                    return 0
            else:
                analysis = opponent.analyse(state)
                action = analysis.action
                print(describe(game, state, analysis), flush=True)
            state = state.play(action)
    finally:
        opponent.close()
    print(state)
    result = state.returns()
    mine, theirs = result[human_player], result[1 - human_player]
    print("you win" if mine > theirs else "the agent wins" if mine < theirs else "draw")
    return 0
