"""Reading key/response files the way the CoNLL reference scorer reads them."""

import logging

import pytest

from hmtl.data.formats.errors import FormatError
from hmtl.metrics.scorer_input import read_scorer_documents


def write(tmp_path, text: str, name: str = "file.conll"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_tokens_are_numbered_across_sentences_and_marks_joined_by_pipes(tmp_path):
    path = write(
        tmp_path,
        "#begin document (bc/cnn/00/cnn_0001); part 000\n"
        "bc/cnn/00/cnn_0001 0 0 John NNP * (0)\n"
        "bc/cnn/00/cnn_0001 0 1 saw VBD * -\n"
        "bc/cnn/00/cnn_0001 0 2 his PRP$ * (0)|(1\n"
        "bc/cnn/00/cnn_0001 0 3 dog NN * 1)\n"
        "\n"
        "bc/cnn/00/cnn_0001 0 0 It PRP * (1)\n"
        "#end document\n",
    )
    # Token 4 is "It": the blank line does not count and numbering does not restart.
    assert read_scorer_documents(path) == {
        "(bc/cnn/00/cnn_0001); part 000": [[(0, 0), (2, 2)], [(2, 3), (4, 4)]]
    }


def test_document_name_is_the_rest_of_the_line_and_parts_are_documents(tmp_path):
    path = write(
        tmp_path,
        "# begin document (d); part 000\nw (1)\n#end document\n"
        "#begin document (d); part 001 \nw (1)\n#end document\n",
    )
    # "# begin" with a blank is accepted; the trailing blank belongs to the second name.
    assert set(read_scorer_documents(path)) == {"(d); part 000", "(d); part 001 "}


def test_marks_run_together_as_in_the_reference_test_files(tmp_path):
    # Tab-separated like TC-O.key: "(1(2" opens two mentions, "1)2)" closes both.
    path = write(
        tmp_path,
        "#begin document (LuoTestCase); \n"
        "test1\t0\t0\ta1\t(1(2\n"
        "test1\t0\t1\ta2\t-\n"
        "test1\t0\t2\ta3\t1)2)\n"
        "test1\t0\t3\t.\t_\t\n"
        "#end document\n",
    )
    assert read_scorer_documents(path) == {"(LuoTestCase); ": [[(0, 2)], [(0, 2)]]}


def test_nested_mentions_of_one_cluster_close_innermost_first(tmp_path):
    path = write(
        tmp_path,
        "#begin document (n);\nw (1\nw (1\nw 1)\nw 1)\n#end document\n",
    )
    assert read_scorer_documents(path) == {"(n);": [[(1, 2), (0, 3)]]}


def test_one_token_mentions_come_before_openings_on_a_token(tmp_path):
    # Cell "(2|(1)": the reference scorer takes "(1)" first, so cluster 1 is the first
    # cluster, although "(2" is written first. Double antecedents "(3+4)" are ignored.
    path = write(
        tmp_path,
        "#begin document (o);\nw (2|(1)\nw 2)|(3+4)\n#end document\n",
    )
    assert read_scorer_documents(path) == {"(o);": [[(0, 0)], [(0, 1)]]}


def test_lines_outside_documents_are_ignored_with_a_warning(tmp_path, caplog):
    path = write(
        tmp_path,
        "stray line (7)\n#begin document (a);\nw (1)\n#end document\nafter (8)\n",
    )
    with caplog.at_level(logging.WARNING):
        assert read_scorer_documents(path) == {"(a);": [[(0, 0)]]}
    assert "2 non-blank line(s)" in caplog.text and "line 1" in caplog.text


def test_document_may_end_at_end_of_file_and_crlf_is_accepted(tmp_path):
    path = write(tmp_path, "#begin document (a);\r\nw (1\r\nw 1)\r\n")
    assert read_scorer_documents(path) == {"(a);": [[(0, 1)]]}


def test_comment_lines_inside_a_document_are_not_tokens(tmp_path):
    path = write(tmp_path, "#begin document (a);\n# a comment\nw (1)\n#end document\n")
    assert read_scorer_documents(path) == {"(a);": [[(0, 0)]]}


def test_repeated_document_keeps_its_last_occurrence(tmp_path, caplog):
    path = write(
        tmp_path,
        "#begin document (a);\nw (1)\n#end document\n"
        "#begin document (a);\nw -\nw (2)\n#end document\n",
    )
    with caplog.at_level(logging.WARNING):
        assert read_scorer_documents(path) == {"(a);": [[(1, 1)]]}
    assert "more than once" in caplog.text


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("w (1)\nw (x)\n", 3, "malformed coreference mark"),
        ("w 1)\n", 2, "never opened"),
        ("w (1\nw -\n", 2, "never closed"),
        ("w (1\n#begin document (b);\n", 3, "'#begin document' inside document"),
    ],
)
def test_bad_input_names_file_and_line(tmp_path, body, line, message):
    path = write(tmp_path, "#begin document (a);\n" + body + "#end document\n")
    with pytest.raises(FormatError) as error:
        read_scorer_documents(path)
    assert error.value.path == str(path)
    assert error.value.line == line
    assert message in str(error.value)


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_scorer_documents(tmp_path / "absent.conll")
