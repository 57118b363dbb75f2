"""Shortcut wiring: input sizes, paths, layer sharing and where task dropout applies."""

import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.modules.seq2seq_encoders import LstmSeq2SeqEncoder, PassThroughEncoder

from hmtl.modules.shortcut import ShortcutEncoders


def stack(dropout: float = 0.0) -> ShortcutEncoders:
    torch.manual_seed(0)
    encoders = {
        "low": LstmSeq2SeqEncoder(3, 2, bidirectional=True),  # 3 -> 4
        "mid": LstmSeq2SeqEncoder(7, 1, bidirectional=True),  # 3 + 4 -> 2
        "top": PassThroughEncoder(5),  # 3 + 2 -> 5
        "side": PassThroughEncoder(7),  # 3 + 4 -> 7
    }
    below = {"low": None, "mid": "low", "top": "mid", "side": "low"}
    return ShortcutEncoders(3, encoders, below, {"top": dropout, "low": dropout})


def test_dimensions_and_paths():
    encoders = stack()
    assert [encoders.input_dim(t) for t in ("low", "mid", "top", "side")] == [3, 7, 5, 7]
    assert encoders.paths["top"] == ["low", "mid", "top"]
    assert encoders.paths["side"] == ["low", "side"]


def test_encoder_input_is_base_then_output_below():
    encoders = stack().eval()
    base = torch.randn(2, 4, 3)
    mask = torch.ones(2, 4, dtype=torch.bool)
    top_input, top = encoders("top", base, mask)
    _, mid = encoders("mid", base, mask)
    assert torch.equal(top_input, torch.cat([base, mid], dim=-1))
    assert torch.equal(top, top_input)  # pass-through


def test_the_cache_shares_layers_and_gives_the_same_values_in_eval():
    encoders = stack().eval()
    base, mask = torch.randn(2, 4, 3), torch.ones(2, 4, dtype=torch.bool)
    cache: dict = {}
    shared = {task: encoders(task, base, mask, cache) for task in ("top", "side", "mid", "low")}
    assert set(cache) == {"low", "mid", "top", "side"}
    for task, (inputs, outputs) in shared.items():
        alone_inputs, alone_outputs = encoders(task, base, mask)
        assert torch.allclose(inputs, alone_inputs) and torch.allclose(outputs, alone_outputs)


def test_task_dropout_only_on_the_tasks_own_encoder_input():
    encoders = stack(dropout=1.0).train()
    base, mask = torch.ones(1, 5, 3), torch.ones(1, 5, dtype=torch.bool)
    # "top" is a pass-through: with p=1 its own input is all dropped ...
    top_input, top = encoders("top", base, mask)
    assert top.abs().sum() == 0
    # ... while its encoder input (what the head gets) keeps the base embedding, and the "low"
    # encoder, serving "top" from below, ran without its own task dropout: "mid" then gives
    # exactly what it gives without any dropout (the LSTMs have no dropout of their own)
    assert torch.equal(top_input[..., :3], base)
    _, mid_without_dropout = encoders.eval()("mid", base, mask)
    assert torch.equal(top_input[..., 3:], mid_without_dropout)
    # and "low" computed for its own task is dropped out: its input is all zeros
    low_input, low = encoders.train()("low", base, mask)
    _, low_on_zeros = encoders.eval()("low", torch.zeros_like(base), mask)
    assert torch.allclose(low, low_on_zeros)


def test_wiring_errors():
    lstm = LstmSeq2SeqEncoder(3, 2)
    with pytest.raises(ConfigurationError, match="sits on 'nothing'"):
        ShortcutEncoders(3, {"a": lstm}, {"a": "nothing"})
    with pytest.raises(ConfigurationError, match="cycle"):
        ShortcutEncoders(
            3, {"a": PassThroughEncoder(6), "b": PassThroughEncoder(6)}, {"a": "b", "b": "a"}
        )
    with pytest.raises(ConfigurationError, match="without an encoder"):
        ShortcutEncoders(3, {"a": lstm}, {"b": None})
    with pytest.raises(ConfigurationError, match=r"task 'a'.* input size 3, but it receives 4"):
        ShortcutEncoders(4, {"a": lstm}, {})
