"""``hmtl check-data``: the table on a tiny config, and one-line errors with exit status 1."""

import json

import pytest

from hmtl.commands.main import main
from tests.data.test_check import (
    DATA,
    ONTONOTES,
    SENTENCE_REASON,
    check_config,
    ontonotes_config,
    write_long_like_conll,
)


def write_config(tmp_path, validation: str = "dev.txt"):
    path = tmp_path / "config.json"
    config = check_config(validation)
    # Required by load_config; check-data builds neither.
    config["model"] = {"type": "toy_multi_task", "tasks": {"ner": "conll2003_ner_labels"}}
    config["multi_task_trainer"] = {"num_epochs": 1}
    path.write_text(json.dumps(config))
    return path


def test_the_table_and_warnings_are_printed(tmp_path, capsys):
    code = main(["check-data", str(write_config(tmp_path)),
                 "--include-package", "tests.training.toy_components"])
    out = capsys.readouterr().out
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    # train.txt: 2 sentences of 3 and 5 tokens; dev.txt: 1 sentence of 3 tokens.
    # columns: files documents sentences instances tokens longest relations clusters mentions
    assert ["ner", "train", "1", "1", "2", "2", "8", "5", "0", "0", "0"] in rows
    assert ["ner", "validation", "1", "1", "1", "1", "3", "3", "0", "0", "0"] in rows
    assert "validation has labels never seen in train: U-ORG (1)" in out


def test_a_malformed_dev_file_is_one_line_and_exit_1(tmp_path, capsys):
    code = main(["check-data", str(write_config(tmp_path, "bad_dev.txt"))])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: {DATA / 'bad_dev.txt'}, line 4: found 1 column" in err
    assert "Traceback" not in err


def test_a_misspelled_override_is_a_config_error(tmp_path, capsys):
    code = main(["check-data", str(write_config(tmp_path)),
                 "-o", '{"task_ner.data_params.train_dta_path": "x"}'])
    assert code == 1
    assert "train_dta_path" in capsys.readouterr().err


def write_ontonotes_config(tmp_path, **kwargs):
    path = tmp_path / "ontonotes.json"
    config = ontonotes_config(**kwargs)
    config["multi_task_trainer"] = {"num_epochs": 1}
    path.write_text(json.dumps(config))
    return path


def test_the_ontonotes_report_with_what_was_skipped(tmp_path, capsys):
    code = main(["check-data", str(write_ontonotes_config(tmp_path))])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    # see tests/data/test_check.py for the arithmetic of each number
    assert [line.split() for line in lines[:4]] == [
        ["task", "split", "files", "documents", "sentences", "instances", "tokens", "longest",
         "relations", "clusters", "mentions"],
        ["ner", "train", "2", "3", "4", "4", "30", "12", "0", "0", "0"],
        ["ner", "validation", "1", "1", "1", "1", "4", "4", "0", "0", "0"],
        ["coref", "train", "1", "2", "3", "2", "18", "10", "0", "3", "5"],
    ]
    pt = ONTONOTES / "train/data/english/annotations/pt"
    skipped = lines.index("skipped:")
    assert lines[skipped + 1:skipped + 4] == [
        f"  - task ner: train: 2 files under {pt} skipped: the pt genre (the Bible) has no "
        "named-entity annotation (exclude_genres)",
        "  - task ner: train: 2 non-English files skipped (arabic: 1, chinese: 1; languages)",
        "warnings:",
    ]
    assert lines[skipped + 4:] == [
        "  - task ner: validation has labels never seen in train: U-ORG (1)",
        "  - task coref: train: 1 of 5 gold mentions wider than max_span_width=3 (widest: 5 "
        "tokens): no candidate span covers them, so the model can never predict them",
    ]


@pytest.mark.parametrize("strict, code", [([], 0), (["--strict"], 1)])
def test_strict_makes_warnings_errors(tmp_path, capsys, strict, code):
    assert main(["check-data", str(write_ontonotes_config(tmp_path)), *strict]) == code
    captured = capsys.readouterr()
    assert "warnings:" in captured.out  # the report is printed either way
    assert ("error: 2 warning(s), and --strict makes them errors" in captured.err) == bool(strict)


def test_a_setting_that_would_fail_in_training_is_exit_1(tmp_path, capsys):
    assert main(["check-data", str(write_ontonotes_config(tmp_path, coref_width=2))]) == 1
    captured = capsys.readouterr()
    assert "  - task coref: the reader's max_span_width=3 is more than the coreference head's " \
        "max_span_width=2" in captured.out
    assert "error: 1 error(s) in the data or config, listed above" in captured.err


def test_a_missing_data_path_is_one_line_and_exit_1(tmp_path, capsys):
    config = write_ontonotes_config(tmp_path)
    code = main(["check-data", str(config),
                 "-o", json.dumps({"task_ner.data_params.validation_data_path": "no/such/dir"})])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: no/such/dir") and "no such file or directory" in err
    assert "Traceback" not in err


def test_a_reader_whose_transformer_directory_is_missing_is_one_line(tmp_path, capsys):
    missing = tmp_path / "no_model"
    indexers = {"tokens": {"type": "pretrained_transformer_mismatched",
                           "model_name": str(missing)}}
    config = write_ontonotes_config(tmp_path, ner_reader={"token_indexers": indexers})
    assert main(["check-data", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: task_ner.data_params.dataset_reader: cannot load a file it names")
    assert str(missing) in err
    assert "Traceback" not in err


def test_a_100000_token_sentence_is_a_warning_and_an_error_with_strict(tmp_path, capsys):
    path, line = write_long_like_conll(tmp_path / "long.like_conll")
    config = ontonotes_config()
    config["task_ner"]["data_params"] = {"dataset_reader": {"type": "mention_ace"},
                                         "train_data_path": str(path)}
    del config["task_coref"]
    config["multi_task_trainer"] = {"num_epochs": 1}
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    warning = (f"  - task ner: train: 1 sentence longer than 1000 tokens "
               f"(data_limits.max_sentence_tokens; first at {path}, line {line}: 100000 tokens; "
               f"longest: 100000): {SENTENCE_REASON}")
    assert main(["check-data", str(config_path)]) == 0
    assert warning in capsys.readouterr().out.splitlines()
    assert main(["check-data", str(config_path), "--strict"]) == 1
    captured = capsys.readouterr()
    assert warning in captured.out.splitlines()
    assert "error: 1 warning(s), and --strict makes them errors" in captured.err
    # the limit is the config's: raised above the sentence, nothing is left to warn about
    raised = json.dumps({"data_limits": {"max_sentence_tokens": 100_000}})
    assert main(["check-data", str(config_path), "--strict", "-o", raised]) == 0
    assert "warnings: none" in capsys.readouterr().out
