"""Predictions written back into the training formats, from hand-made prediction objects."""

import io
from pathlib import Path

from hmtl.data.formats.ace_like_conll import read_ace
from hmtl.data.formats.conll2003 import iter_conll2003_documents
from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.predicting.document import from_sentences
from hmtl.predicting.format_writers import fill_predictions, has_docstart, write_source
from hmtl.predicting.outputs import clusters_json, document_json, relations_json, spans_json

FIXTURES = Path(__file__).parents[1] / "fixtures" / "predicting"


def _prediction(sentences, tasks, **predictions):
    document = from_sentences(0, sentences)
    built = {}
    for task, value in predictions.items():
        kind = tasks[task]
        if kind == "spans":
            built[task] = spans_json(document, value)
        elif kind == "relations":
            built[task] = relations_json(document, value)
        else:
            built[task] = clusters_json(document, value)
    return document_json(document, tasks, built, [])


def test_conll2012_named_entities_and_coreference_replaced(tmp_path):
    source = next(read_conll2012(FIXTURES / "doc.v4_gold_conll"))
    # tokens: Maria Lopez left | She returned
    prediction = _prediction(
        [s.words for s in source.sentences], {"ner": "spans", "coref": "clusters"},
        # the GPE span crosses the sentence boundary (tokens 2-3): it cannot be written
        ner=[("PERSON", 0, 1), ("GPE", 2, 4)], coref=[[(0, 2), (3, 4)]])
    assert fill_predictions("conll2012", prediction, source) == 1
    handle = io.StringIO()
    write_source("conll2012", source, handle)
    rows = [line.split("\t") for line in handle.getvalue().splitlines() if "\t" in line]
    assert [row[10] for row in rows] == ["(PERSON)", "*", "*", "*", "*"]
    assert [row[-1] for row in rows] == ["(0", "0)", "-", "(0)", "-"]
    assert rows[0][:10] == ["nw/test/00/doc_0001", "0", "0", "Maria", "NNP", "(TOP(S*",
                            "-", "-", "-", "-"]  # the other columns are kept
    written = tmp_path / "out.v4_gold_conll"
    written.write_text(handle.getvalue())
    reread = next(read_conll2012(written))  # the parser reads what was written
    assert [(m.cluster_id, m.start, m.end) for s in reread.sentences
            for m in s.coref_mentions] == [(0, 0, 1), (0, 0, 0)]


def test_like_conll_mentions_relation_frames_and_coreference():
    source = next(read_ace(FIXTURES / "doc.like_conll"))
    # tokens: Staff of Acme | They left
    prediction = _prediction(
        [s.words for s in source.sentences],
        {"emd": "spans", "relation": "relations", "coref": "clusters"},
        emd=[("PER", 0, 1), ("ORG", 2, 3), ("PER", 3, 4)],
        relation=[("ORG-AFF", ("PER", 0, 1), ("ORG", 2, 3)),
                  ("PHYS", ("PER", 3, 4), (None, 4, 5))],
        coref=[[(0, 1), (3, 4)]])
    assert fill_predictions("like_conll", prediction, source) == 0
    handle = io.StringIO()
    write_source("like_conll", source, handle)
    lines = handle.getvalue().splitlines()
    rows = [line.split("\t") for line in lines if "\t" in line]
    assert rows[0] == ["0", "Staff", "(PER*)", "(ARG1_ORG-AFF*)", "(0)"]
    assert rows[2] == ["2", "Acme", "(ORG*)", "(ARG2_ORG-AFF*)", "-"]
    # the second sentence had no frame column; now one for its PHYS relation
    assert rows[3] == ["0", "They", "(PER*)", "(ARG1_PHYS*)", "(0)"]
    assert rows[4] == ["1", "left", "*", "(ARG2_PHYS*)", "-"]


def test_conll2003_tags_as_iob2_and_the_docstart_kept():
    path = FIXTURES / "doc.conll2003"
    assert has_docstart(str(path))
    source = next(iter_conll2003_documents(path))
    prediction = _prediction([s.words for s in source], {"ner": "spans"},
                             ner=[("PER", 0, 2), ("PER", 3, 4)])
    fill_predictions("conll2003", prediction, source)
    handle = io.StringIO()
    write_source("conll2003", source, handle, docstart=True)
    lines = handle.getvalue().splitlines()
    assert lines[0] == "-DOCSTART- -X- -X- O"
    assert [line.split()[-1] for line in lines[2:] if line] == ["B-PER", "I-PER", "O",
                                                                 "B-PER", "O"]


def test_a_model_without_the_heads_keeps_the_input_columns():
    source = next(read_ace(FIXTURES / "doc.like_conll"))
    before = [list(row) for s in source.sentences for row in s.rows]
    prediction = _prediction([s.words for s in source.sentences], {"ner": "spans"}, ner=[])
    # the only spans task fills the mention column; relation frames and coreference are kept
    fill_predictions("like_conll", prediction, source)
    after = [row for s in source.sentences for row in s.rows]
    assert [row[2] for row in after] == ["*"] * 5
    assert [row[3:] for row in after] == [row[3:] for row in before]
