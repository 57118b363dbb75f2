"""Which weights file a run's prediction uses, and the errors that list the choices."""

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.weights import choose_weights, task_weight_files


def _run(directory, *names):
    directory.mkdir()
    for name in names:
        (directory / name).write_bytes(b"")
    return directory


def test_default_is_best_th_else_the_only_task(tmp_path):
    run = _run(tmp_path / "a", "best.th", "best_ner.th", "best_coref.th")
    assert choose_weights(run).name == "best.th"
    assert choose_weights(run, "best").name == "best.th"
    assert choose_weights(run, "coref").name == "best_coref.th"
    assert list(task_weight_files(run)) == ["coref", "ner"]
    assert choose_weights(_run(tmp_path / "b", "best_emd.th")).name == "best_emd.th"


def test_ambiguous_or_missing_weights_are_clear_errors(tmp_path):
    run = _run(tmp_path / "a", "best_ner.th", "best_emd.th")
    with pytest.raises(ConfigurationError, match="no best.th and weights for several tasks"):
        choose_weights(run)
    with pytest.raises(ConfigurationError, match=r"no best.th \(--best\)"):
        choose_weights(run, "best")
    with pytest.raises(ConfigurationError, match=r"no best_coref.th; .*task\(s\): emd, ner"):
        choose_weights(run, "coref")
    with pytest.raises(ConfigurationError, match="has no weights"):
        choose_weights(_run(tmp_path / "b"))
