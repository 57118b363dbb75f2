"""The interface every task head implements, so that one model class can drive any task.

A head is what differs between tasks: the encoders and embeddings are shared and owned by the
model. The model builds each head lazily (``Lazy[Head]``) because only the model knows the
dimensions of the encoder input and output once the hierarchy is wired; it passes them as the
extras ``vocab``, ``encoder_input_dim`` and ``encoder_output_dim`` to ``Lazy.construct``.
"""

from typing import Any, ClassVar

import torch
from allennlp.common import Registrable
from allennlp.data import Vocabulary


class Head(torch.nn.Module, Registrable):
    """A task-specific output layer on top of a (shared) encoder.

    Subclasses take ``vocab: Vocabulary``, ``encoder_input_dim: int`` and
    ``encoder_output_dim: int`` as constructor arguments (filled in by the model) plus their
    own typed, configurable arguments.
    """

    #: The batch fields that carry gold labels. ``HierarchicalModel.predict_all`` withholds
    #: them, because one batch is shared by all heads and e.g. ``tags`` means NER tags to one
    #: tagger and mention tags to another.
    gold_fields: tuple[str, ...] = ()

    #: How ``loss`` is reduced over the instances of a batch: ``"sum"`` (a sum over instances),
    #: ``"mean_instances"`` (a mean over instances, AllenNLP's convention and the default) or
    #: ``"mean_token_pairs"`` (a mean over the real token pairs of the batch). Distributed
    #: training weights each process's shard of a batch by it, so that the shards' gradients
    #: add up to the whole batch's (``hmtl.training.distributed.shard_weights``).
    loss_reduction: ClassVar[str] = "mean_instances"

    #: The kind of prediction the head makes, which decides how its predictions are written
    #: (``hmtl predict`` JSON, the input formats for the scorers, check-data's model limits):
    #: ``"spans"`` (``make_output_human_readable`` gives ``tags``, one tag sequence per
    #: instance), ``"relations"`` (``relations``: (arg1 token, arg2 token, type) triples),
    #: ``"clusters"`` (``clusters``: lists of inclusive token spans), or a name of the head's
    #: own. A head of its own kind appears in ``hmtl predict`` JSON as one object per window
    #: holding its decoded per-instance fields (``hmtl.predicting.predictor``), and is skipped
    #: by the writers of the input formats. There is no default: every head says what it makes
    #: (``hmtl predict`` refuses a head that does not).
    output_kind: ClassVar[str | None] = None

    def __init__(self, vocab: Vocabulary, encoder_input_dim: int, encoder_output_dim: int) -> None:
        super().__init__()
        self.vocab = vocab
        self.encoder_input_dim = encoder_input_dim
        self.encoder_output_dim = encoder_output_dim

    def forward(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        mask: torch.BoolTensor,
        **fields: Any,
    ) -> dict[str, Any]:
        """Score one batch.

        ``encoder_input`` is (batch, tokens, encoder_input_dim): the base embedding, or the base
        embedding concatenated with the output of the encoder below (coreference uses it for
        span heads). ``encoded`` is (batch, tokens, encoder_output_dim), ``mask`` (batch, tokens).
        ``fields`` are the batch's other fields (gold labels, metadata). When the gold fields are
        present the output has a scalar ``loss`` and the head's metrics are updated.
        """
        raise NotImplementedError

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        """The head's metrics accumulated since the last reset, as Python floats."""
        return {}

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        """Turn the tensors of ``forward``'s output into labels / triples / clusters."""
        return output_dict
