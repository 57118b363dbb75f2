"""`hmtl score-coref` end to end on small hand-written key/response files."""

import json
from pathlib import Path

import pytest

from hmtl.commands.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "metrics"


def score(capsys, key: str, response: str, *extra: str) -> tuple[int, str, str]:
    status = main(["score-coref", str(FIXTURES / key), str(FIXTURES / response), *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# two_documents.key: part 000 has clusters {John(0,0), his(2,2)} and {his dog(2,3), It(5,5)};
# part 001 has singletons {Mary(0,0)} and {Oslo(2,2)}.
# two_documents.response: part 000 has {John, his} and {It(5,5), barked(6,6)}; part 001 is
# missing (scored as an empty response); document "other" is not in the key (ignored).
#
# MUC: key links (1 + 1) + (0 + 0) = 2; response links 1 + 1 = 2; correct: {John, his} 1,
#   {It, barked} 0 -> recall 1/2, precision 1/2.
# B3: recall over 6 key mentions: John, his 2/2 each, It 1/2 -> 2.5/6;
#   precision over 4 response mentions: John, his 2/2 each, It 1/2, barked 0 -> 2.5/4.
# CEAF-e: {John,his}-{John,his} 1, {his dog,It}-{It,barked} 2*1/4 -> 1.5; 4 key entities
#   (2 per part), 2 response entities -> recall 1.5/4, precision 1.5/2.
EXPECTED = {
    "muc": (1 / 2, 1 / 2),
    "bcub": (2.5 / 6, 2.5 / 4),
    "ceafe": (1.5 / 4, 1.5 / 2),
}


def f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision)


def test_json_scores_several_documents_with_a_missing_and_an_extra_one(capsys, caplog):
    status, out, _ = score(capsys, "two_documents.key", "two_documents.response", "--json")
    assert status == 0
    scores = json.loads(out)
    assert set(scores) == {"muc", "bcub", "ceafe", "conll_f1"}
    for name, (recall, precision) in EXPECTED.items():
        assert scores[name] == pytest.approx(
            {"recall": recall, "precision": precision, "f1": f1(recall, precision)}
        )
    # Every F1 happens to be 0.5 (B3: 2 * 5/12 * 5/8 / (5/12 + 5/8) = 0.5).
    assert scores["conll_f1"] == pytest.approx((0.5 + 0.5 + 0.5) / 3)
    assert "not in the response" in caplog.text and "not in the key" in caplog.text


def test_table_prints_counts_and_truncated_percentages(capsys):
    status, out, _ = score(capsys, "two_documents.key", "two_documents.response")
    assert status == 0
    lines = out.splitlines()
    # Mentions: 3 of the 6 distinct key mentions found (John, his, It), 3 of 4 response ones.
    assert lines[0] == (
        "Identification of Mentions: Recall: (3 / 6) 50%\tPrecision: (3 / 4) 75%\tF1: 60%"
    )
    # 2.5/6 = 41.666...% is truncated to 41.66, as the reference scorer prints it.
    assert "METRIC bcub:" in lines
    assert "Coreference: Recall: (2.5 / 6) 41.66%\tPrecision: (2.5 / 4) 62.5%\tF1: 50%" in lines
    assert "Coreference: Recall: (1 / 2) 50%\tPrecision: (1 / 2) 50%\tF1: 50%" in lines
    assert "Coreference: Recall: (1.5 / 4) 37.5%\tPrecision: (1.5 / 2) 75%\tF1: 50%" in lines
    assert lines[-1] == "CoNLL score (mean F1 of muc, bcub, ceafe): 50%"


@pytest.mark.parametrize(
    "response, expected",
    [
        # TC-A-5 of the reference scorer: B overlaps b, in b's cluster (published values).
        (
            "tc_a_5.response",
            {
                "muc": (1 / 3, 1 / 4, 2 / 7),
                "bcub": ((3 + 1 / 3) / 6, 2.5 / 8, f1(5 / 9, 5 / 16)),
                "ceafe": (0.68889, 0.51667, 0.59048),
            },
        ),
        # TC-A-7: b listed twice in its cluster; the repeat is dropped (published values).
        (
            "tc_a_7.response",
            {
                "muc": (1 / 3, 1 / 3, 1 / 3),
                "bcub": ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, f1(5 / 9, 17 / 42)),
                "ceafe": (0.73333, 0.55, 0.62857),
            },
        ),
    ],
)
def test_reference_test_cases_from_files(capsys, response, expected):
    status, out, _ = score(capsys, "tc_a.key", response, "--json")
    assert status == 0
    scores = json.loads(out)
    for name, (recall, precision, f_score) in expected.items():
        actual = (scores[name]["recall"], scores[name]["precision"], scores[name]["f1"])
        assert actual == pytest.approx((recall, precision, f_score), abs=1e-4)
    mean = sum(value[2] for value in expected.values()) / 3
    assert scores["conll_f1"] == pytest.approx(mean, abs=1e-4)


def test_malformed_cell_exits_2_naming_file_and_line(capsys):
    status, out, err = score(capsys, "two_documents.key", "malformed.response", "--json")
    assert status == 2
    assert out == ""
    assert "malformed.response, line 3" in err and "'(x'" in err


def test_missing_file_exits_2(capsys, tmp_path):
    status = main(["score-coref", str(tmp_path / "absent.key"), str(FIXTURES / "tc_a.key")])
    err = capsys.readouterr().err
    assert status == 2
    assert "absent.key" in err and "cannot read the key file" in err


def test_key_without_documents_exits_2(capsys, tmp_path):
    empty = tmp_path / "empty.key"
    empty.write_text("no documents here\n")
    status = main(["score-coref", str(empty), str(FIXTURES / "tc_a.key")])
    assert status == 2
    assert "the key has no document" in capsys.readouterr().err


def _document(name: str, cells: list[str]) -> str:
    rows = "".join(f"{name} 0 {i} w{i} {cell}\n" for i, cell in enumerate(cells))
    return f"#begin document ({name}); part 000\n{rows}\n#end document\n"


def test_a_response_matching_no_key_document_is_a_one_line_error(capsys, tmp_path):
    key, response = tmp_path / "key", tmp_path / "response"
    key.write_text(_document("nw/wsj_0001", ["(1)", "(1)"]) + _document("nw/wsj_0002", ["-"]))
    response.write_text(_document("coref_0", ["(1)", "(1)"]))
    assert main(["score-coref", str(key), str(response)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "'(coref_0); part 000'" in err and "'(nw/wsj_0001); part 000'" in err
    response.write_text("")
    assert main(["score-coref", str(key), str(response)]) == 2
    assert "the response has no document" in capsys.readouterr().err


def test_key_documents_missing_from_the_response_score_zero_recall_and_are_named(
        capsys, caplog, tmp_path):
    key, response = tmp_path / "key", tmp_path / "response"
    key.write_text(_document("a", ["(1)", "(1)"]) + _document("b", ["(2)", "(2)"]))
    response.write_text(_document("a", ["(1)", "(1)"]))
    assert main(["score-coref", str(key), str(response), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    # document b's link and mentions are not found: MUC recall 1/2, B3 2/4, CEAF-e 1/2
    for name in ("muc", "bcub", "ceafe"):
        assert (scores[name]["recall"], scores[name]["precision"]) == pytest.approx((0.5, 1.0))
    assert "1 of 2 key documents are not in the response" in caplog.text
    assert "'(b); part 000'" in caplog.text


def test_a_document_with_other_tokens_is_a_one_line_error(capsys, tmp_path):
    key, response = tmp_path / "key", tmp_path / "response"
    key.write_text(_document("a", ["(1)", "(1)"]) + _document("b", ["(2)", "-", "(2)"]))
    response.write_text(_document("a", ["(1)", "(1)"]) + _document("b", ["(2)", "(2)"]))
    assert main(["score-coref", str(key), str(response)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{response}, line 6" in err and "'(b); part 000' has 2 tokens, but 3" in err
