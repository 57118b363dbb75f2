"""TensorBoard events carry the original tags and read back with tensorboard's reader."""

import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from hmtl.training.tensorboard_writer import TensorboardWriter


def _scalars(directory):
    accumulator = EventAccumulator(str(directory))
    accumulator.Reload()
    return {
        tag: [(e.step, e.value) for e in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }


def test_tags_and_values_read_back(tmp_path):
    writer = TensorboardWriter(tmp_path)
    writer.training_details("ner", {"loss": 0.5, "f1-measure-overall": 0.25}, step=10)
    writer.training_proportion("ner", 7, epoch=0)
    writer.task_metrics("ner", {"loss": 0.75}, index=0, validation=False)
    writer.task_metrics("ner", {"loss": 1.5}, index=0, validation=True)
    model = torch.nn.Linear(2, 1)
    model(torch.ones(1, 2)).sum().backward()
    writer.parameter_statistics(model, step=10, parameters=True, gradients=True)
    writer.scalars("loss_weighting", {"ner/log_variance": -0.25}, step=10)
    writer.close()
    train = _scalars(tmp_path / "log" / "train")
    assert train["training_details/ner/loss"] == [(10, 0.5)]
    assert train["training_details/ner/f1-measure-overall"] == [(10, 0.25)]
    assert train["training_proportions/ner"] == [(0, 7.0)]
    assert train["task_ner/loss"] == [(0, 0.75)]
    # the gradient of sum(W x + b) w.r.t. W is x = [1, 1]: mean 1, std 0
    assert train["grad_mean/weight"] == [(10, 1.0)]
    assert train["grad_std/weight"] == [(10, 0.0)]
    assert "parameter_mean/weight" in train
    assert train["loss_weighting/ner/log_variance"] == [(10, -0.25)]
    assert _scalars(tmp_path / "log" / "validation") == {"task_ner/loss": [(0, 1.5)]}
