"""Relation extraction as multi-head selection (Bekoulis et al., 2018).

Every ordered token pair (i, j) gets an independent sigmoid per relation type:
``score(i, j) = act(h_i U + h_j W + b) V``. A relation is a triple (last token of ARG1, last
token of ARG2, type). Unlike the original, the types come from the vocabulary (the
``ARG1_<TYPE>`` labels of the label namespace), the loss only counts real (unpadded) token pairs,
and the gold tensor is built with tensor operations instead of Python loops over tokens.
"""

from typing import Any, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.nn import Activation

from hmtl.metrics.relation_f1 import RelationF1Measure
from hmtl.modules.heads.head import Head

Triple = tuple[int, int, str]

_NO_ROLE, _ARG1, _ARG2 = 0, 1, 2


@Head.register("relation")
class RelationHead(Head):
    """Multi-head selection scorer over all token pairs of a sentence.

    # Parameters
    d : half the encoder output size (the original's key, kept for its configs); checked.
    l : size of the hidden pair representation.
    n_classes : number of relation types; optional, checked against the vocabulary.
    activation : name of an AllenNLP activation (the original used ``relu`` or ``tanh``).
    label_namespace : namespace of the ``ARG1_<TYPE>`` / ``ARG2_<TYPE>`` / ``*`` labels.
    threshold : probability above which a pair is predicted to hold a type.
    """

    gold_fields = ("relations",)
    loss_reduction = "mean_token_pairs"  # over the real (ARG1, ARG2, type) cells
    output_kind = "relations"

    def __init__(
        self,
        vocab: Vocabulary,
        encoder_input_dim: int,
        encoder_output_dim: int,
        d: Optional[int] = None,  # noqa: UP045 (FromParams needs typing.Optional)
        l: int = 64,  # noqa: E741 (the original config key)
        n_classes: Optional[int] = None,  # noqa: UP045
        activation: str = "relu",
        label_namespace: str = "relation_ace_labels",
        threshold: float = 0.5,
    ) -> None:
        super().__init__(vocab, encoder_input_dim, encoder_output_dim)
        if d is not None and 2 * d != encoder_output_dim:
            raise ConfigurationError(
                f"relation: d={d} means an encoder output of 2*d={2 * d}, but the encoder "
                f"outputs {encoder_output_dim}"
            )
        if not 0.0 < threshold < 1.0:
            raise ConfigurationError(f"relation: threshold must be in (0, 1), got {threshold}")
        self.label_namespace = label_namespace
        self.relation_types = self._relation_types(vocab, label_namespace)
        if n_classes is not None and n_classes != len(self.relation_types):
            raise ConfigurationError(
                f"relation: n_classes={n_classes} but the vocabulary namespace "
                f"'{label_namespace}' has {len(self.relation_types)} relation types "
                f"{self.relation_types}"
            )
        num_types = len(self.relation_types)
        self.threshold = threshold
        self._logit_threshold = float(torch.logit(torch.tensor(threshold)))

        self.arg1_projection = torch.nn.Linear(encoder_output_dim, l, bias=False)  # U
        self.arg2_projection = torch.nn.Linear(encoder_output_dim, l, bias=True)  # W and b
        self.activation = Activation.by_name(activation)()
        self.type_scorer = torch.nn.Linear(l, num_types, bias=False)  # V

        # label id -> role (none / ARG1 / ARG2) and label id -> type index, for the gold tensor.
        type_index = {name: k for k, name in enumerate(self.relation_types)}
        labels = vocab.get_index_to_token_vocabulary(label_namespace)
        roles = torch.zeros(len(labels), dtype=torch.long)
        types = torch.zeros(len(labels), dtype=torch.long)
        for index, label in labels.items():
            role, _, name = label.partition("_")
            if role in ("ARG1", "ARG2") and name in type_index:
                roles[index] = _ARG1 if role == "ARG1" else _ARG2
                types[index] = type_index[name]
        self.register_buffer("_label_roles", roles, persistent=False)
        self.register_buffer("_label_types", types, persistent=False)

        self._metric = RelationF1Measure()

    @staticmethod
    def _relation_types(vocab: Vocabulary, namespace: str) -> list[str]:
        """The sorted TYPEs of the ``ARG1_<TYPE>`` labels; every ARG2 type must have its ARG1."""
        labels = vocab.get_token_to_index_vocabulary(namespace)
        arg1 = {label[5:] for label in labels if label.startswith("ARG1_")}
        arg2 = {label[5:] for label in labels if label.startswith("ARG2_")}
        if not arg1:
            raise ConfigurationError(
                f"relation: the vocabulary namespace '{namespace}' has no ARG1_<TYPE> label; "
                "is label_namespace the one the relation_ace reader writes?"
            )
        if arg2 - arg1:
            raise ConfigurationError(
                f"relation: namespace '{namespace}' has ARG2 labels without ARG1 labels for "
                f"types {sorted(arg2 - arg1)}"
            )
        return sorted(arg1)

    def score_pairs(self, encoded: torch.Tensor) -> torch.Tensor:
        """(batch, tokens, dim) -> logits (batch, tokens [ARG1], tokens [ARG2], types)."""
        arg1 = self.arg1_projection(encoded)
        arg2 = self.arg2_projection(encoded)
        hidden = self.activation(arg1.unsqueeze(2) + arg2.unsqueeze(1))
        return self.type_scorer(hidden)

    def gold_tensor(self, relations: torch.LongTensor, mask: torch.BoolTensor) -> torch.Tensor:
        """Relation frames (batch, frames, tokens) -> 0/1 gold (batch, tokens, tokens, types).

        A frame holds one relation: ``ARG1_T`` at the last token of the first argument,
        ``ARG2_T`` at the last token of the second, ``*`` elsewhere. Frames that are entirely
        padding (all id 0) and frames without arguments are skipped; anything else that does
        not have exactly one ARG1 and one ARG2 is an error.
        """
        batch_size, _num_frames, num_tokens = relations.shape
        roles = self._label_roles[relations] * mask.unsqueeze(1)
        is_arg1 = roles == _ARG1
        is_arg2 = roles == _ARG2
        n_arg1 = is_arg1.sum(-1)
        n_arg2 = is_arg2.sum(-1)
        padding = (relations == 0).all(-1)
        valid = (n_arg1 == 1) & (n_arg2 == 1)
        empty = (n_arg1 == 0) & (n_arg2 == 0)
        malformed = ~(valid | empty | padding)
        if malformed.any():
            sentence, frame = (int(x) for x in malformed.nonzero()[0])
            raise ValueError(
                f"relation frame {frame} of batch sentence {sentence} has "
                f"{int(n_arg1[sentence, frame])} ARG1 and {int(n_arg2[sentence, frame])} ARG2 "
                "labels; a frame must have exactly one of each"
            )
        arg1_position = is_arg1.long().argmax(-1)
        arg2_position = is_arg2.long().argmax(-1)
        arg1_label = relations.gather(-1, arg1_position.unsqueeze(-1)).squeeze(-1)
        relation_type = self._label_types[arg1_label]
        sentence_index = torch.arange(batch_size, device=relations.device).unsqueeze(1)
        sentence_index = sentence_index.expand_as(valid)
        gold = torch.zeros(
            batch_size,
            num_tokens,
            num_tokens,
            len(self.relation_types),
            device=relations.device,
        )
        gold[
            sentence_index[valid], arg1_position[valid], arg2_position[valid], relation_type[valid]
        ] = 1.0
        return gold

    def decode(self, selected: torch.Tensor) -> list[list[Triple]]:
        """0/1 (batch, tokens, tokens, types) -> per sentence, sorted (ARG1, ARG2, type) triples."""
        triples: list[list[Triple]] = [[] for _ in range(selected.size(0))]
        for sentence, arg1, arg2, type_index in selected.nonzero().tolist():
            triples[sentence].append((arg1, arg2, self.relation_types[type_index]))
        return triples

    def forward(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        mask: torch.BoolTensor,
        relations: Optional[torch.LongTensor] = None,  # noqa: UP045
        **fields: Any,
    ) -> dict[str, Any]:
        """Score all pairs and decode; with gold ``relations`` add the loss, update the metric.

        The loss is the binary cross-entropy averaged over the real (ARG1, ARG2, type) cells:
        pairs that involve a padding token are left out.
        """
        logits = self.score_pairs(encoded)
        pair_mask = (mask.unsqueeze(2) & mask.unsqueeze(1)).unsqueeze(-1)
        selected = (logits > self._logit_threshold) & pair_mask
        predicted = self.decode(selected)
        output: dict[str, Any] = {
            "relation_scores": torch.sigmoid(logits),
            "mask": mask,
            "relations": predicted,
        }
        if relations is not None:
            gold = self.gold_tensor(relations, mask)
            cell_mask = pair_mask.expand_as(logits).float()
            losses = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, gold, weight=cell_mask, reduction="sum"
            )
            output["loss"] = losses / cell_mask.sum().clamp(min=1.0)
            self._metric(predicted, self.decode(gold.bool()))
        return output

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        """Triple precision/recall/F1 (overall and per type)."""
        return {name: float(value) for name, value in self._metric.get_metric(reset).items()}

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        """Triples are already readable; drop the (tokens × tokens × types) score tensor."""
        output_dict.pop("relation_scores", None)
        return output_dict
