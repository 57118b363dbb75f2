"""Checkpoint files: all-or-nothing writes, recovery after a crash, clear errors on bad files."""

import json

import numpy as np
import pytest
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.files import PARTIAL_SUFFIX, atomic_torch_save, atomic_write_text
from hmtl.experiment.weights import load_model_weights, load_torch_file
from hmtl.training.checkpointing import JOURNAL, finish_interrupted_checkpoint, save_checkpoint


def test_save_checkpoint_writes_every_file_and_leaves_no_temporary(tmp_path):
    save_checkpoint(tmp_path, {"a.th": {"x": torch.tensor([1.0])}, "b.th": {"step": 3}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.th", "b.th"]
    assert load_torch_file(tmp_path / "b.th", "state") == {"step": 3}


def test_a_crash_before_the_journal_keeps_the_previous_checkpoint(tmp_path):
    save_checkpoint(tmp_path, {"model.th": {"epoch": 1}, "state.th": {"epoch": 1}})
    # A crash while writing the next checkpoint: partial files, no journal.
    torch.save({"epoch": 2}, tmp_path / ("model.th" + PARTIAL_SUFFIX))
    (tmp_path / ("state.th" + PARTIAL_SUFFIX)).write_bytes(b"half a fi")
    finish_interrupted_checkpoint(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.th", "state.th"]
    assert load_torch_file(tmp_path / "model.th", "m") == {"epoch": 1}
    assert load_torch_file(tmp_path / "state.th", "s") == {"epoch": 1}


def test_a_crash_after_the_journal_is_rolled_forward(tmp_path):
    save_checkpoint(tmp_path, {"model.th": {"epoch": 1}, "state.th": {"epoch": 1}})
    # Crash after the journal was written and the first rename was done.
    torch.save({"epoch": 2}, tmp_path / "model.th")
    torch.save({"epoch": 2}, tmp_path / ("state.th" + PARTIAL_SUFFIX))
    (tmp_path / JOURNAL).write_text(json.dumps({"files": ["model.th", "state.th"]}))
    finish_interrupted_checkpoint(tmp_path)
    assert not (tmp_path / JOURNAL).exists()
    assert load_torch_file(tmp_path / "model.th", "m") == {"epoch": 2}
    assert load_torch_file(tmp_path / "state.th", "s") == {"epoch": 2}


def test_an_unreadable_journal_is_a_clear_error(tmp_path):
    (tmp_path / JOURNAL).write_text("{not json")
    with pytest.raises(ConfigurationError, match="journal is unreadable"):
        finish_interrupted_checkpoint(tmp_path)


def test_atomic_writes_replace_content(tmp_path):
    atomic_torch_save([1, 2], tmp_path / "x.th")
    atomic_torch_save([3], tmp_path / "x.th")
    atomic_write_text("new", tmp_path / "x.txt")
    assert load_torch_file(tmp_path / "x.th", "x") == [3]
    assert (tmp_path / "x.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.th", "x.txt"]


def test_loading_a_missing_or_damaged_file_names_it(tmp_path):
    with pytest.raises(ConfigurationError, match=r"missing\.th: the training state does not"):
        load_torch_file(tmp_path / "missing.th", "training state")
    (tmp_path / "bad.th").write_bytes(b"\x80\x02garbage")
    with pytest.raises(ConfigurationError, match=r"bad\.th: cannot read the training state"):
        load_torch_file(tmp_path / "bad.th", "training state")


def test_numpy_scalars_are_refused_by_the_safe_loader(tmp_path):
    # Why metric values must be Python floats (STACK.md break 2).
    torch.save({"f1": np.float64(0.5)}, tmp_path / "np.th")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_torch_file(tmp_path / "np.th", "metrics")


def test_mismatching_weights_name_every_parameter():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["0.weight"] = torch.zeros(4, 2)
    del state["1.bias"]
    state["2.weight"] = torch.zeros(1)
    with pytest.raises(ConfigurationError) as caught:
        load_model_weights(model, state, "best_ner.th")
    message = str(caught.value)
    assert "best_ner.th" in message
    assert "missing from the file: 1.bias" in message
    assert "not in the model: 2.weight" in message
    assert "0.weight (4, 2) != (3, 2)" in message


def test_matching_weights_load():
    source = torch.nn.Linear(2, 2)
    target = torch.nn.Linear(2, 2)
    load_model_weights(target, source.state_dict(), "x")
    assert torch.equal(target.weight, source.weight)
