"""``hmtl predict`` on each input kind, into JSON lines or back into the training format."""

import io
import json
from pathlib import Path

import pytest

from hmtl.commands.main import main
from hmtl.data.formats.ace_like_conll import read_ace
from hmtl.data.formats.conll2003 import read_conll2003
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.predicting.archive import create_archive
from tests.predicting.contract import check_contract
from tests.predicting.runs import tiny_run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "predicting"
KINDS = {"ner": "spans", "emd": "spans", "relation": "relations", "coref": "clusters"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def _predict(*arguments):
    return main(["predict", *map(str, arguments), "--quiet"])


def _lines(path):
    results = [json.loads(line) for line in Path(path).read_text().splitlines()]
    for result in results:
        check_contract(result)
        assert result["tasks"] == KINDS
    return results


def test_raw_text_from_a_file_with_an_archive(run, tmp_path):
    create_archive(run, tmp_path / "model.tar.gz")
    out = tmp_path / "out.jsonl"
    assert _predict(tmp_path / "model.tar.gz", FIXTURES / "documents.txt", "-o", out) == 0
    results = _lines(out)
    assert [r["id"] for r in results] == [0, 1]
    assert results[0]["text"] == "Maria Lopez joined Acme Corp in Paris. She likes it."
    assert "😀" in [t["text"] for t in results[1]["tokens"]]


def test_one_document_per_line_keeps_empty_lines(run, tmp_path):
    out = tmp_path / "out.jsonl"
    assert _predict(run, FIXTURES / "documents.txt", "--input-format", "lines", "-o", out) == 0
    results = _lines(out)
    assert [len(r["tokens"]) > 0 for r in results] == [True, False, False, False, True]


def test_json_lines_from_stdin_to_stdout(run, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(
        (FIXTURES / "documents.jsonl").read_text(encoding="utf-8")))
    assert _predict(run, "-", "--input-format", "jsonl", "--batch-size", "1") == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in results] == ["first", 1, 7]
    assert results[1]["text"] == "Kofi Annan arrived . He spoke ."
    for result in results:
        check_contract(result)


def test_an_empty_input_gives_no_output(run, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert _predict(run, tmp_path / "empty.txt", "-o", tmp_path / "out.jsonl") == 0
    assert (tmp_path / "out.jsonl").read_text() == ""


def test_training_formats_to_json_lines_keep_their_tokens(run, tmp_path):
    out = tmp_path / "out.jsonl"
    assert _predict(run, FIXTURES / "doc.v4_gold_conll", "-o", out) == 0
    (result,) = _lines(out)
    assert result["text"] == "Maria Lopez left She returned"
    assert result["sentences"] == [{"start": 0, "end": 3}, {"start": 3, "end": 5}]


@pytest.mark.parametrize(("name", "input_format", "read"), [
    ("doc.v4_gold_conll", "auto", lambda p: [s.words for d in read_conll2012(p)
                                             for s in d.sentences]),
    ("doc.like_conll", "like_conll", lambda p: [s.words for d in read_ace(p)
                                                for s in d.sentences]),
    ("doc.conll2003", "conll2003", lambda p: [s.words for s in read_conll2003(p)]),
])
def test_training_formats_written_back_with_predictions(run, tmp_path, name, input_format,
                                                        read):
    out = tmp_path / name
    assert _predict(run, FIXTURES / name, "--input-format", input_format,
                    "--output-format", "input", "-o", out) == 0
    # the output parses in the same format, with the same sentences of the same words
    assert read(out) == read(FIXTURES / name)


@pytest.mark.parametrize(("arguments", "message"), [
    (["{fixtures}/documents.txt", "--output-format", "input"], "writes a training format"),
    (["{tmp}/bad.jsonl"], "bad.jsonl, line 1: not valid JSON"),
    (["-", "--input-format", "conll2012"], "give its path instead of '-'"),
    (["{tmp}/missing.txt"], "missing.txt: no such file"),
])
def test_errors_are_one_line(run, tmp_path, capsys, arguments, message):
    (tmp_path / "bad.jsonl").write_text("{oops\n")
    arguments = [a.format(fixtures=FIXTURES, tmp=tmp_path) for a in arguments]
    assert _predict(run, *arguments) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_path_that_is_no_model_is_one_line(tmp_path, capsys):
    assert _predict(tmp_path / "nowhere", FIXTURES / "documents.txt") == 1
    assert "does not exist" in capsys.readouterr().err
