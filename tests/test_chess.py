"""Chess: move generation through the action encoding (perft), draw rules, notation, FEN/PGN."""

import numpy as np
import pytest

from move37 import games
from move37.errors import IllegalMoveError, NotationError
from move37.games import chess as mchess

GAME = games.make("chess")


def perft(state, depth: int) -> int:
    """Leaves of the legal move tree, walked through legal_actions and play only."""
    actions = state.legal_actions()
    if depth == 1:
        return len(actions)
    return sum(perft(state.play(int(a)), depth - 1) for a in actions)


# The standard perft positions (start, "Kiwipete", positions 3-6) with their leaf counts at depths
# 1-3: an excerpt of the public table (../shared/data/chess/perft.epd, checked against it below).
PERFT = {
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1": (20, 400, 8902),
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1": (48, 2039, 97862),
    "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1": (14, 191, 2812),
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1": (6, 264, 9467),
    "r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1": (6, 264, 9467),
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8": (44, 1486, 62379),
    "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10": (46, 2079, 89890),
}


def test_perft_counts_through_the_action_encoding():
    for fen, counts in PERFT.items():
        state = GAME.state_from_text(fen)
        for d in (1, 2, 3):  # deeper trees: bench/chess_perft.py
            assert perft(state, d) == counts[d - 1], (fen, d)


def test_perft_excerpt_matches_the_public_table(shared_data):
    """Cross-check: the excerpt above is the public table's (every position, depths 1-3)."""
    table = {}
    for line in (shared_data / "chess" / "perft.epd").read_text().splitlines():
        if line.strip():
            fen, *counts = line.split(";")
            depths = {int(c.split()[0][1:]): int(c.split()[1]) for c in counts}
            table[fen.strip()] = (depths[1], depths[2], depths[3])
    assert table == PERFT


def test_actions_are_distinct_and_round_trip():
    """Every legal move in random games has its own action, which decodes to the same move."""
    rng = np.random.default_rng(2)
    promotions = 0
    for _ in range(4):
        s = GAME.initial_state()
        while not s.is_terminal():
            moves = list(s.board.legal_moves)
            table = s.legal_moves()
            assert len(table) == len(moves) and int(s.legal_mask().sum()) == len(moves)
            for a, m in table.items():
                assert GAME.action_to_text(s, a) == m.uci() and GAME.text_to_action(s, m.uci()) == a
                promotions += m.promotion is not None
            s = s.play(int(rng.choice(s.legal_actions())))
    assert promotions > 0


def test_black_sees_the_board_mirrored():
    """The same pawn push is the same action for either side, and the planes agree."""
    white = GAME.initial_state()
    black = GAME.state_from_moves("g1f3")
    assert GAME.text_to_action(white, "e2e4") == GAME.text_to_action(black, "e7e5")
    obs = black.encode()
    assert obs.shape == (22, 8, 8) and obs.dtype == np.float32
    assert obs[0, 6].sum() == 8 and obs[5, 7, 4] == 1  # Black's pawns on its 2nd row, king on e
    assert obs[7, 2, 5] == 1  # White's knight on f3: Black's 6th rank, image row 2
    assert obs[18].sum() == 0 and obs[21].all() and obs[14:18].all()  # Black to move; all castling rights


def test_promotions_of_both_sides():
    fen = "8/P6k/8/8/8/8/6Kp/8 w - - 0 1"
    white = GAME.state_from_text(fen)
    black = GAME.state_from_text(fen.replace(" w ", " b "))
    assert {"a7a8q", "a7a8r", "a7a8b", "a7a8n"} <= {GAME.action_to_text(white, int(a)) for a in white.legal_actions()}
    assert {"h2h1q", "h2h1r", "h2h1b", "h2h1n"} <= {GAME.action_to_text(black, int(a)) for a in black.legal_actions()}
    # Mirrored for Black, h2h1n is the same action as White's h7h8n would be.
    assert GAME.text_to_action(black, "h2h1n") == mchess.move_to_action(__import__("chess").Move.from_uci("h7h8n"), True)
    with pytest.raises(NotationError):
        GAME.text_to_action(white, "a7a8")  # the promotion piece is required


def test_game_endings():
    mate = GAME.state_from_moves("f2f3 e7e5 g2g4 d8h4")
    assert mate.is_terminal() and list(mate.returns()) == [-1.0, 1.0]
    stalemate = GAME.state_from_text("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1")
    assert stalemate.is_terminal() and list(stalemate.returns()) == [0.0, 0.0]
    bare = GAME.state_from_text("8/8/8/8/8/8/8/K1k5 w - - 0 1")
    assert bare.is_terminal() and not bare.legal_mask().any()
    fifty = GAME.state_from_text("k7/8/8/8/8/8/1R6/K7 w - - 99 80")
    assert not fifty.is_terminal() and fifty.play_text("b2c2").is_terminal()
    assert list(fifty.play_text("b2c2").returns()) == [0.0, 0.0]
    mate_on_100th = GAME.state_from_text("k7/8/1K6/8/8/8/8/7R w - - 99 80").play_text("h1h8")
    assert list(mate_on_100th.returns()) == [1.0, -1.0]


def test_threefold_repetition_is_claimed():
    shuffle = "g1f3 g8f6 f3g1 f6g8 "
    twice = GAME.state_from_moves(shuffle * 2)
    assert twice.is_terminal() and twice.repetitions() == 3 and list(twice.returns()) == [0.0, 0.0]
    almost = GAME.state_from_moves(shuffle + "g1f3 g8f6 f3g1")
    assert not almost.is_terminal() and almost.repetitions() == 2 and almost.encode()[12].all()
    assert not almost.encode()[13].any()
    # A pawn move resets the record: the same dance after e2e4 starts counting again.
    after_pawn = GAME.state_from_moves(shuffle + "e2e4 e7e5 " + shuffle)
    assert not after_pawn.is_terminal() and after_pawn.repetitions() == 2


def test_move_cap_ends_in_a_draw(monkeypatch):
    monkeypatch.setattr(mchess, "MAX_LENGTH", 4)
    s = GAME.state_from_moves("e2e4 e7e5 g1f3 b8c6")
    assert s.is_terminal() and list(s.returns()) == [0.0, 0.0]


def test_notation_errors():
    s = GAME.initial_state()
    assert GAME.text_to_action(s, "Nf3") == GAME.text_to_action(s, "g1f3")  # SAN is read too
    for bad in ("e2e9", "zz", "", "0000", "e2", "P@e4", "Nf6"):
        with pytest.raises(NotationError):
            GAME.text_to_action(s, bad)
    with pytest.raises(IllegalMoveError):
        s.play_text("e2e5")
    assert GAME.action_to_text(s, 0).startswith("#")  # a1-style off-board action has no UCI spelling


@pytest.mark.parametrize("bad", ["8/8/8/8 w - - 0 1", "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1",
                                 "8/8/8/8/8/8/8/8 w - - 0 1", "k7/8/8/8/8/8/8/K6q w - - 0 1 extra"])
def test_bad_fen_is_a_notation_error(bad):
    with pytest.raises(NotationError):
        GAME.state_from_text(bad)


def test_fen_and_pgn_round_trip():
    s = GAME.state_from_moves("e2e4 c7c5 g1f3 d7d6 d2d4 c5d4 f3d4 g8f6 b1c3 a7a6")
    assert GAME.state_from_text(GAME.state_to_text(s)) == s
    pgn = mchess.write_pgn(s, white="move37", black="stockfish")
    assert '[White "move37"]' in pgn and "1. e4 c5 2. Nf3" in pgn and '[Result "*"]' in pgn
    back = GAME.state_from_text(pgn)
    assert back == s and back.moves() == s.moves()
    mate = GAME.state_from_moves("f2f3 e7e5 g2g4 d8h4")
    assert mchess.write_pgn(mate).rstrip().endswith("0-1")
    custom = GAME.state_from_text("k7/8/8/8/8/8/1R6/K7 w - - 10 40").play_text("b2c2")
    text = mchess.write_pgn(custom)
    assert '[SetUp "1"]' in text and GAME.state_from_text(text) == custom
    with pytest.raises(NotationError):
        GAME.state_from_text("[Event \"x\"]\n\n1. e4 e4 *")


def test_damaged_fen_and_pgn_raise_only_move37_errors():
    """Untrusted positions and records fail with a one-line error, never a crash."""
    from move37.errors import Move37Error
    from test_go import mutations

    s = GAME.state_from_moves("e2e4 e7e5 g1f3 b8c6 f1b5 a7a6 b5a4")
    for text in (s.fen(), mchess.write_pgn(s)):
        parsed = 0
        for bad in mutations(text, 400, 2, "[]\"/-+.*=#0123456789 \nKQRBNPkqrbnpabcdefghwx"):
            try:
                GAME.state_from_text(bad)
                parsed += 1
            except Move37Error:
                pass
        assert 0 < parsed < 400
