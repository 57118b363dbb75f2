"""The checkpointer: when timed checkpoints are due, what --recover needs, and the metric
accumulators that a checkpoint between validations carries."""

from collections import Counter, defaultdict

import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.training.metrics import Metric

from hmtl.metrics.coref_scores import Counts
from hmtl.training.checkpointer import (
    MODEL_STATE,
    TRAINING_STATE,
    Checkpointer,
    metric_states,
    restore_metric_states,
)


class Accumulating(Metric):
    """Counts of every kind a metric of hmtl or AllenNLP keeps."""

    def __init__(self) -> None:
        self.reset()
        self.labeller = str.upper  # configuration: not saved

    def reset(self) -> None:
        self.counter = Counter()
        self.by_label = defaultdict(int)
        self.counts = {"muc": Counts(0, 0, 0, 0)}
        self.total = 0.0
        self.tensor = torch.zeros(2)

    def __call__(self, label: str) -> None:
        self.counter[(label, 1)] += 1
        self.by_label[label] += 2
        self.counts["muc"] = Counts(*(x + 1 for x in self.counts["muc"]))
        self.total += 0.5
        self.tensor += 1

    def get_metric(self, reset: bool = False) -> float:
        return self.total


class Holder(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.metrics = {"a": Accumulating()}


def test_metric_accumulators_survive_a_checkpoint(tmp_path):
    model = Holder()
    model.metrics["a"]("x")
    model.metrics["a"]("y")
    torch.save(metric_states(model), tmp_path / "m.th")
    fresh = Holder()
    restore_metric_states(fresh, torch.load(tmp_path / "m.th", weights_only=True))
    metric = fresh.metrics["a"]
    assert metric.counter == Counter({("x", 1): 1, ("y", 1): 1})
    assert isinstance(metric.by_label, defaultdict) and metric.by_label["z"] == 0
    assert dict(metric.by_label) == {"x": 2, "y": 2, "z": 0}
    assert metric.counts == {"muc": Counts(2, 2, 2, 2)} and type(metric.counts["muc"]) is Counts
    assert metric.total == 1.0 and torch.equal(metric.tensor, torch.tensor([2.0, 2.0]))
    assert metric.labeller is str.upper
    metric("z")  # and it keeps counting
    assert metric.total == 1.5


def test_a_timed_checkpoint_is_due_after_its_interval(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("hmtl.training.checkpointer.time.monotonic", lambda: now[0])
    checkpointer = Checkpointer("unused", every_seconds=60)
    now[0] = 159.0
    assert not checkpointer.due()
    now[0] = 160.0
    assert checkpointer.due()
    checkpointer.restart_clock()
    assert not checkpointer.due()
    assert not Checkpointer("unused", every_seconds=None).due()


def test_save_then_load(tmp_path):
    checkpointer = Checkpointer(tmp_path, every_seconds=None)
    checkpointer.save({"w": torch.ones(1)}, {"version": 2}, ["best_ner.th"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best_ner.th", MODEL_STATE,
                                                          TRAINING_STATE]
    model, training = checkpointer.load()
    assert torch.equal(model["w"], torch.ones(1)) and training == {"version": 2}


def test_loading_where_nothing_was_saved_says_so(tmp_path):
    with pytest.raises(ConfigurationError, match="nothing was saved in .*-f/--force"):
        Checkpointer(tmp_path).load()


def test_a_non_positive_interval_is_refused():
    with pytest.raises(ConfigurationError, match="checkpoint_every_seconds must be > 0"):
        Checkpointer("unused", every_seconds=0)
