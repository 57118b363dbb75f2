"""``padded_lstm`` computes AllenNLP's ``lstm`` (up to rounding), with the same parameters, on
both of its paths; its reversal, path choice, dropout and config use."""

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.modules.seq2seq_encoders import LstmSeq2SeqEncoder, Seq2SeqEncoder

from hmtl.modules.padded_lstm import (
    FUSED_MAX_ROWS,
    PaddedLstm,
    fused_length,
    reverse_within_lengths,
)


def test_reverse_within_lengths_reverses_each_row_up_to_its_length():
    order = reverse_within_lengths(torch.tensor([3, 1, 0, 4]), 4)
    assert order.tolist() == [[2, 1, 0, 3], [0, 1, 2, 3], [0, 1, 2, 3], [3, 2, 1, 0]]


def _pair(input_size, hidden, layers, bidirectional, seed=0):
    torch.manual_seed(seed)
    reference = LstmSeq2SeqEncoder(input_size, hidden, layers, bidirectional=bidirectional)
    padded = PaddedLstm(input_size, hidden, layers, bidirectional=bidirectional)
    padded.load_state_dict(reference.state_dict())  # same names: loads without remapping
    return reference.eval(), padded.eval()


@pytest.mark.parametrize(
    "lengths",
    [
        [7, 3, 5, 1],  # a small batch: the fused kernel
        [7, 7, 7],  # no padding: the flip
        [9] + [1] * 11,  # many rows, mostly padding: the packed path
        [9] * 12,  # many rows, no padding: the fused kernel
        [6, 0, 2],  # an empty row gives zeros
        [37, 20, 33],  # run at 40 positions (8 lengths per octave), cut back to 37
        [70],  # one document: run at 72
    ],
)
@pytest.mark.parametrize("bidirectional", [True, False])
def test_outputs_and_gradients_equal_allennlps_lstm(lengths, bidirectional):
    reference, padded = _pair(5, 4, 3, bidirectional)
    lengths = torch.tensor(lengths)
    mask = torch.arange(int(lengths.max()))[None] < lengths[:, None]
    inputs = torch.randn(len(lengths), mask.size(1), 5, requires_grad=True)

    expected = reference(inputs, mask)
    actual = padded(inputs, mask)
    assert actual.shape == expected.shape == (len(lengths), mask.size(1), 4 * (1 + bidirectional))
    torch.testing.assert_close(actual, expected, atol=1e-6, rtol=1e-5)
    assert actual[~mask].abs().sum() == 0

    weights = torch.randn_like(expected)  # any loss that reads every output
    wanted = torch.autograd.grad((expected * weights).sum(), [inputs, *reference.parameters()])
    got = torch.autograd.grad((actual * weights).sum(), [inputs, *padded.parameters()])
    for a, b in zip(got, wanted):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_the_path_depends_on_batch_size_and_padding():
    def choice(lengths, positions):
        lengths = torch.tensor(lengths)
        mask = torch.arange(positions)[None] < lengths[:, None]
        return PaddedLstm.fused_pays_off(mask, lengths)

    assert FUSED_MAX_ROWS == 16
    assert choice([1] * FUSED_MAX_ROWS, 10)  # small batches always: 90% padding
    assert not choice([10] + [1] * FUSED_MAX_ROWS, 10)  # 17 rows, 144 / 170 = 85% padding
    assert choice([10] * 16 + [9], 10)  # 17 rows, 0.6% padding
    assert choice([10] * 9 + [5] * 8, 10)  # 17 rows, 40 / 170 = 23.5% padding (limit 25%)
    assert not choice([10] * 8 + [5] * 9, 10)  # 17 rows, 45 / 170 = 26.5% padding


def test_dropout_between_layers_only_while_training():
    _, padded = _pair(5, 4, 2, True)
    padded._module.dropout = 0.5
    inputs = torch.randn(2, 6, 5)
    mask = torch.ones(2, 6, dtype=torch.bool)
    evaluated = padded.eval()(inputs, mask)
    assert torch.equal(evaluated, padded(inputs, mask))  # no randomness in eval
    trained = padded.train()(inputs, mask)
    assert not torch.allclose(trained, evaluated)


def test_built_from_a_config_with_the_lstm_arguments():
    encoder = Seq2SeqEncoder.from_params(Params({
        "type": "padded_lstm", "input_size": 7, "hidden_size": 3, "num_layers": 2,
        "bidirectional": True, "dropout": 0.1,
    }))
    assert isinstance(encoder, PaddedLstm)
    assert (encoder.get_input_dim(), encoder.get_output_dim()) == (7, 6)
    assert encoder.is_bidirectional()
    reference = LstmSeq2SeqEncoder(7, 3, 2, bidirectional=True)
    assert list(encoder.state_dict()) == list(reference.state_dict())
    with pytest.raises(Exception, match="stateful"):
        Seq2SeqEncoder.from_params(Params({"type": "padded_lstm", "input_size": 7,
                                           "hidden_size": 3, "stateful": True}))


def test_fused_length_keeps_a_few_lengths_per_octave_each_at_most_an_eighth_longer():
    assert [fused_length(n, 8) for n in (1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000)] == [
        1, 15, 16, 18, 32, 32, 36, 64, 64, 72, 1024]
    for per_octave in (1, 4, 8, 16):
        for octave in range(2, 12):
            low = 1 << octave
            lengths = {fused_length(n, per_octave) for n in range(low, 2 * low)} - {2 * low}
            assert len(lengths) <= per_octave  # 2 * low counts in the next octave
        for n in range(1, 3000):
            padded = fused_length(n, per_octave)
            assert n <= padded <= n + n / per_octave
            assert padded == fused_length(padded, per_octave)  # a kept length stays
            if n < 2 * per_octave:
                assert padded == n
    assert [fused_length(n, None) for n in (17, 1000)] == [17, 1000]


def _spy_on_kernel_lengths(monkeypatch):
    seen = []
    kernel = torch.lstm

    def spy(inputs, *args):
        seen.append(inputs.size(1))
        return kernel(inputs, *args)

    monkeypatch.setattr(torch, "lstm", spy)
    return seen


@pytest.mark.parametrize("lengths", [[37, 20, 33], [70], [100, 100]])
def test_padding_to_a_kept_length_changes_neither_outputs_nor_gradients(lengths, monkeypatch):
    torch.manual_seed(1)
    padded = PaddedLstm(6, 5, 2, bidirectional=True, lengths_per_octave=8)
    exact = PaddedLstm(6, 5, 2, bidirectional=True, lengths_per_octave=None)
    exact.load_state_dict(padded.state_dict())
    lengths = torch.tensor(lengths)
    mask = torch.arange(int(lengths.max()))[None] < lengths[:, None]
    inputs = torch.randn(len(lengths), mask.size(1), 6, requires_grad=True)
    weights = torch.randn(len(lengths), mask.size(1), 10)

    seen = _spy_on_kernel_lengths(monkeypatch)
    expected = exact(inputs, mask)
    assert set(seen) == {mask.size(1)}
    seen.clear()
    actual = padded(inputs, mask)
    assert set(seen) == {fused_length(mask.size(1), 8)}  # 40, 72 and 104 positions

    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, atol=1e-7, rtol=1e-6)
    wanted = torch.autograd.grad((expected * weights).sum(), [inputs, *exact.parameters()])
    got = torch.autograd.grad((actual * weights).sum(), [inputs, *padded.parameters()])
    for a, b in zip(got, wanted):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


def test_lengths_per_octave_is_a_config_key_and_must_be_a_power_of_two():
    def build(value):
        return Seq2SeqEncoder.from_params(Params({
            "type": "padded_lstm", "input_size": 4, "hidden_size": 3,
            "lengths_per_octave": value}))

    assert build(16).lengths_per_octave == 16
    assert build(None).lengths_per_octave is None
    assert PaddedLstm(4, 3).lengths_per_octave == 8
    for wrong in (0, 6, -8):
        with pytest.raises(ConfigurationError, match=f"lengths_per_octave .* not {wrong}$"):
            build(wrong)
