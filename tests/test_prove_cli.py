"""`move37 prove`: one line per label, --out writes a database copy that `metamath` verifies, bad input is
one line on stderr and exit status 2, the database is never overwritten."""

import pytest

from move37.cli import main
from move37.prove import checker, database

def test_prove_prints_a_line_per_label_and_out_verifies(prop_file, tmp_path, capsys):
    before = prop_file.read_bytes()
    out = tmp_path / "out.mm"
    assert main(["prove", "syl", "idd", "mpsyl", "--db", str(prop_file), "--budget", "60", "--method", "bfs",
                 "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["syl", "idd", "mpsyl"]
    for line in lines:
        label, verdict, expansions, seconds = line.split()
        assert verdict in ("proved", "failed") and 1 <= int(expansions) <= 60 and float(seconds) >= 0
    assert prop_file.read_bytes() == before
    text = out.read_text()
    assert text != before.decode()
    proved = [line.split()[0] for line in lines if line.split()[1] == "proved"]
    assert "syl" in proved
    db = database.parse(text)
    assert db["syl"].proof[0] != "("  # replaced by our normal-format proof
    if checker.available():
        assert checker.metamath_failures(out) == set()


@pytest.mark.parametrize("argv, message", [
    (["nosuchlabel"], "no statement labelled"),
    (["syl", "--budget", "0"], "--budget"),
    (["wi"], "not a |- assertion"),
])
def test_bad_input_is_one_line_and_status_2(prop_file, argv, message, capsys):
    assert main(["prove", *argv, "--db", str(prop_file)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_out_never_replaces_the_database_or_an_existing_file(prop_file, tmp_path, capsys):
    assert main(["prove", "syl", "--db", str(prop_file), "--out", str(prop_file)]) == 2
    keep = tmp_path / "keep.mm"
    keep.write_text("mine")
    assert main(["prove", "syl", "--db", str(prop_file), "--out", str(keep)]) == 2
    assert keep.read_text() == "mine"


def test_a_malformed_database_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.mm"
    bad.write_text("$c a $. ${ x $a a $.")
    assert main(["prove", "x", "--db", str(bad)]) == 2
    assert "never closed" in capsys.readouterr().err
