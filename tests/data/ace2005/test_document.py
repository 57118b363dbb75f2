"""The conversion policies of one document, each checked on a small hand-made text.

Offsets are counted by hand in the comments; `<TEXT>` is a tag, so the text starts at offset 0.
"""

import pytest

from hmtl.data.ace2005 import document as policies
from hmtl.data.ace2005.apf import (
    ApfDocument,
    CharSpan,
    Entity,
    EntityMention,
    Relation,
    RelationMention,
)
from hmtl.data.ace2005.document import convert_document
from hmtl.data.ace2005.report import ConversionReport
from hmtl.data.ace2005.sgm import parse_sgm
from hmtl.data.ace2005.tokens import english_pipeline


@pytest.fixture(scope="module")
def nlp():
    return english_pipeline()


def _entity(entity_id, entity_type, *heads):
    """heads: (mention id, start, end, text); the extent is the head."""
    mentions = tuple(
        EntityMention(m_id, "NAM", CharSpan(s, e, t, 1), CharSpan(s, e, t, 1), 1)
        for m_id, s, e, t in heads
    )
    return Entity(entity_id, entity_type, None, None, mentions, 1)


def _relation(relation_id, relation_type, *arguments):
    mentions = tuple(
        RelationMention(f"{relation_id}-{n}", a1, a2, 1) for n, (a1, a2) in enumerate(arguments)
    )
    return Relation(relation_id, relation_type, None, mentions, 1)


def _convert(nlp, sgm_text, entities, relations=(), split_tokens=True):
    report = ConversionReport(max_cases=10)
    sgm = parse_sgm(sgm_text)
    apf = ApfDocument("doc.apf.xml", "D", tuple(entities), tuple(relations))
    return convert_document("D", sgm, apf, nlp, report, split_tokens), report


def _cases(report, kind):
    problem = report.problems.get(kind)
    return [] if problem is None else problem.cases


def test_heads_on_no_token_or_across_a_tag_are_reported_not_written(nlp):
    # raw: "Monday" 0..5 (DATETIME), "Ann" 6..8 (SPEAKER), " " 9, "Lee" 10..12, "  " 13..14,
    # "left" 15..18
    sentences, report = _convert(
        nlp,
        "<DATETIME>Monday</DATETIME><TEXT><SPEAKER>Ann</SPEAKER> Lee  left</TEXT>",
        [
            _entity("e0", "PER", ("m-date", 0, 5, "Monday")),
            _entity("e1", "PER", ("m-name", 6, 12, "Ann Lee")),
            _entity("e2", "PER", ("m-space", 13, 14, "  ")),
            _entity("e3", "PER", ("m-ann", 6, 8, "Ann")),
        ],
    )
    assert [s.words for s in sentences] == [("Ann",), ("Lee", "left")]
    assert [s.mentions for s in sentences] == [("(PER*)",), ("*", "*")]
    no_token = policies.NO_TOKEN.format(elements="HEADLINE, TEXT")
    assert _cases(report, no_token) == [
        "D: m-date 'Monday' at 0..5", "D: m-space '  ' at 13..14",
    ]
    assert _cases(report, policies.ACROSS_TAG) == ["D: m-name 'Ann Lee' at 6..12"]


def test_tokens_are_cut_at_trusted_head_boundaries(nlp):
    # "The" 0..2, "U.S.-based" 4..13, "firm" 15..18; head "U.S." 4..7
    sentences, report = _convert(
        nlp, "<TEXT>The U.S.-based firm</TEXT>", [_entity("e0", "GPE", ("m", 4, 7, "U.S."))]
    )
    assert sentences[0].words == ("The", "U.S.", "-based", "firm")
    assert sentences[0].mentions == ("*", "(GPE*)", "*", "*")
    assert _cases(report, policies.TOKEN_SPLIT) == ["D: 'U.S.-based' -> U.S. -based"]
    assert policies.PARTIAL not in report.problems


def test_without_cutting_a_partial_head_is_extended_to_the_whole_token(nlp):
    sentences, report = _convert(
        nlp, "<TEXT>The U.S.-based firm</TEXT>", [_entity("e0", "GPE", ("m", 4, 7, "U.S."))],
        split_tokens=False,
    )
    assert sentences[0].words == ("The", "U.S.-based", "firm")
    assert sentences[0].mentions == ("*", "(GPE*)", "*")
    assert _cases(report, policies.PARTIAL) == ["D: m 'U.S.' at 4..7 -> U.S.-based"]


def test_offsets_whose_text_does_not_match_are_reported_and_do_not_cut(nlp):
    sentences, report = _convert(
        nlp, "<TEXT>The U.S.-based firm</TEXT>", [_entity("e0", "GPE", ("m", 4, 7, "U.K."))]
    )
    assert sentences[0].words == ("The", "U.S.-based", "firm")
    assert _cases(report, policies.TEXT_MISMATCH) == ["D: m apf 'U.K.', sgm 'U.S.' at 4..7"]
    assert report.problems[policies.PARTIAL].count == 1


def test_a_head_across_a_sentence_boundary_merges_the_sentences(nlp):
    # "Yahoo" 0..4, "!" 5, "Inc" 7..9, "rose" 11..14, "." 15, "Oil" 17..19, "fell" 21..24
    text = "<TEXT>Yahoo! Inc rose. Oil fell</TEXT>"
    alone, _ = _convert(nlp, text, [])
    assert [s.words for s in alone] == [("Yahoo", "!"), ("Inc", "rose", "."), ("Oil", "fell")]
    merged, report = _convert(nlp, text, [_entity("e0", "ORG", ("m", 0, 9, "Yahoo! Inc"))])
    assert [s.words for s in merged] == [("Yahoo", "!", "Inc", "rose", "."), ("Oil", "fell")]
    assert merged[0].mentions == ("(ORG*", "*", "*)", "*", "*")
    assert _cases(report, policies.MERGED) == ["D: m 'Yahoo! Inc' (ORG)"]


def test_mention_column_keeps_the_longest_head_and_coref_keeps_all(nlp):
    # "New" 0..2, "York" 4..7, "City" 9..12, "council" 14..20
    sentences, report = _convert(
        nlp,
        "<TEXT>New York City council</TEXT>",
        [
            _entity("e0", "GPE", ("m0", 0, 7, "New York")),
            _entity("e1", "GPE", ("m1", 0, 12, "New York City")),
            _entity("e2", "LOC", ("m2", 4, 12, "York City")),
        ],
    )
    sentence = sentences[0]
    assert sentence.mentions == ("(GPE*", "*", "*)", "*")
    # e0 = 0 on tokens 0-1, e1 = 1 on 0-2, e2 = 2 on 1-2: closings, then singles, then openings.
    assert sentence.coref == ("(0|(1", "0)|(2", "1)|2)", "-")
    assert _cases(report, policies.MENTION_OVERLAP) == [
        "D: m0 'New York' (GPE) overlaps m1 'New York City' (GPE)",
        "D: m2 'York City' (LOC) overlaps m1 'New York City' (GPE)",
    ]


def test_mention_column_ties_go_to_the_leftmost_then_the_first_in_the_apf(nlp):
    # "New" 0..2, "York" 4..7, "City" 9..12
    sentences, report = _convert(
        nlp,
        "<TEXT>New York City</TEXT>",
        [
            _entity("e0", "LOC", ("m0", 4, 12, "York City")),
            _entity("e1", "GPE", ("m1", 0, 7, "New York")),
            _entity("e2", "ORG", ("m2", 0, 7, "New York")),
        ],
    )
    assert sentences[0].mentions == ("(GPE*", "*)", "*")
    assert sentences[0].coref == ("(1|(2", "1)|2)|(0", "0)")
    assert report.problems[policies.MENTION_OVERLAP].count == 2


def test_coref_writes_a_repeated_head_once_and_leaves_out_crossing_heads(nlp):
    # "New" 0..2, "York" 4..7, "City" 9..12
    sentences, report = _convert(
        nlp,
        "<TEXT>New York City</TEXT>",
        [
            _entity(
                "e0", "GPE",
                ("m0", 0, 7, "New York"), ("m1", 0, 7, "New York"), ("m2", 4, 12, "York City"),
            )
        ],
    )
    assert sentences[0].coref == ("(0", "0)", "-")
    assert _cases(report, policies.COREF_REPEAT) == ["D: m1 'New York' (GPE)"]
    assert _cases(report, policies.COREF_CROSSING) == ["D: m2 'York City' (GPE)"]
    assert report.totals["coreference mentions"] == 1


def test_relation_frames_and_every_reason_a_relation_is_not_written(nlp):
    # "Ann" 0..2, "met" 4..6, "Bob" 8..10, "in" 12..13, "Oslo" 15..18, "." 19, " " 20,
    # "Cal" 21..23, "left" 25..28
    entities = [
        _entity("e0", "PER", ("ann", 0, 2, "Ann")),
        _entity("e1", "PER", ("bob", 8, 10, "Bob")),
        _entity("e2", "GPE", ("oslo", 15, 18, "Oslo")),
        _entity("e3", "PER", ("cal", 21, 23, "Cal")),
        _entity("e4", "FAC", ("gap", 20, 20, " ")),
        _entity("e5", "GPE", ("oslo2", 15, 18, "Oslo")),
    ]
    relations = [
        _relation("r1", "PER-SOC", ("ann", "bob"), ("ann", "bob")),
        _relation("r2", "PHYS", ("cal", "oslo"), ("bob", "oslo")),
        _relation("r3", "PHYS", ("ann", "nowhere")),
        _relation("r4", "PART-WHOLE", ("oslo", "gap")),
        _relation("r5", "PART-WHOLE", ("oslo", "oslo2")),
        _relation("r6", "METONYMY", ("oslo", "ann")),
    ]
    sentences, report = _convert(
        nlp, "<TEXT>Ann met Bob in Oslo. Cal left</TEXT>", entities, relations
    )
    assert sentences[0].relations == (
        ("(ARG1_PER-SOC*)", "*", "(ARG2_PER-SOC*)", "*", "*", "*"),
        ("*", "*", "(ARG1_PHYS*)", "*", "(ARG2_PHYS*)", "*"),
    )
    assert sentences[1].relations == ()
    assert _cases(report, policies.RELATION_REPEAT) == ["D: r1-1 PER-SOC(ann, bob)"]
    assert _cases(report, policies.RELATION_SENTENCES) == ["D: r2-0 PHYS(cal, oslo)"]
    assert _cases(report, policies.RELATION_REF) == ["D: r3-0 PHYS(ann, nowhere)"]
    assert _cases(report, policies.RELATION_UNMAPPED) == ["D: r4-0 PART-WHOLE(oslo, gap)"]
    assert _cases(report, policies.RELATION_OVERLAP) == ["D: r5-0 PART-WHOLE(oslo, oslo2)"]
    assert _cases(report, policies.RELATION_TYPE) == ["D: r6-0 METONYMY(oslo, ann)"]
    # 2 + 2 + 1 + 1 + 1 + 1 relation mentions, of which r1-0 and r2-1 are written.
    assert (report.totals["relation mentions"], report.totals["relation frames"]) == (8, 2)
