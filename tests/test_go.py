"""Go rules, notation, symmetries and SGF, checked against hand positions and a
slow pure-Python reference of the same rules."""

import numpy as np
import pytest

from move37 import games
from move37.errors import IllegalMoveError, NotationError, SpecError
from move37.games import sgf
from move37.games.go import Go


def board_from(rows: list[str]) -> np.ndarray:
    """Rows top to bottom, X Black, O White, . empty."""
    return np.array([[".XO".index(c) for c in row.replace(" ", "")] for row in rows], dtype=np.int8)


# A slow reference: groups by set flood fill, legality by playing the move out.

def ref_group(board, p, n):
    colour, todo, group, libs = board[p], [p], {p}, set()
    while todo:
        r, c = divmod(todo.pop(), n)
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < n and 0 <= cc < n:
                q = rr * n + cc
                if board[q] == 0:
                    libs.add(q)
                elif board[q] == colour and q not in group:
                    group.add(q)
                    todo.append(q)
    return group, libs


def ref_play(board, p, colour, n):
    """The board after `colour` plays p, or None when it is suicide."""
    b = list(board)
    b[p] = colour
    r, c = divmod(p, n)
    for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
        if 0 <= rr < n and 0 <= cc < n and b[rr * n + cc] == 3 - colour:
            group, libs = ref_group(b, rr * n + cc, n)
            if not libs:
                for q in group:
                    b[q] = 0
    return None if not ref_group(b, p, n)[1] else tuple(b)


def test_reference_agrees_on_random_games():
    """Legal moves (suicide, positional superko) and captures agree with the reference."""
    g = games.make("go")
    n, rng = 9, np.random.default_rng(3)
    superko_bans = 0
    for _ in range(6):
        s = g.initial_state()
        seen = {tuple(s.board.ravel())}
        while not s.is_terminal():
            board = tuple(s.board.ravel())
            expected = np.zeros(n * n + 1, dtype=bool)
            expected[-1] = True
            for p in range(n * n):
                if board[p] == 0:
                    after = ref_play(board, p, s.current_player + 1, n)
                    if after is not None and after not in seen:
                        expected[p] = True
                    superko_bans += after is not None and after in seen
            assert (s.legal_mask() == expected).all(), str(s)
            s = s.play(int(rng.choice(s.legal_actions())))
            seen.add(tuple(s.board.ravel()))
    assert superko_bans > 0  # the games did meet ko


def test_capture_suicide_and_ko():
    g = Go(9)
    # Black surrounds White's E5 stone and captures it.
    s = g.state_from_moves("E4 E5 D5 A1 F5 A2 E6")
    assert s.board[4, 4] == 0 and s.area() == (4 + 1, 2)  # 4 stones + the E5 eye; White's A1 A2
    # White may not play into the single-point eye at E5 (suicide).
    assert not s.legal_mask()[g.text_to_action(s, "E5")]
    with pytest.raises(IllegalMoveError):
        s.play_text("E5")
    ko = g.state_from_setup(board_from([
        ".........", ".........", ".........",
        "...XO....", "..X.XO...", "...XO....",
        ".........", ".........", ".........",
    ]), 1)
    ko = ko.play_text("D5")  # White captures the Black stone on E5
    assert ko.board[4, 4] == 0 and ko.board[4, 3] == 2
    assert not ko.legal_mask()[g.text_to_action(ko, "E5")]  # the retake would repeat the position
    later = ko.play_text("A9").play_text("B9")  # a threat and its answer elsewhere
    assert later.legal_mask()[g.text_to_action(later, "E5")]


def test_suicide_that_captures_is_legal():
    g = Go(9)
    corner = board_from([
        ".OX......", "OX.......", "X........", ".........", ".........",
        ".........", ".........", ".........", ".........",
    ])
    white = g.state_from_setup(corner, 1)
    assert not white.legal_mask()[0]  # White A9 fills its own last liberty: suicide
    black = g.state_from_setup(corner, 0)
    after = black.play_text("A9")  # Black A9 takes the last liberty of B9 and A8: legal
    assert after.board[0, 1] == 0 and after.board[1, 0] == 0 and after.board[0, 0] == 1


def test_scoring_passes_and_komi():
    g = Go(9, komi=7.5)
    s = g.state_from_moves("pass pass")
    assert s.is_terminal() and s.score() == -7.5 and list(s.returns()) == [-1.0, 1.0]
    assert g.state_from_moves("E5 pass pass").score() == 81 - 7.5  # one stone owns the whole board
    draw = Go(9, komi=1).state_from_moves("E5 E4 pass pass")  # no territory: 1 - 1 - 1
    assert draw.is_terminal() and draw.score() == -1
    even = Go(9, komi=0).state_from_moves("E5 E4 pass pass")
    assert list(even.returns()) == [0.0, 0.0]
    wall = g.state_from_setup(board_from(["....X.O.."] * 9), 0)
    assert wall.area() == (45, 27) and wall.score() == 45 - 27 - 7.5  # the F file is neutral
    assert not g.state_from_moves("pass E5 pass").is_terminal()  # passes must be consecutive


def test_max_length_ends_and_scores():
    g = Go(9)
    rng = np.random.default_rng(0)
    s = g.initial_state()
    while not s.is_terminal():
        legal = s.legal_actions()
        s = s.play(int(rng.choice(legal[:-1] if legal.size > 1 else legal)))  # never pass
    assert s.ply == g.info.max_length == 243 and s.passes < 2
    assert abs(s.returns()[0]) == 1.0


def test_gtp_notation_and_orientation():
    g = Go(9)
    s = g.initial_state()
    assert g.text_to_action(s, "A9") == 0 and g.text_to_action(s, "J1") == 80
    assert g.text_to_action(s, "a1") == 72 and g.action_to_text(s, 81) == "pass"
    assert g.state_from_moves("D4").board[5, 3] == 1  # row 4 counts from the bottom
    for bad in ("I5", "K5", "A0", "A10", "", "D", "resign"):
        with pytest.raises(NotationError):
            g.text_to_action(s, bad)
    big = Go(19)
    assert big.text_to_action(big.initial_state(), "T19") == 18
    assert g.join_moves(["D4", "pass"]) == "D4 pass" and g.split_moves(" D4  pass ") == ["D4", "pass"]
    with pytest.raises(SpecError):
        games.make("go:size=10")
    assert games.make("go:size=13,komi=6.5").info.num_actions == 170


def test_encode_planes_from_mover_view():
    g = Go(9)
    s = g.state_from_moves("E5")
    obs = s.encode()
    assert obs.shape == (15, 9, 9)
    assert obs[4, 4, 4] == 1 and obs[0].sum() == 0  # White to move: the Black stone is the opponent's
    assert obs[12].sum() == 0 and obs[13].sum() == 81  # White to move; the ones plane
    s2 = s.play_text("pass")
    assert s2.encode()[0, 4, 4] == 1 and s2.encode()[14].all()  # Black's view; the last move was a pass
    assert s2.encode()[1, 4, 4] == 1  # Black's stone one position ago too


def test_symmetry_maps_vertices():
    g = Go(9)
    s = g.state_from_moves("C3 pass")
    c3 = g.text_to_action(s, "C3")
    images = {g.action_to_text(s, int(g.action_permutation(k)[c3])) for k in range(8)}
    assert images == {"C3", "G3", "C7", "G7"}
    for k in range(8):
        t = s.transform(k)
        assert t.board.ravel()[g.action_permutation(k)[c3]] == 1 and t.ply == 2 and t.passes == 1


def test_sgf_round_trip_and_setup():
    g = Go(9)
    rng = np.random.default_rng(7)
    s = g.initial_state()
    for _ in range(60):
        s = s.play(int(rng.choice(s.legal_actions())))
    text = sgf.write_sgf(s, black="A]b", white="c\\d")
    back = sgf.load_sgf(text)
    assert back == s and back.moves() == s.moves()
    assert sgf.parse_sgf(text).get("PB") == "A]b" and sgf.parse_sgf(text).get("PW") == "c\\d"
    assert g.state_from_text(text) == s  # state_from_text reads SGF too
    record = "(;FF[4]GM[1]SZ[9]KM[6.5]AB[aa:bb][ee]AW[ii]PL[W];W[cc](;B[dd];W[])(;B[hh]))"
    t = sgf.load_sgf(record)
    assert t.game.komi == 6.5 and t.board[0, 0] == 1 and t.board[1, 1] == 1 and t.board[4, 4] == 1
    assert t.board[8, 8] == 2 and t.board[2, 2] == 2 and t.board[3, 3] == 1 and t.passes == 1
    again = sgf.load_sgf(sgf.write_sgf(t))
    assert again == t and again.start.current_player == 1


def test_finished_sgf_has_result():
    s = Go(9, komi=7.5).state_from_moves("E5 pass pass")
    assert "RE[B+73.5]" in sgf.write_sgf(s)


@pytest.mark.parametrize("bad", ["", "(", "(;", "(;SZ[9]", ";B[aa])", "(;B[zz])", "(;SZ[9];B[aa];B[bb])",
                                 "(;SZ[10])", "(;GM[3])", "(;SZ[x])", "(;B[aa]c[x])", "(;sz[9])", "(;SZ[9];W[aa];AB[bb])"])
def test_bad_sgf_is_a_notation_error(bad):
    with pytest.raises(NotationError):
        sgf.load_sgf(bad)


def test_sgf_size_must_match_game_and_moves_be_legal():
    with pytest.raises(NotationError):
        Go(9).state_from_text("(;SZ[19];B[aa])")
    with pytest.raises(IllegalMoveError):
        sgf.load_sgf("(;SZ[9];B[aa];W[bb];B[aa])")


@pytest.mark.parametrize("bad", ["(;SZ[0\n0])", "(;SZ[9\r\n:8])", "(;KM[6.5\u2028x])"])
def test_sgf_errors_quoting_line_breaks_stay_one_line(bad):
    """A message quotes the offending value; a line break inside it is escaped, so the error is still one line
    (found by the SGF fuzzing: `SZ[0<newline>0]`)."""
    with pytest.raises(NotationError) as caught:
        sgf.load_sgf(bad)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and ("\\n" in message or "\\u2028" in message), message


def mutations(text: str, count: int, seed: int, alphabet: str):
    """`count` copies of text with 1-3 random deletions, insertions or replacements each."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        t = list(text)
        for _ in range(int(rng.integers(1, 4))):
            pos = int(rng.integers(len(t)))
            op = rng.integers(3)
            if op == 0:
                del t[pos]
            elif op == 1:
                t.insert(pos, alphabet[rng.integers(len(alphabet))])
            else:
                t[pos] = alphabet[rng.integers(len(alphabet))]
        yield "".join(t)


def test_damaged_sgf_raises_only_move37_errors():
    """Untrusted records (GTP loadsgf, the web page) fail with a one-line error, never a crash."""
    from move37.errors import Move37Error

    rng = np.random.default_rng(5)
    s = Go(9).initial_state()
    for _ in range(30):
        s = s.play(int(rng.choice(s.legal_actions())))
    text = sgf.write_sgf(s, black="b", white="w")
    parsed = 0
    for bad in mutations(text, 600, 1, "()[];\\:ABWKMSZPLabcdefghijt0123456789 \n"):
        try:
            sgf.load_sgf(bad)
            parsed += 1
        except Move37Error:
            pass
    assert 0 < parsed < 600
