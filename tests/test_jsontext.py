"""One reader for JSON that may be damaged or hostile: every way Python's parser fails becomes
JSONTextError in one line, and the project's readers built on it turn that into their own error."""

import json

import pytest

from move37 import jsontext, runs
from move37.errors import JSONTextError, RunFolderError

BAD = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\xff\xfe",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "torn": b'{"a": [1, 2',
    "nan": b'{"a": NaN}',
    "infinity": b"[-Infinity]",
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_failure_is_one_line_json_text_error(name):
    with pytest.raises(JSONTextError) as e:
        jsontext.loads(BAD[name])
    assert str(e.value) and "\n" not in str(e.value)


def test_constants_are_refused_from_outside_and_read_from_own_files():
    assert jsontext.loads('{"a": 1.5, "b": [true, null]}') == {"a": 1.5, "b": [True, None]}
    row = jsontext.loads(json.dumps({"loss": float("nan")}), constants=True)
    assert row["loss"] != row["loss"]


def test_text_and_bytes_read_alike(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"é": 1}', encoding="utf-8")
    assert jsontext.read(path) == jsontext.loads('{"é": 1}') == {"é": 1}


def test_log_rows_skip_a_line_nested_too_deep(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"i": 1}\n' + b"[" * 100_000 + b"]" * 100_000 + b'\n{"i": 2}\n')
    assert runs.read_rows(path) == [{"i": 1}, {"i": 2}]


@pytest.mark.parametrize("name", ["binary", "deep", "torn"])
def test_damaged_checkpoint_state_is_a_run_folder_error(tmp_path, name):
    (tmp_path / "state.json").write_bytes(BAD[name])
    with pytest.raises(RunFolderError) as e:
        runs.read_state(tmp_path)
    assert "damaged checkpoint state" in str(e.value) and "\n" not in str(e.value)
