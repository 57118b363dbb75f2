"""Evaluation under no_grad/eval, and the test matrix of best checkpoints."""

import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.experiment.model import build_model
from hmtl.experiment.task import build_tasks
from hmtl.experiment.vocabulary import build_vocabulary
from hmtl.training.evaluation import as_float_metrics, compute_test_matrix, evaluate


@pytest.fixture
def toy(toy_config):
    params = Params(toy_config)
    tasks = build_tasks(params)
    vocab = build_vocabulary(tasks)
    for task in tasks:
        task.index_with(vocab)
    return build_model(params, vocab), {task.name: task for task in tasks}


def test_metrics_become_python_floats():
    converted = as_float_metrics({"a": torch.tensor(0.5), "b": 1})
    assert converted == {"a": 0.5, "b": 1.0}
    assert all(type(v) is float for v in converted.values())


def test_evaluate_runs_without_gradients_and_restores_training_mode(toy):
    model, tasks = toy
    model.train()
    seen = []
    loader = tasks["pos"].loader("validation")
    metrics = evaluate(model, "pos", loader, on_batch=lambda batch, out: seen.append(out))
    assert model.training
    assert model.calls and all(not training and not grad for _, training, grad in model.calls)
    assert len(seen) == 1 and "logits" in seen[0]
    assert set(metrics) == {"accuracy", "training_calls", "loss"}
    # the pos dev set has 4 sentences x 3 tokens = 12 tags, so accuracy is a multiple of 1/12
    assert round(metrics["accuracy"] * 12, 6) == round(metrics["accuracy"] * 12)


def test_training_metrics_do_not_leak_into_evaluation(toy):
    model, tasks = toy
    model.get_metrics(task_name="pos")  # nothing accumulated yet
    model.accuracy["pos"](torch.ones(1, 2, 3), torch.zeros(1, 2, dtype=torch.long))
    first = evaluate(model, "pos", tasks["pos"].loader("validation"))
    second = evaluate(model, "pos", tasks["pos"].loader("validation"))
    assert first == second


def test_no_batches_is_a_warning_unless_only_this_process_has_none(toy, caplog):
    model, _ = toy
    caplog.set_level("WARNING", logger="hmtl.training.evaluation")
    assert "loss" not in evaluate(model, "pos", [], warn_if_empty=False)
    assert not caplog.records  # an empty shard of a distributed evaluation: quiet
    evaluate(model, "pos", [])
    assert [r.getMessage() for r in caplog.records] == ["Task pos: the evaluation data is empty"]


def test_the_matrix_loads_each_rows_weights(toy, tmp_path):
    model, tasks = toy
    # best_pos.th: the current weights; best_ent.th: pos tagger zeroed (uniform predictions)
    torch.save(model.state_dict(), tmp_path / "best_pos.th")
    zeroed = {k: (torch.zeros_like(v) if k.startswith("taggers.pos") else v)
              for k, v in model.state_dict().items()}
    torch.save(zeroed, tmp_path / "best_ent.th")
    matrix = compute_test_matrix(model, list(tasks.values()), tmp_path)
    assert set(matrix) == {"pos", "ent"} and set(matrix["pos"]) == {"pos", "ent"}
    # all logits 0: the 3 pos labels (DET, NOUN, VERB) are equally likely, loss = log 3
    assert model.vocab.get_vocab_size("pos_labels") == 3
    assert matrix["ent"]["pos"]["loss"] == pytest.approx(math.log(3))
    # the ent column does not depend on the pos tagger
    assert matrix["ent"]["ent"] == matrix["pos"]["ent"]


def test_a_missing_best_checkpoint_is_a_clear_error(toy, tmp_path):
    model, tasks = toy
    with pytest.raises(ConfigurationError, match="best_pos.th: the best weights of task pos"):
        compute_test_matrix(model, list(tasks.values()), tmp_path)
