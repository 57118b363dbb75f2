"""Every input kind of hmtl predict: documents, ids, and errors naming the line."""

import io
from pathlib import Path

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.predicting.inputs import json_document, read_documents, resolve_format
from hmtl.predicting.tokenization import Tokenizer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "predicting"


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


def _read(path, input_format, tokenizer):
    return [item.document for item in read_documents(path, input_format, tokenizer)]


def test_text_is_one_document_per_block_of_lines(tokenizer):
    documents = _read(FIXTURES / "documents.txt", "text", tokenizer)
    # two blank lines and a line of spaces separate the two blocks
    assert [d.id for d in documents] == [0, 1]
    assert documents[0].text == "Maria Lopez joined Acme Corp in Paris. She likes it."
    assert documents[1].words[:3] == ["The", "second", "document"]


def test_lines_keep_empty_lines_as_empty_documents(tokenizer):
    documents = _read(FIXTURES / "documents.txt", "lines", tokenizer)
    # 5 lines: text, empty, empty, spaces, text
    assert [d.id for d in documents] == [0, 1, 2, 3, 4]
    assert [len(d.tokens) > 0 for d in documents] == [True, False, False, False, True]


def test_json_lines_with_text_words_or_sentences(tokenizer):
    documents = _read(FIXTURES / "documents.jsonl", "jsonl", tokenizer)
    # the blank line is skipped; an id given wins over the index
    assert [d.id for d in documents] == ["first", 1, 7]
    assert documents[0].text == "Omar Haddad visited Berlin. He stayed."
    assert documents[1].text == "Kofi Annan arrived . He spoke ."
    assert documents[1].sentences == [(0, 4), (4, 7)]  # the sentencizer splits the words
    assert documents[2].sentences == [(0, 2), (2, 4)]  # given sentences are kept


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: expected a JSON object, got list"),
    ('{"text": "a", "tokens": ["a"]}', 'line 2: expected exactly one of "text"'),
    ('{"tokens": ["a", " "]}', r'line 2: "tokens"\[1\] is \' \''),
    ('{"tokens": "a b"}', 'line 2: "tokens" must be a list of strings'),
    ('{"text": 3}', 'line 2: "text" must be a string'),
    ('{"text": "a", "id": [1]}', 'line 2: "id" must be a string or an integer'),
])
def test_a_bad_json_line_is_an_error_naming_it(tmp_path, tokenizer, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n")
    with pytest.raises(FormatError, match=message):
        _read(path, "jsonl", tokenizer)


def test_stdin(monkeypatch, tokenizer):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "Hi there."}\n'))
    assert _read("-", "jsonl", tokenizer)[0].words == ["Hi", "there", "."]
    monkeypatch.setattr("sys.stdin", io.StringIO("one\n\ntwo\n"))
    assert [d.text for d in _read("-", resolve_format("-", "auto"), tokenizer)] == ["one", "two"]


def test_training_formats_keep_their_tokens_and_sentences(tokenizer):
    conll2012 = read_documents(FIXTURES / "doc.v4_gold_conll", "conll2012", tokenizer)
    document, source = next(conll2012)
    assert document.text == "Maria Lopez left She returned"
    assert document.sentences == [(0, 3), (3, 5)] and source.document_id == "nw/test/00/doc_0001"
    ace = _read(FIXTURES / "doc.like_conll", "like_conll", tokenizer)
    assert ace[0].words == ["Staff", "of", "Acme", "They", "left"]
    conll2003 = _read(FIXTURES / "doc.conll2003", "conll2003", tokenizer)
    assert conll2003[0].sentences == [(0, 3), (3, 5)]


def test_formats_by_name_and_training_formats_need_a_file():
    assert resolve_format("a/b.jsonl", "auto") == "jsonl"
    assert resolve_format("x.v4_gold_conll", "auto") == "conll2012"
    assert resolve_format("x.sgm.like_conll", "auto") == "like_conll"
    assert resolve_format("notes.txt", "auto") == "text"
    assert resolve_format("notes.txt", "lines") == "lines"
    with pytest.raises(FormatError, match="give its path instead of '-'"):
        resolve_format("-", "conll2012")


def test_a_json_record_outside_a_file(tokenizer):
    assert json_document({"text": "Hi."}, 4, tokenizer).id == 4
    with pytest.raises(FormatError, match="<input>"):
        json_document({}, 0, tokenizer)
