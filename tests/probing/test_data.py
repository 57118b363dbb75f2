"""Reading SentEval probing files: splits, class numbering, and an error for every bad line."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.data.formats.errors import FormatError
from hmtl.probing.data import (
    PROBING_FILES,
    PROBING_TASKS,
    probing_dir,
    probing_file,
    read_probing_file,
)


def write(tmp_path, text, name="sentence_length.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_the_ten_tasks_and_their_files_in_senteval_order():
    assert PROBING_TASKS == (
        "Length", "WordContent", "Depth", "TopConstituents", "BigramShift", "Tense",
        "SubjNumber", "ObjNumber", "OddManOut", "CoordinationInversion",
    )
    assert PROBING_FILES["Tense"] == "past_present.txt"
    assert PROBING_FILES["Depth"] == "tree_depth.txt"
    assert PROBING_FILES["CoordinationInversion"] == "coordination_inversion.txt"


def test_reads_the_three_splits_numbers_classes_in_sorted_order(tmp_path):
    path = write(tmp_path, (
        "tr\tPRES\tShe walks home .\n"
        "tr\tPAST\tHe walked .\n"
        "\n"
        "tr\tPRES\textra\tThey run .\n"  # a middle field is ignored: the sentence is the last
        "va\tPAST\tIt rained .\n"
        "te\tPRES\tIt rains .\n"
        "te\tPAST\tWe sang loudly .\n"
    ))
    data = read_probing_file(path, "Tense")
    assert data.task == "Tense"
    assert [len(data.splits[s]) for s in ("train", "dev", "test")] == [3, 1, 2]
    assert data.sentences("train")[2] == ["They", "run", "."]
    assert data.splits["train"][2].line == 4  # the blank line 3 still counts
    # sorted training labels: PAST -> 0, PRES -> 1
    assert data.classes == ["PAST", "PRES"]
    assert data.label_ids("train").tolist() == [1, 0, 1]
    assert data.label_ids("test").tolist() == [1, 0]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("tr\tA\tx y\ntr\tB x y\n", 2, "tab-separated"),
        ("tr\tA\tx\nxx\tB\ty\n", 2, "tr, va or te"),
        ("tr\t\tx\n", 1, "label"),
        ("tr\tA\tx\ntr\tB\t   \n", 2, "sentence"),
        ("tr\tA\tx\ntr\tB\ty\nva\tA\tz\nte\tC\tw\n", 4, "label 'C'"),
    ],
)
def test_a_malformed_line_names_the_file_and_the_line(tmp_path, text, line, expected):
    path = write(tmp_path, text)
    with pytest.raises(FormatError, match=expected) as caught:
        read_probing_file(path)
    assert caught.value.line == line
    assert str(path) in str(caught.value)


def test_invalid_utf8_names_the_line(tmp_path):
    path = write(tmp_path, b"tr\tA\tx\ntr\tB\t\xff\xfe\n")
    with pytest.raises(FormatError, match="UTF-8") as caught:
        read_probing_file(path)
    assert caught.value.line == 2


def test_a_missing_split_and_a_single_class_are_errors(tmp_path):
    with pytest.raises(FormatError, match="no test examples"):
        read_probing_file(write(tmp_path, "tr\tA\tx\ntr\tB\ty\nva\tA\tz\n"))
    with pytest.raises(FormatError, match="single label 'A'"):
        read_probing_file(write(tmp_path, "tr\tA\tx\nva\tA\tz\nte\tA\tw\n"))


def test_probing_dir_accepts_the_senteval_data_folder_or_the_probing_folder(tmp_path):
    (tmp_path / "data" / "probing").mkdir(parents=True)
    assert probing_dir(tmp_path / "data") == tmp_path / "data" / "probing"
    write(tmp_path / "data" / "probing", "tr\tA\tx\n", "tree_depth.txt")
    assert probing_dir(tmp_path / "data" / "probing") == tmp_path / "data" / "probing"


def test_missing_data_folder_or_probing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        probing_dir(tmp_path / "nowhere")
    with pytest.raises(ConfigurationError, match="has no probing/ folder"):
        probing_dir(tmp_path)


def test_missing_probing_file_says_what_the_folder_has(tmp_path):
    write(tmp_path, "tr\tA\tx\n", "tree_depth.txt")
    assert probing_file(tmp_path, "Depth") == tmp_path / "tree_depth.txt"
    with pytest.raises(ConfigurationError, match="Tense.*past_present.txt.*has: tree_depth.txt"):
        probing_file(tmp_path, "Tense")
    with pytest.raises(ConfigurationError, match="Unknown probing task 'Voice'"):
        probing_file(tmp_path, "Voice")
