"""An LSTM encoder that runs the fused kernel on padded batches instead of packing them.

AllenNLP's ``lstm`` encoder packs every batch (``pack_padded_sequence``) so that the reverse
direction of a bidirectional LSTM starts at each sentence's own last token. On the CPU, PyTorch
has no fused kernel for packed input: it runs the cell one time step at a time, a dozen small
tensor operations each, so with the small batches of the relation (4 sentences) and hierarchy
steps most of an LSTM's time is dispatch overhead. oneDNN (CPU) and cuDNN (GPU) fuse the whole
sequence, but only for padded input.

``padded_lstm`` computes the same function as ``lstm`` on padded input: the forward direction
reads each sentence from its first token (the padding after a sentence cannot reach its
tokens), and the reverse direction reads each sentence reversed within its own length, so that
its padding also comes last; its outputs are put back in order. Layers are run one at a time
(each direction its own fused call) with dropout between them, as ``torch.nn.LSTM`` does.

The parameters are those of the ``torch.nn.LSTM`` it holds, under the same names as in AllenNLP's
``lstm`` encoder (``_module.weight_ih_l0``...), so weights move between the two types freely.
Results equal ``lstm``'s up to floating-point rounding (the kernels sum in another order): a run
that switches types does not reproduce a run's last digits.

Padding costs compute: the fused kernel also runs over the positions after each sentence, which
the packed path skips. ``bench/lstm_speed.py`` measures both paths (forward and backward, one
CPU thread, the original's 2x64 BiLSTMs over 1188-d and 1316-d inputs, sentences of 3-40
tokens). The fused kernel took 0.3-0.65x the packed path's time for batches of up to 8 sentences
and 0.65-0.85x for 16, whatever their lengths (up to 46% padding). For 32 sentences it took
0.7-0.9x with up to 21% padding, 0.9-1.15x at 28%, and 1.05-1.15x at 41-46% (about the same once
padded to ``lengths_per_octave`` lengths, below). So a batch of more than ``FUSED_MAX_ROWS``
sentences with more than ``FUSED_MAX_PADDING`` of its positions padding still takes the packed
path, through the same ``torch.nn.LSTM``. Which path a batch takes depends on the batch only.

On the CPU, oneDNN compiles a kernel for every input shape it meets and keeps it, with working
memory that grows with the sequence length, in a cache of up to 1,024 kernels
(``ONEDNN_PRIMITIVE_CACHE_CAPACITY``). A coreference document is one sequence, so a corpus of
documents of many lengths fills that cache: 300 documents of OntoNotes-like lengths (mean 470
tokens) through the original's NER, EMD and coreference encoders grew the process by 1.4 GB, and
a call whose kernel is not cached took 1.6x the time (a 2 x 64 BiLSTM over 300 tokens). So each
fused CPU call pads the time axis up to one of ``lengths_per_octave`` lengths per octave
(``fused_length``; lengths below twice that are kept): each direction's input (the reverse one
already reversed within each sentence's length) is padded at its end and the output cut back, so
in either direction the padding comes after every token it reads, and the values and gradients
of the batch's positions are those of the unpadded call, up to the order of floating-point sums
(on one thread identical to the last bit in every case tried, a whole training run of the demo
included; with more, kernels split the padded length between threads differently). With the
default of 8 the same 300 documents grew the process by 0.7 GB at about the same speed
(``bench/lstm_lengths.py``). cuDNN keeps no such cache: on the GPU lengths are kept.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.modules.seq2seq_encoders import Seq2SeqEncoder
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

FUSED_MAX_ROWS = 16  # batches this small always take the fused kernel
FUSED_MAX_PADDING = 0.25  # larger batches take it when at most this fraction is padding


def fused_length(length: int, per_octave: int | None) -> int:
    """The time length a fused CPU call runs a batch of ``length`` positions at: ``length``
    rounded up to a multiple of ``2 ** (floor(log2 length) - log2 per_octave)``, i.e. one of
    ``per_octave`` (a power of two) lengths per octave, at most ``length / per_octave`` more
    positions. Lengths below ``2 * per_octave`` are kept; ``None`` keeps every length."""
    if per_octave is None:
        return length
    step = 1 << max(0, length.bit_length() - per_octave.bit_length())
    return -(-length // step) * step


def reverse_within_lengths(lengths: torch.Tensor, max_length: int) -> torch.Tensor:
    """Time indices, shape ``(batch, max_length)``, that reverse each row's first ``length``
    positions and keep the positions after them in place (an involution: applying the same
    gather twice restores the order)."""
    positions = torch.arange(max_length, device=lengths.device).unsqueeze(0)
    reversed_positions = lengths.unsqueeze(1) - 1 - positions
    return torch.where(positions < lengths.unsqueeze(1), reversed_positions, positions)


def _gather_time(tensor: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    return tensor.gather(1, indices.unsqueeze(-1).expand(-1, -1, tensor.size(-1)))


@Seq2SeqEncoder.register("padded_lstm")
class PaddedLstm(Seq2SeqEncoder):
    """``lstm`` (AllenNLP's ``LstmSeq2SeqEncoder``) computed with the fused kernel on padded
    input; the same constructor arguments except ``stateful``.

    # Parameters
    input_size : the size of each input vector (may be left out of a hierarchical config).
    hidden_size : the size of each direction's hidden state.
    num_layers : stacked layers.
    bias : whether the gates have biases.
    dropout : dropout on the outputs of every layer but the last, while training.
    bidirectional : a reverse direction too; the output is both directions concatenated.
    lengths_per_octave : on the CPU, the fused kernel runs every batch at one of this many
        lengths per octave (a power of two; the batch padded by up to ``1 / lengths_per_octave``
        of its length), so that oneDNN compiles and caches few kernels; ``null``: at the
        batch's own length. The result is the same (see the module's docstring).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        lengths_per_octave: int | None = 8,
    ) -> None:
        super().__init__(stateful=False)
        if lengths_per_octave is not None and (
            lengths_per_octave < 1 or lengths_per_octave & (lengths_per_octave - 1)
        ):
            raise ConfigurationError(
                f"padded_lstm: lengths_per_octave must be a power of two (1, 2, 4, 8, ...) or "
                f"null, not {lengths_per_octave}"
            )
        self.lengths_per_octave = lengths_per_octave
        self._module = torch.nn.LSTM(
            input_size, hidden_size, num_layers, bias=bias, dropout=dropout,
            bidirectional=bidirectional, batch_first=True,
        )

    def get_input_dim(self) -> int:
        return self._module.input_size

    def get_output_dim(self) -> int:
        return self._module.hidden_size * (2 if self._module.bidirectional else 1)

    def is_bidirectional(self) -> bool:
        return self._module.bidirectional

    def _direction(self, inputs: torch.Tensor, layer: int, suffix: str) -> torch.Tensor:
        """One layer in one direction over the whole padded batch (one fused call), on the CPU
        at the batch's ``fused_length`` and cut back to its own."""
        module = self._module
        weights = [getattr(module, f"weight_ih_l{layer}{suffix}"),
                   getattr(module, f"weight_hh_l{layer}{suffix}")]
        if module.bias:
            weights += [getattr(module, f"bias_ih_l{layer}{suffix}"),
                        getattr(module, f"bias_hh_l{layer}{suffix}")]
        time = inputs.size(1)
        on_cpu = inputs.device.type == "cpu"
        extra = fused_length(time, self.lengths_per_octave) - time if on_cpu else 0
        if extra:
            inputs = torch.nn.functional.pad(inputs, (0, 0, 0, extra))
        zeros = inputs.new_zeros(1, inputs.size(0), module.hidden_size)
        output, _, _ = torch.lstm(
            inputs, (zeros, zeros), weights, module.bias, 1, 0.0, self.training, False, True
        )
        return output[:, :time] if extra else output

    def forward(self, inputs: torch.Tensor, mask: torch.BoolTensor) -> torch.Tensor:
        """``(batch, time, input_size)`` → ``(batch, time, output_dim)``, zero where ``mask`` is
        false. ``mask`` marks each row's tokens, which come first (as for ``lstm``)."""
        lengths = mask.sum(dim=1)
        if not self.fused_pays_off(mask, lengths):
            return self._packed(inputs, mask, lengths)
        return self._fused(inputs, mask, lengths)

    def _fused(
        self, inputs: torch.Tensor, mask: torch.BoolTensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        """The fused path: each layer and direction one kernel call over the padded batch."""
        module = self._module
        reverse = self._reversal(lengths, inputs.size(1)) if module.bidirectional else None
        layer_input = inputs
        for layer in range(module.num_layers):
            output = self._direction(layer_input, layer, "")
            if reverse is not None:
                backward = self._direction(reverse(layer_input), layer, "_reverse")
                output = torch.cat([output, reverse(backward)], dim=-1)
            if layer < module.num_layers - 1 and module.dropout > 0:
                output = torch.nn.functional.dropout(output, module.dropout, self.training)
            layer_input = output
        return layer_input * mask.unsqueeze(-1).to(layer_input.dtype)

    @staticmethod
    def _reversal(
        lengths: torch.Tensor, max_length: int
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """What reverses each row of a ``(batch, time, features)`` tensor within its length: a
        plain flip when no row has padding (a coreference document, a batch of one), which is
        cheaper than a gather and its backward."""
        if bool((lengths == max_length).all()):
            return lambda tensor: tensor.flip(1)
        order = reverse_within_lengths(lengths, max_length)
        return lambda tensor: _gather_time(tensor, order)

    @staticmethod
    def fused_pays_off(mask: torch.BoolTensor, lengths: torch.Tensor) -> bool:
        """Whether the fused kernel on the padded batch should beat the packed path."""
        rows, positions = mask.shape
        if rows <= FUSED_MAX_ROWS:
            return True
        padding = 1.0 - float(lengths.sum()) / max(1, rows * positions)
        return padding <= FUSED_MAX_PADDING

    def _packed(
        self, inputs: torch.Tensor, mask: torch.BoolTensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        """The packed path (what AllenNLP's ``lstm`` does); empty rows give zeros."""
        packed = pack_padded_sequence(
            inputs, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False
        )
        output, _ = pad_packed_sequence(
            self._module(packed)[0], batch_first=True, total_length=inputs.size(1)
        )
        return output * mask.unsqueeze(-1).to(output.dtype)
