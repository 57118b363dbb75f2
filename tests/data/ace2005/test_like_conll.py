"""The rows of a like_conll document: index, word, mention, frames..., coreference."""

from hmtl.data.ace2005.document import ConvertedSentence
from hmtl.data.ace2005.like_conll import document_lines


def test_rows_columns_and_document_delimiters():
    with_frame = ConvertedSentence(
        ("Acme", "hired", "Ann"),
        ("(ORG*)", "*", "(PER*)"),
        (("(ARG2_ORG-AFF*)", "*", "(ARG1_ORG-AFF*)"),),
        ("(1)", "-", "(0)"),
    )
    without_frame = ConvertedSentence(("She", "left"), ("(PER*)", "*"), (), ("(0)", "-"))
    assert list(document_lines("DOC_1", [with_frame, without_frame])) == [
        "#begin document (DOC_1); part 000",
        "0\tAcme\t(ORG*)\t(ARG2_ORG-AFF*)\t(1)",
        "1\thired\t*\t*\t-",
        "2\tAnn\t(PER*)\t(ARG1_ORG-AFF*)\t(0)",
        "",
        "0\tShe\t(PER*)\t(0)",
        "1\tleft\t*\t-",
        "",
        "#end document",
    ]


def test_a_document_without_text_is_only_its_delimiters():
    assert list(document_lines("EMPTY", [])) == [
        "#begin document (EMPTY); part 000", "#end document",
    ]
