"""``hmtl archive``: the weights chosen, and one-line errors."""

import tarfile

import pytest

from hmtl.commands.main import main
from tests.predicting.runs import tiny_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def _weights(path):
    with tarfile.open(path) as archive:
        return [name for name in archive.getnames() if name.endswith(".th")]


def test_default_best_and_task_weights(run, tmp_path, capsys):
    assert main(["archive", str(run), "-o", str(tmp_path / "a.tar.gz")]) == 0
    assert "best.th" in capsys.readouterr().out
    assert _weights(tmp_path / "a.tar.gz") == ["best.th"]
    assert main(["archive", str(run), "--best", "-o", str(tmp_path / "b.tar.gz")]) == 0
    assert _weights(tmp_path / "b.tar.gz") == ["best.th"]
    assert main(["archive", str(run), "-t", "coref", "-o", str(tmp_path / "c.tar.gz")]) == 0
    assert _weights(tmp_path / "c.tar.gz") == ["best_coref.th"]


def test_errors_are_one_line(run, tmp_path, capsys):
    assert main(["archive", str(run), "-t", "pos", "-o", str(tmp_path / "x.tar.gz")]) == 1
    err = capsys.readouterr().err
    assert "no best_pos.th" in err and "Traceback" not in err
    assert not (tmp_path / "x.tar.gz").exists()
    assert main(["archive", str(tmp_path), "-o", str(tmp_path / "x.tar.gz")]) == 1
    assert "config.json is missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["archive", str(run), "-t", "ner", "--best", "-o", "x.tar.gz"])
