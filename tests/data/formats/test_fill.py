"""Predicted columns written into parsed documents: everything else stays as read, and the
official scores of the result against the untouched key are the hand-computed ones."""

import io
from fractions import Fraction

import pytest

from hmtl.commands.score_coref import score_files
from hmtl.data.formats.ace_like_conll import RelationFrame, read_ace, write_ace
from hmtl.data.formats.brackets import LabeledSpan
from hmtl.data.formats.conll2003 import iter_conll2003_documents
from hmtl.data.formats.conll2012 import read_conll2012, write_conll2012
from hmtl.data.formats.coref_spans import CorefMention
from hmtl.data.formats.fill import (
    SentenceIndex,
    fill_conll2003,
    fill_conll2012,
    fill_like_conll,
    relation_columns,
)
from tests.experiment.official import coref_scores

# Two parts of one named document; "John Smith , our new boss" (6 tokens) is wider than the
# usual max_span_width of a small model; "Mary" in part 001 is a singleton.
KEY = """\
#begin document (nw/wsj/00/wsj_0001); part 000
nw/wsj/00/wsj_0001  0  0  John   NNP  (TOP(S(NP*  -    -   -  Speaker#1  (PERSON*    (ARG0*  (1
nw/wsj/00/wsj_0001  0  1  Smith  NNP  *           -    -   -  Speaker#1  *)          *       -
nw/wsj/00/wsj_0001  0  2  ,      ,    *           -    -   -  Speaker#1  *           *       -
nw/wsj/00/wsj_0001  0  3  our    PRP  *           -    -   -  Speaker#1  *           *       -
nw/wsj/00/wsj_0001  0  4  new    JJ   *           -    -   -  Speaker#1  *           *       -
nw/wsj/00/wsj_0001  0  5  boss   NN   *           -    -   -  Speaker#1  *           *)      1)
nw/wsj/00/wsj_0001  0  6  ,      ,    *           -    -   -  Speaker#1  *           *       -
nw/wsj/00/wsj_0001  0  7  saw    VBD  *           see  01  -  Speaker#1  *           (V*)    -
nw/wsj/00/wsj_0001  0  8  Mary   NNP  *           -    -   -  Speaker#1  (PERSON)    (ARG1*) (2)
nw/wsj/00/wsj_0001  0  9  .      .    *))         -    -   -  Speaker#1  *           *       -

nw/wsj/00/wsj_0001  0  0  He      PRP  (TOP(S*  -  -  -  Speaker#1  *  (1)
nw/wsj/00/wsj_0001  0  1  smiled  VBD  *        -  -  -  Speaker#1  *  -
nw/wsj/00/wsj_0001  0  2  .       .    *))      -  -  -  Speaker#1  *  -

#end document
#begin document (nw/wsj/00/wsj_0001); part 001
nw/wsj/00/wsj_0001  1  0  Mary  NNP  (TOP(S*  -  -  -  Speaker#2  (PERSON)  (3)
nw/wsj/00/wsj_0001  1  1  left  VBD  *        -  -  -  Speaker#2  *         -
nw/wsj/00/wsj_0001  1  2  .     .    *))      -  -  -  Speaker#2  *         -

#end document
"""


def _written(documents) -> str:
    handle = io.StringIO()
    write_conll2012(documents, handle)
    return handle.getvalue()


def test_only_the_given_columns_change(tmp_path):
    (tmp_path / "key.gold_conll").write_text(KEY)
    documents = list(read_conll2012(tmp_path / "key.gold_conll"))
    originals = [[[list(row) for row in s.rows] for s in d.sentences] for d in documents]
    assert fill_conll2012(documents[0], clusters=[[(0, 5), (8, 8), (10, 10)]]) == 0
    assert fill_conll2012(documents[1], named_entities=[LabeledSpan("GPE", 0, 1)]) == 0
    text = _written(documents)
    assert text.splitlines()[0] == "#begin document (nw/wsj/00/wsj_0001); part 000"
    assert "#begin document (nw/wsj/00/wsj_0001); part 001" in text.splitlines()
    first = documents[0].sentences[0].rows
    assert [row[-1] for row in first] == ["(0", "-", "-", "-", "-", "0)", "-", "-", "(0)", "-"]
    assert [row[:-1] for row in first] == [row[:-1] for row in originals[0][0]]
    part = documents[1].sentences[0].rows
    assert [row[10] for row in part] == ["(GPE*", "*)", "*"]
    assert [row[:10] + row[11:] for row in part] == [row[:10] + row[11:]
                                                     for row in originals[1][0]]


def test_the_official_scores_of_the_filled_response_are_the_hand_computed_ones(tmp_path):
    key = tmp_path / "key.gold_conll"
    key.write_text(KEY)
    documents = list(read_conll2012(key))
    # part 000: John Smith..., Mary and He in one predicted cluster; part 001: nothing found
    fill_conll2012(documents[0], clusters=[[(0, 5), (8, 8), (10, 10)]])
    fill_conll2012(documents[1], clusters=[])
    response = tmp_path / "response.gold_conll"
    response.write_text(_written(documents))
    # key: part 000 {JohnSmith.., He} {Mary}; part 001 {Mary}; response: {JohnSmith.., Mary, He}
    # MUC: recall (2-1 + 1-1) / (1 + 0) = 1; precision (3-2) / 2 = 1/2
    # B3: recall (1 + 1 + 1 + 0) / 4 = 3/4; precision (2/3 + 2/3 + 1/3) / 3 = 5/9
    # CEAF-e: best phi4 2*2/(2+3) = 4/5; recall 4/5 / 3 key clusters, precision 4/5 / 1
    expected = {"muc": (Fraction(1), Fraction(1, 2)), "bcub": (Fraction(3, 4), Fraction(5, 9)),
                "ceafe": (Fraction(4, 15), Fraction(4, 5))}
    totals, _mentions = score_files(str(key), str(response))
    independent = coref_scores(key, response)
    for name, (recall, precision) in expected.items():
        f1 = 2 * recall * precision / (recall + precision)
        assert (totals[name].recall, totals[name].precision, totals[name].f1) == pytest.approx(
            (float(recall), float(precision), float(f1)))
        short = "b3" if name == "bcub" else name
        assert (independent[f"{short}_recall"], independent[f"{short}_precision"]) == \
            pytest.approx((float(recall), float(precision)))


ACE = """\
#begin document (CNNHL_ENG_20030320.0020); part 000
0\tSarah\t(PER*\t(ARG1_PHYS*\t(14
1\tKowalski\t*)\t*)\t14)
2\tarrives\t*\t*\t-
3\tin\t*\t*\t-
4\tNairobi\t(GPE*)\t(ARG2_PHYS*)\t(11)

0\tShe\t(PER*)\t(14)
1\tleft\t*\t-
#end document
"""


def test_like_conll_mentions_relations_and_coreference(tmp_path):
    path = tmp_path / "doc.like_conll"
    path.write_text(ACE)
    [document] = list(read_ace(path))
    dropped = fill_like_conll(
        document,
        mentions=[LabeledSpan("PER", 0, 1), LabeledSpan("ORG", 6, 6)],
        relations=[(1, 4, "PHYS"), (4, 1, "PART-WHOLE"), (1, 5, "PHYS")],  # the last crosses
        clusters=[[(0, 1), (5, 5)]],
    )
    assert dropped == 1
    handle = io.StringIO()
    write_ace([document], handle)
    assert handle.getvalue().splitlines()[0] == (
        "#begin document (CNNHL_ENG_20030320.0020); part 000")
    path.write_text(handle.getvalue())
    [again] = list(read_ace(path))
    first, second = again.sentences
    assert first.words == ["Sarah", "Kowalski", "arrives", "in", "Nairobi"]
    assert [row[0] for row in first.rows] == ["0", "1", "2", "3", "4"]
    assert first.mentions == [LabeledSpan("PER", 0, 1)]
    assert sorted(first.relations) == [RelationFrame("PART-WHOLE", 4, 4, 1, 1),
                                       RelationFrame("PHYS", 1, 1, 4, 4)]
    assert second.mentions == [LabeledSpan("ORG", 1, 1)]
    assert second.relations == []  # no frame column left in a sentence without relations
    assert sorted(first.coref_mentions) == [CorefMention(0, 0, 1)]
    assert second.coref_mentions == [CorefMention(0, 0, 0)]


def test_conll2003_tags_become_iob2(tmp_path):
    path = tmp_path / "test.txt"
    path.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
                    "German JJ B-NP B-MISC\ncall NN I-NP O\n")
    [sentences] = list(iter_conll2003_documents(path))
    assert fill_conll2003(sentences, [LabeledSpan("LOC", 1, 2)]) == 1  # crosses a sentence
    assert fill_conll2003(sentences, [LabeledSpan("LOC", 2, 3)]) == 0
    assert [[row[-1] for row in s.rows] for s in sentences] == [["O", "O"], ["B-LOC", "I-LOC"]]
    assert [[row[:-1] for row in s.rows] for s in sentences][0][0] == ["EU", "NNP", "B-NP"]


def test_spans_crossing_a_sentence_are_counted_not_written():
    index = SentenceIndex([3, 2])
    assert index.locate(1, 2) == (0, 1, 2)
    assert index.locate(3, 4) == (1, 0, 1)
    assert index.locate(2, 3) is None
    assert index.locate(5, 5) is None
    assert index.dropped == 2


def test_relation_frames_mark_the_last_tokens():
    assert relation_columns([(1, 4, "PHYS")], 6) == [
        ["*", "(ARG1_PHYS*)", "*", "*", "(ARG2_PHYS*)", "*"]
    ]
    assert relation_columns([(2, 2, "PHYS")], 3) == []  # a token with itself is skipped
