"""Linear-chain CRF sequence tagger head (NER, EMD).

It keeps the original HMTL tagger's behaviour: dropout on the encoder output, a linear layer to
tag scores, a CRF whose Viterbi decoding is restricted to the legal transitions of the label
encoding (BIOUL), and exact typed-span F1. The dropout *before* the encoder, which the original
tagger also applied, is applied by the model (it owns the encoder) with this head's ``dropout``.
"""

from typing import Any, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.modules import ConditionalRandomField, TimeDistributed
from allennlp.modules.conditional_random_field import allowed_transitions

from hmtl.metrics.accuracy import DistributedCategoricalAccuracy
from hmtl.metrics.span_f1 import DistributedSpanBasedF1Measure
from hmtl.modules.crf_decoding import batched_viterbi_tags
from hmtl.modules.heads.head import Head

_SPAN_ENCODINGS = ("BIO", "IOB1", "BIOUL", "BMES")


@Head.register("crf_tagger")
class CrfTaggerHead(Head):
    """Tags each token; loss is the negative CRF log-likelihood **summed** over the batch.

    The sum (not the mean) is what the original tagger returned, so the original learning
    rates and gradient clipping settings keep their meaning.

    # Parameters
    label_namespace : vocabulary namespace of the tags (e.g. ``ontonotes_ner_labels``).
    label_encoding : ``BIO``, ``IOB1``, ``BIOUL`` or ``BMES``; needed for constrained decoding
        and span F1.
    constrain_crf_decoding : forbid illegal transitions in Viterbi decoding (default: when
        ``label_encoding`` is given).
    constraint_type : the original (AllenNLP 0.7) key: sets ``label_encoding`` and turns the
        constraints on.
    dropout : dropout on the encoder output (the model also applies it to the encoder input).
    calculate_span_f1 : default: when ``label_encoding`` is given.
    verbose_metrics : also report per-type precision/recall/F1.
    """

    gold_fields = ("tags",)
    loss_reduction = "sum"
    output_kind = "spans"

    def __init__(
        self,
        vocab: Vocabulary,
        encoder_input_dim: int,
        encoder_output_dim: int,
        label_namespace: str = "labels",
        label_encoding: Optional[str] = None,  # noqa: UP045 (FromParams needs typing.Optional)
        constrain_crf_decoding: Optional[bool] = None,  # noqa: UP045
        constraint_type: Optional[str] = None,  # noqa: UP045
        dropout: Optional[float] = None,  # noqa: UP045
        include_start_end_transitions: bool = True,
        calculate_span_f1: Optional[bool] = None,  # noqa: UP045
        verbose_metrics: bool = True,
    ) -> None:
        super().__init__(vocab, encoder_input_dim, encoder_output_dim)
        if constraint_type is not None:
            if label_encoding is not None and label_encoding != constraint_type:
                raise ConfigurationError(
                    f"crf_tagger: constraint_type '{constraint_type}' and label_encoding "
                    f"'{label_encoding}' disagree; give only one of them"
                )
            label_encoding = constraint_type
            if constrain_crf_decoding is None:
                constrain_crf_decoding = True
        if label_encoding is not None and label_encoding not in _SPAN_ENCODINGS:
            raise ConfigurationError(
                f"crf_tagger: label_encoding must be one of {_SPAN_ENCODINGS}, "
                f"got '{label_encoding}'"
            )
        if constrain_crf_decoding is None:
            constrain_crf_decoding = label_encoding is not None
        if calculate_span_f1 is None:
            calculate_span_f1 = label_encoding is not None
        if (constrain_crf_decoding or calculate_span_f1) and label_encoding is None:
            raise ConfigurationError(
                "crf_tagger: constrain_crf_decoding and calculate_span_f1 need a label_encoding"
            )

        self.label_namespace = label_namespace
        self.label_encoding = label_encoding
        if label_namespace not in vocab.get_namespaces():
            raise ConfigurationError(
                f"crf_tagger: the vocabulary has no namespace '{label_namespace}'; "
                "is label_namespace the one the dataset reader writes?"
            )
        self.num_tags = vocab.get_vocab_size(label_namespace)
        self.dropout = torch.nn.Dropout(dropout) if dropout else None
        self.tag_projection = TimeDistributed(torch.nn.Linear(encoder_output_dim, self.num_tags))

        constraints = None
        if constrain_crf_decoding:
            labels = vocab.get_index_to_token_vocabulary(label_namespace)
            constraints = allowed_transitions(label_encoding, labels)
        self.crf = ConditionalRandomField(
            self.num_tags, constraints, include_start_end_transitions=include_start_end_transitions
        )

        self._verbose_metrics = verbose_metrics
        self._accuracy = DistributedCategoricalAccuracy()
        self._span_f1: Optional[DistributedSpanBasedF1Measure] = None  # noqa: UP045
        if calculate_span_f1:
            self._span_f1 = DistributedSpanBasedF1Measure(
                vocab, tag_namespace=label_namespace, label_encoding=label_encoding
            )

    def forward(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        mask: torch.BoolTensor,
        tags: Optional[torch.LongTensor] = None,  # noqa: UP045
        **fields: Any,
    ) -> dict[str, Any]:
        """Score tags, decode with Viterbi; with gold ``tags`` add the loss and update metrics."""
        if self.dropout is not None:
            encoded = self.dropout(encoded)
        logits = self.tag_projection(encoded)
        best_paths = batched_viterbi_tags(self.crf, logits, mask)
        predicted_tags = [path for path, _score in best_paths]
        output: dict[str, Any] = {"logits": logits, "mask": mask, "tags": predicted_tags}

        if tags is not None:
            output["loss"] = -self.crf(logits, tags, mask)
            self._update_metrics(logits, predicted_tags, tags, mask)
        return output

    def _update_metrics(
        self,
        logits: torch.Tensor,
        predicted_tags: list[list[int]],
        tags: torch.Tensor,
        mask: torch.BoolTensor,
    ) -> None:
        """Score the decoded paths: as one-hot "probabilities", so the metrics score what is
        output, built with one indexed assignment for the whole batch."""
        decoded = torch.zeros_like(logits)
        rows = [row for row, path in enumerate(predicted_tags) for _ in path]
        positions = [position for path in predicted_tags for position in range(len(path))]
        labels = [tag for path in predicted_tags for tag in path]
        if labels:
            device = logits.device
            decoded[
                torch.tensor(rows, device=device),
                torch.tensor(positions, device=device),
                torch.tensor(labels, device=device),
            ] = 1.0
        self._accuracy(decoded, tags, mask)
        if self._span_f1 is not None:
            self._span_f1(decoded, tags, mask)

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        """Token accuracy, and span precision/recall/F1 (overall, and per type when verbose)."""
        metrics = {"accuracy": float(self._accuracy.get_metric(reset))}
        if self._span_f1 is not None:
            span_metrics = self._span_f1.get_metric(reset)
            for name, value in span_metrics.items():
                if self._verbose_metrics or "overall" in name:
                    metrics[name] = float(value)
        return metrics

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        """Replace the predicted tag ids by their labels."""
        output_dict["tags"] = [
            [
                self.vocab.get_token_from_index(int(tag), namespace=self.label_namespace)
                for tag in sentence
            ]
            for sentence in output_dict["tags"]
        ]
        return output_dict
