"""``hmtl check-data``: the table on a tiny config, and one-line errors with exit status 1."""

import json

from hmtl.commands.main import main
from tests.training.test_data_check import DATA, check_config


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
    assert ["ner", "train", "1", "2", "8", "5", "0", "0", "0"] in rows
    assert ["ner", "validation", "1", "1", "3", "3", "0", "0", "0"] in rows
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
