"""``fused_adam``: Adam's updates (up to rounding) with AllenNLP's optimizer arguments, a state
that ``adam`` can continue from, and a full training run with the fast modules."""

import copy
import json

import pytest
import torch
from allennlp.common import Params
from allennlp.training.optimizers import Optimizer

import hmtl.training  # noqa: F401  (registers fused_adam)
from hmtl.commands.main import main
from hmtl.data.demo_corpus import write_demo_corpus
from tests.training.tiny_demo import HIDDEN, demo_config


def _model(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))


def _train(model, optimizer, steps: int, seed: int = 1) -> None:
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        optimizer.zero_grad()
        model(torch.randn(8, 5, generator=generator)).pow(2).sum().backward()
        optimizer.step()


def _optimizer(model, kind: str, **extra) -> torch.optim.Optimizer:
    return Optimizer.from_params(model_parameters=list(model.named_parameters()),
                                 params=Params({"type": kind, "lr": 0.01, **extra}))


def test_fused_adam_follows_adam():
    fused, plain = _model(), _model()
    _train(fused, _optimizer(fused, "fused_adam"), 20)
    _train(plain, _optimizer(plain, "adam"), 20)
    for a, b in zip(fused.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)
    assert not torch.equal(fused[0].weight, _model()[0].weight)  # it did train


def test_fused_adam_takes_parameter_groups_and_weight_decay():
    model = _model()
    optimizer = _optimizer(model, "fused_adam", weight_decay=0.1,
                           parameter_groups=[[["^0\\."], {"lr": 0.5}]])
    assert [group["lr"] for group in optimizer.param_groups] == [0.5, 0.01]
    assert all(group["fused"] and group["weight_decay"] == 0.1
               for group in optimizer.param_groups)


def test_a_fused_state_continues_in_plain_adam():
    fused, plain = _model(), _model()
    first = _optimizer(fused, "fused_adam")
    _train(fused, first, 5)
    plain.load_state_dict(fused.state_dict())
    second = _optimizer(plain, "adam")
    second.load_state_dict(copy.deepcopy(first.state_dict()))  # as read from a checkpoint
    _train(fused, first, 5, seed=2)
    _train(plain, second, 5, seed=2)
    for a, b in zip(fused.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


@pytest.mark.slow
def test_the_demo_trains_with_padded_lstm_encoders_and_fused_adam(tmp_path):
    config = demo_config(write_demo_corpus(tmp_path / "data", num_documents=20))
    config["multi_task_trainer"].update({"num_epochs": 1, "no_tqdm": True,
                                         "optimizer": {"type": "fused_adam", "lr": 0.01}})
    for block in config["model"]["tasks"].values():  # input sizes left to the hierarchy
        block["encoder"] = {"type": "padded_lstm", "hidden_size": HIDDEN,
                            "bidirectional": True}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert main(["train", "-c", str(path), "-s", str(tmp_path / "run")]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["nb_epoch_trained"] == 1
    assert all(metrics[task]["nb_batches_trained"] > 0
               for task in ("ner", "emd", "relation", "coref"))
    state = torch.load(tmp_path / "run" / "model_state.th", map_location="cpu")
    assert "encoders.encoders.relation._module.weight_ih_l0_reverse" in state
