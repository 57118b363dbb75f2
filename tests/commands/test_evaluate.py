"""``hmtl evaluate`` / ``evaluate.py``: the test matrix again, other files, one-line errors."""

import json
import runpy
import sys
from pathlib import Path

import pytest

from hmtl.commands.evaluate import parse_test_data
from hmtl.commands.main import main
from tests.training.conftest import toy_config_dict

ROOT = Path(__file__).resolve().parents[2]
TOY = "tests.training.toy_components"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("evaluate")
    config = directory / "toy.json"
    config.write_text(json.dumps(toy_config_dict()))
    assert main(["train", "-c", str(config), "-s", str(directory / "run"),
                 "--include-package", TOY, "-o", '{"multi_task_trainer.num_epochs": 1}']) == 0
    return directory / "run"


def test_evaluate_recomputes_the_test_matrix(run, capsys):
    assert main(["evaluate", "-s", str(run), "--include-package", TOY, "--cuda-device", "-1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    trained = json.loads((run / "metrics.json").read_text())
    saved = json.loads((run / "evaluate_metrics.json").read_text())
    assert printed == saved
    for row in ("pos", "ent"):
        for column in ("pos", "ent"):
            assert saved[row]["test"][column] == pytest.approx(trained[row]["test"][column])


def test_evaluate_on_another_file(run, tmp_path, capsys):
    other = tmp_path / "two.txt"
    other.write_text("the/DET cat/NOUN\nthe/DET dog/NOUN\n")
    assert main(["evaluate", "-s", str(run), "--include-package", TOY,
                 "--test-data", f"pos={other}"]) == 0
    result = json.loads(capsys.readouterr().out)
    # 2 sentences x 2 tokens: the accuracy is a multiple of 1/4
    accuracy = result["pos"]["test"]["pos"]["accuracy"]
    assert accuracy * 4 == pytest.approx(round(accuracy * 4))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--test-data", "pos"], "expected TASK=PATH"),
        (["--test-data", "coref=x.txt"], "no task named 'coref'"),
        (["-g"], "no coreference head"),
    ],
)
def test_bad_requests_are_one_line_errors(run, capsys, arguments, message):
    assert main(["evaluate", "-s", str(run), "--include-package", TOY, *arguments]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_directory_without_a_run_is_a_one_line_error(tmp_path, capsys):
    assert main(["evaluate", "-s", str(tmp_path)]) == 1
    assert "config.json: missing" in capsys.readouterr().err


def test_test_data_items_are_parsed():
    assert parse_test_data(["ner=a.txt", "coref=/x/b=c"]) == {"ner": "a.txt", "coref": "/x/b=c"}


def test_the_top_level_script_has_the_original_flags(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["evaluate.py", "--help"])
    with pytest.raises(SystemExit):
        runpy.run_path(str(ROOT / "evaluate.py"), run_name="__main__")
    out = capsys.readouterr().out
    for flag in ("--serialization_dir", "-g", "--gold_mentions", "--test-data",
                 "--predictions-dir", "--cuda-device"):
        assert flag in out
