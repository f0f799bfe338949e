"""Chess on top of python-chess (the `chess` package), with AlphaZero's action encoding.

Rules are python-chess's move generation. A game ends
- by checkmate (the mated side loses) or stalemate (draw);
- in a draw by insufficient material (`Board.is_insufficient_material`), by the
  fifty-move rule (100 half-moves without a capture or pawn move) and by threefold
  repetition — both claimed automatically the moment they hold, as engines and
  self-play do; a checkmate delivered on the 100th half-move still wins;
- in a draw after `max_length = 512` plies from the start position, a cap for random
  play and self-play (the fifty-move rule ends nearly every game well before it).

Actions (AlphaZero's 8x8x73 = 4672): action = move_type * 64 + row * 8 + col, where
(row, col) is the from-square on the board seen from the mover's side (row 0 the far
rank: rank 8 for White, rank 1 for Black; col 0 the a-file) — the same layout as the
observation, so a policy head may be a (73, 8, 8) convolution output flattened.
Move types, with "north" towards the opponent: 0..55 queen-like moves, direction
(N, NE, E, SE, S, SW, W, NW) * 7 + distance - 1 (queen promotions and castling, the
king's two-square move, included); 56..63 knight moves; 64..72 under-promotions,
piece (knight, bishop, rook) * 3 + (capture towards the a-file, push, capture towards
the h-file). For Black the board is mirrored rank-wise, so one network plays both sides.

Notation: UCI ("e2e4", "e7e8q", castling "e1g1"); SAN ("Nf3") is also read. Move
sequences are space-separated. `state_from_text` reads a FEN, a PGN, or a move
sequence from the initial position; `state_to_text` writes the FEN.

`State.key()` identifies the board, side to move, castling rights, a legal en-passant
capture and the half-move clock; like FEN it leaves out the repetition history and
the move cap, which can still end two states with equal keys differently.
"""

from __future__ import annotations

import io

import chess
import chess.pgn
import numpy as np

from move37.errors import Move37Error, NotationError
from move37.games.base import Game, GameInfo, State

NUM_MOVE_TYPES = 73
NUM_ACTIONS = NUM_MOVE_TYPES * 64
NUM_PLANES = 22
MAX_LENGTH = 512
_PIECES = (chess.PAWN, chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN, chess.KING)
_DIRECTIONS = ((0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1))  # (file, rank) steps
_KNIGHT = ((1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1), (-1, 2))
_UNDER = (chess.KNIGHT, chess.BISHOP, chess.ROOK)


def _tables() -> tuple[dict[tuple[int, int], int], np.ndarray]:
    """(move type of each (from, to) pair of mover-view squares for queen and knight moves,
    int (73, 64) target square of each move type from each square, -1 off the board)."""
    types: dict[tuple[int, int], int] = {}
    target = np.full((NUM_MOVE_TYPES, 64), -1, dtype=np.int64)
    for sq in range(64):
        f, r = chess.square_file(sq), chess.square_rank(sq)
        steps = [(d * 7 + dist - 1, df * dist, dr * dist) for d, (df, dr) in enumerate(_DIRECTIONS) for dist in range(1, 8)]
        steps += [(56 + i, df, dr) for i, (df, dr) in enumerate(_KNIGHT)]
        steps += [(64 + p * 3 + df + 1, df, 1) for p in range(3) for df in (-1, 0, 1)]
        for t, df, dr in steps:
            if 0 <= f + df < 8 and 0 <= r + dr < 8:
                to = chess.square(f + df, r + dr)
                target[t, sq] = to
                if t < 64:
                    types[(sq, to)] = t
    return types, target


_TYPES, _TARGET = _tables()


def _cell(view_square: int) -> int:
    """Row-major index (row 0 the far rank) of a mover-view square."""
    return (7 - chess.square_rank(view_square)) * 8 + chess.square_file(view_square)


def _action_table(flip: int) -> dict[tuple[int, int, int | None], int]:
    """(from, to, promotion) -> action for the side whose squares are mirrored by `flip`
    (0 White, 56 Black): one dictionary lookup per move."""
    table: dict[tuple[int, int, int | None], int] = {}
    for (frm, to), kind in _TYPES.items():
        table[(frm ^ flip, to ^ flip, None)] = kind * 64 + _cell(frm)
        if chess.square_rank(frm) == 6 and chess.square_rank(to) == 7:  # queen promotions are queen moves
            table[(frm ^ flip, to ^ flip, chess.QUEEN)] = kind * 64 + _cell(frm)
    for frm in range(48, 56):  # the 7th rank, seen from the mover's side
        for df in (-1, 0, 1):
            if 0 <= chess.square_file(frm) + df < 8:
                for p, piece in enumerate(_UNDER):
                    table[(frm ^ flip, (frm + 8 + df) ^ flip, piece)] = (64 + p * 3 + df + 1) * 64 + _cell(frm)
    return table


_ACTIONS = (_action_table(0), _action_table(56))


def move_to_action(move: chess.Move, turn: chess.Color) -> int:
    """The action of a move for the side `turn` (no legality check); KeyError if no action spells it."""
    return _ACTIONS[0 if turn == chess.WHITE else 1][(move.from_square, move.to_square, move.promotion)]


def _fen_board(state: State) -> chess.Board:
    return chess.Board(state.game.state_to_text(state))


def uci_text(state: State, action: int) -> str:
    """A move in UCI's long algebraic notation ("e2e4", "e7e8q"), whatever the game's own notation
    (for a game whose positions are FEN: the UCI server and the UCI/xboard engine agents)."""
    text = state.game.action_to_text(state, action)
    try:
        return chess.Move.from_uci(text).uci()
    except ValueError:
        return _fen_board(state).parse_san(text).uci()


def action_from_uci(state: State, text: str) -> int:
    """The action of a UCI move in `state`; NotationError/IllegalMoveError (or ValueError) otherwise."""
    move = chess.Move.from_uci(text)  # ValueError when malformed
    board = _fen_board(state)
    if move not in board.legal_moves:
        raise ValueError(f"illegal move {text!r}")
    for candidate in (move.uci(), board.san(move)):
        try:
            return state.game.parse_action(state, candidate)
        except Move37Error:
            continue
    raise ValueError(f"move {text!r} not understood by the game")


def _repetition_key(board: chess.Board) -> tuple:
    """What makes two positions the same for the repetition rule (FIDE: same pieces,
    side to move, castling rights and en-passant capture actually available)."""
    return (board.pawns, board.knights, board.bishops, board.rooks, board.queens, board.kings,
            board.occupied_co[chess.WHITE], board.occupied_co[chess.BLACK], board.turn,
            board.clean_castling_rights(), board.ep_square if board.has_legal_en_passant() else None)


class ChessState(State):
    """An immutable chess position.

    board: a python-chess Board without a move stack (never mutated once stored);
    repeats: repetition keys since the last capture or pawn move, this position last;
    moves: linked (move, previous) record since the start FEN, for PGN.
    """

    __slots__ = ("_board", "_repeats", "_moves", "_ply", "_start_fen", "_legal", "_outcome")

    def __init__(self, board: chess.Board, repeats: tuple, moves: tuple | None, ply: int, start_fen: str):
        self._board, self._repeats, self._moves, self._ply, self._start_fen = board, repeats, moves, ply, start_fen
        self._legal: dict[int, chess.Move] | None = None
        self._outcome: tuple[float | None] | None = None

    @property
    def game(self) -> "Chess":
        return _GAME

    @property
    def board(self) -> chess.Board:
        """A copy of the python-chess board (no move stack)."""
        return self._board.copy(stack=False)

    @property
    def current_player(self) -> int:
        return 0 if self._board.turn == chess.WHITE else 1

    @property
    def ply(self) -> int:
        return self._ply

    @property
    def start_fen(self) -> str:
        return self._start_fen

    def moves(self) -> list[chess.Move]:
        """The moves played since the start position, in order."""
        out, node = [], self._moves
        while node is not None:
            out.append(node[0])
            node = node[1]
        return out[::-1]

    def legal_moves(self) -> dict[int, chess.Move]:
        """action -> python-chess Move for every legal move (cached)."""
        if self._legal is None:
            turn = self._board.turn
            self._legal = {move_to_action(m, turn): m for m in self._board.legal_moves}
        return self._legal

    def _result(self) -> float | None:
        """White's return when the game is over (+1, 0, -1), else None (cached)."""
        if self._outcome is None:
            self._outcome = (self._judge(),)
        return self._outcome[0]

    def _judge(self) -> float | None:
        b = self._board
        if not self.legal_moves():
            return (-1.0 if b.turn == chess.WHITE else 1.0) if b.is_check() else 0.0
        if (b.is_insufficient_material() or b.halfmove_clock >= 100 or self._ply >= MAX_LENGTH
                or self.repetitions() >= 3):
            return 0.0
        return None

    def legal_mask(self) -> np.ndarray:
        mask = np.zeros(NUM_ACTIONS, dtype=bool)
        if not self.is_terminal():
            mask[list(self.legal_moves())] = True
        return mask

    def _apply(self, action: int) -> "ChessState":
        move = self.legal_moves()[action]
        board = self._board.copy(stack=False)
        board.push(move)
        key = _repetition_key(board)
        repeats = (key,) if board.halfmove_clock == 0 else self._repeats + (key,)
        return ChessState(board, repeats, (move, self._moves), self._ply + 1, self._start_fen)

    def is_terminal(self) -> bool:
        return self._result() is not None

    def returns(self) -> np.ndarray:
        white = self._result()
        if white is None:
            return np.zeros(2)
        return np.array([white, -white])

    def repetitions(self) -> int:
        """How many times this position has occurred (1 the first time)."""
        return self._repeats.count(self._repeats[-1])

    def encode(self) -> np.ndarray:
        """float32 (22, 8, 8) from the mover's side (row 0 the far rank, mirrored for Black).

        Planes 0..5: the mover's pawns, knights, bishops, rooks, queens, king; 6..11 the
        opponent's; 12, 13: ones if this position occurred before (twice, thrice);
        14, 15: the mover's king- and queen-side castling rights; 16, 17 the opponent's;
        18: ones if White is to move; 19: half-move clock / 100 (fifty-move rule);
        20: the en-passant target square; 21: ones.
        """
        b = self._board
        me, them = b.turn, not b.turn
        masks = [b.pieces_mask(p, c) for c in (me, them) for p in _PIECES]
        if me == chess.BLACK:
            masks = [chess.flip_vertical(m) for m in masks]
        bits = np.unpackbits(np.array(masks, dtype=np.uint64).view(np.uint8), bitorder="little")
        out = np.zeros((NUM_PLANES, 8, 8), dtype=np.float32)
        out[:12] = bits.reshape(12, 8, 8)[:, ::-1, :]  # rank 8 (mover-view) first
        reps = self.repetitions()
        out[12] = reps >= 2
        out[13] = reps >= 3
        out[14] = b.has_kingside_castling_rights(me)
        out[15] = b.has_queenside_castling_rights(me)
        out[16] = b.has_kingside_castling_rights(them)
        out[17] = b.has_queenside_castling_rights(them)
        out[18] = me == chess.WHITE
        out[19] = min(b.halfmove_clock, 100) / 100.0
        if b.ep_square is not None:
            cell = _cell(b.ep_square ^ (0 if me == chess.WHITE else 56))
            out[20, cell // 8, cell % 8] = 1.0
        out[21] = 1.0
        return out

    def key(self) -> int:
        return hash((_repetition_key(self._board), self._board.halfmove_clock))

    def transform(self, k: int) -> "ChessState":
        if k != 0:
            raise ValueError("chess has no symmetries besides the identity")
        return self

    def fen(self) -> str:
        return self._board.fen()

    def __str__(self) -> str:
        return f"{self._board.unicode(empty_square='.')}\n{self._board.fen()}"


class Chess(Game):
    """Standard chess; see the module docstring for the draw rules and action encoding."""

    info = GameInfo(name="chess", num_actions=NUM_ACTIONS, observation_shape=(NUM_PLANES, 8, 8),
                    num_symmetries=1, max_length=MAX_LENGTH)

    def initial_state(self) -> ChessState:
        return self.state_from_fen(chess.STARTING_FEN)

    def state_from_fen(self, fen: str) -> ChessState:
        """A start position from FEN; NotationError if malformed or impossible (no king, side not to move in check)."""
        try:
            board = chess.Board(fen.strip())
        except ValueError as e:
            raise NotationError(f"bad FEN {fen.strip()!r}: {e}") from None
        status = board.status()
        if status != chess.STATUS_VALID:
            problems = ", ".join(s.name.lower().replace("_", " ") for s in chess.Status if s and s in status)
            raise NotationError(f"impossible chess position {fen.strip()!r}: {problems}")
        return ChessState(board, (_repetition_key(board),), None, 0, board.fen())

    def action_to_text(self, state: State, action: int) -> str:
        move = state.legal_moves().get(action) if isinstance(state, ChessState) else None
        if move is not None:
            return move.uci()
        kind, cell = divmod(int(action), 64)
        flip = 0 if state.current_player == 0 else 56
        frm = chess.square(cell % 8, 7 - cell // 8)
        to = int(_TARGET[kind, frm]) if kind < NUM_MOVE_TYPES else -1
        if to < 0:
            return f"#{action}"  # an action that leaves the board: no UCI spelling
        promo = chess.piece_symbol(_UNDER[(kind - 64) // 3]) if kind >= 64 else ""
        return chess.Move(frm ^ flip, to ^ flip).uci() + promo

    def text_to_action(self, state: State, text: str) -> int:
        t = text.strip()
        board = state._board
        try:
            move = chess.Move.from_uci(t)
        except ValueError:
            try:
                move = board.parse_san(t)
            except ValueError:
                raise NotationError(f"bad chess move {text!r} (expected UCI such as e2e4 or e7e8q, or SAN)") from None
        if not move:
            raise NotationError("the null move 0000 is not a chess move here")
        piece = board.piece_at(move.from_square)
        last_rank = chess.square_rank(move.to_square) in (0, 7)
        if piece is not None and piece.piece_type == chess.PAWN and last_rank and move.promotion is None:
            raise NotationError(f"chess move {text!r} needs a promotion piece (e.g. {t}q)")
        if move.promotion == chess.KING or move.drop is not None:
            raise NotationError(f"bad chess move {text!r}")
        try:
            return move_to_action(move, board.turn)
        except KeyError:
            raise NotationError(f"chess move {text!r} is no piece's move (not a line or a knight jump)") from None

    def split_moves(self, text: str) -> list[str]:
        return text.split()

    def join_moves(self, moves: list[str]) -> str:
        return " ".join(moves)

    def state_from_text(self, text: str) -> ChessState:
        """A FEN ("rnbqkbnr/... w KQkq - 0 1"), a PGN game ("[Event ...] 1. e4 ..."), or moves from the start."""
        t = text.strip()
        if t.startswith("[") or t.startswith("1."):
            return state_from_pgn(t)
        if "/" in t:
            return self.state_from_fen(t)
        return self.state_from_moves(t)

    def state_to_text(self, state: State) -> str:
        return state.fen()

    def action_permutation(self, k: int) -> np.ndarray:
        return np.arange(NUM_ACTIONS, dtype=np.int64)

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return obs


def write_pgn(state: ChessState, white: str = "?", black: str = "?", event: str = "?",
              result: str | None = None) -> str:
    """The PGN of the game that led to `state` (with FEN/SetUp headers for a custom start).

    `result` defaults to the rules' result when the game is over ("1-0", "0-1", "1/2-1/2"), else "*".
    """
    board = chess.Board(state.start_fen)
    for move in state.moves():
        board.push(move)
    game = chess.pgn.Game.from_board(board)
    game.headers.update({"Event": event, "White": white, "Black": black, "Site": "move37"})
    if result is None:
        white_return = state._result()
        result = "*" if white_return is None else {1.0: "1-0", -1.0: "0-1", 0.0: "1/2-1/2"}[white_return]
    game.headers["Result"] = result
    return str(game) + "\n"


class _StrictBuilder(chess.pgn.GameBuilder):
    """python-chess's game builder, stopped by the first error (which becomes a NotationError). Its own
    builder logs the error and reads on, and that recovery can fail on the main line: in "1. e5 ) --" the
    ")" after the illegal e5 empties its variation stack and the next move is an IndexError."""

    def handle_error(self, error: Exception) -> None:
        raise NotationError(f"bad PGN: {error}")


def state_from_pgn(text: str) -> ChessState:
    """The final position of the first game in a PGN text; NotationError at its first error."""
    game = chess.pgn.read_game(io.StringIO(text), Visitor=_StrictBuilder)
    if game is None:
        raise NotationError("no PGN game found")
    board = game.board()
    if type(board) is not chess.Board or board.chess960:  # python-chess reads [Variant] headers
        raise NotationError(f"PGN variant {game.headers.get('Variant')!r} is not standard chess")
    state = _GAME.state_from_fen(board.fen())
    for i, move in enumerate(game.mainline_moves()):
        if state.is_terminal():
            raise NotationError(f"PGN move {i + 1} is played after the game is over")
        if not move:  # python-chess reads "--" and "0000" as null moves
            raise NotationError(f"PGN move {i + 1} is a null move, which is not a chess move")
        state = state.play(move_to_action(move, state._board.turn))
    return state


_GAME = Chess()
