"""The one hierarchical multi-task model: shared embedding, a tree of encoders, one head per task.

Which tasks exist, which encoder each uses, which task each sits on and which head scores it are
all configuration (``tasks``); adding a task on top of any level needs no new model class. The
nine model type names of the original HMTL are registered as alternative constructors of this
class that read the original ``model`` blocks (their mapping: ``hmtl.models.original``).
"""

from collections.abc import Collection
from typing import Any, Optional

import torch
from allennlp.common import FromParams, Lazy
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import Seq2SeqEncoder, TextFieldEmbedder
from allennlp.nn import InitializerApplicator, RegularizerApplicator
from allennlp.nn.util import get_text_field_mask

from hmtl.models.original import OriginalTaskBlock, build_text_field_embedder, wiring
from hmtl.modules.heads.head import Head
from hmtl.modules.shortcut import ShortcutEncoders

_TEXT_FIELDS = ("tokens", "text")


class TaskBlock(FromParams):
    """One task of a ``hierarchical`` config.

    # Parameters
    encoder : the task's own encoder; its input is the base embedding, concatenated with the
        output of the encoder of ``below`` when given.
    head : the task's head (built by the model, which knows the dimensions).
    below : the task this one sits on, or null for a task on the base embedding.
    dropout : dropout on this task's encoder input, applied when this task is computed.
    """

    def __init__(
        self,
        encoder: Seq2SeqEncoder,
        head: Lazy[Head],
        below: Optional[str] = None,  # noqa: UP045 (FromParams needs typing.Optional)
        dropout: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.head = head
        self.below = below
        self.dropout = dropout


@Model.register("hierarchical", constructor="from_tasks")
@Model.register("ner", constructor="from_ner")
@Model.register("relation", constructor="from_relation")
@Model.register("coref_custom", constructor="from_coref_custom")
@Model.register("ner_emd", constructor="from_ner_emd")
@Model.register("emd_relation", constructor="from_emd_relation")
@Model.register("emd_coref", constructor="from_emd_coref")
@Model.register("ner_emd_relation", constructor="from_ner_emd_relation")
@Model.register("ner_emd_coref", constructor="from_ner_emd_coref")
@Model.register("hmtl", constructor="from_hmtl")
class HierarchicalModel(Model):
    """Shared base embedding → encoders wired by shortcut connections → task heads.

    ``forward(task_name=..., **batch)`` embeds the text once, runs only the encoders on the path
    to that task and that task's head. ``predict_all(**batch)`` runs every encoder once and
    every head on it.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        text_field_embedder: TextFieldEmbedder,
        encoders: ShortcutEncoders,
        heads: dict[str, Head],
        regularizer: RegularizerApplicator | None = None,
        initializer: InitializerApplicator | None = None,
    ) -> None:
        super().__init__(vocab, regularizer)
        if set(heads) != set(encoders.encoders):
            raise ConfigurationError(
                f"tasks with a head {sorted(heads)} and tasks with an encoder "
                f"{sorted(encoders.encoders)} differ"
            )
        self.text_field_embedder = text_field_embedder
        self.encoders = encoders
        self.heads = torch.nn.ModuleDict(heads)
        if initializer is not None:
            initializer(self)

    # ----------------------------------------------------------------------------- construction

    # The constructors take the base embedder's config rather than the embedder, to give the
    # character embeddings of the original configs their namespace (build_text_field_embedder).

    @classmethod
    def from_tasks(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        tasks: dict[str, TaskBlock],
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
        initializer: Optional[InitializerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """The ``hierarchical`` config: ``tasks: {name: {encoder, head, below, dropout}}``."""
        if not tasks:
            raise ConfigurationError("the model needs at least one task")
        embedder = build_text_field_embedder(vocab, text_field_embedder)
        encoders = ShortcutEncoders(
            embedder.get_output_dim(),
            {name: task.encoder for name, task in tasks.items()},
            {name: task.below for name, task in tasks.items()},
            {name: task.dropout for name, task in tasks.items()},
        )
        heads = {
            name: task.head.construct(
                vocab=vocab,
                encoder_input_dim=encoders.input_dim(name),
                encoder_output_dim=encoders.output_dim(name),
            )
            for name, task in tasks.items()
        }
        return cls(vocab, embedder, encoders, heads, regularizer, initializer)

    @classmethod
    def from_original_blocks(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        blocks: dict[str, OriginalTaskBlock],
        regularizer: RegularizerApplicator | None = None,
    ) -> "HierarchicalModel":
        """Build from original ``{task: {encoder, tagger}}`` blocks with the original wiring."""
        embedder = build_text_field_embedder(vocab, text_field_embedder)
        encoders = ShortcutEncoders(
            embedder.get_output_dim(),
            {name: block.encoder for name, block in blocks.items()},
            wiring(list(blocks)),
            {name: block.input_dropout(name) for name, block in blocks.items()},
        )
        heads = {
            name: block.build_head(name, vocab, encoders.input_dim(name), encoders.output_dim(name))
            for name, block in blocks.items()
        }
        for block in blocks.values():
            block.initialize_encoder()
        return cls(vocab, embedder, encoders, heads, regularizer)

    @classmethod
    def from_ner(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        ner: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``ner`` model (also used for EMD data under the task name ``ner``)."""
        return cls.from_original_blocks(vocab, text_field_embedder, {"ner": ner}, regularizer)

    @classmethod
    def from_relation(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        relation: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``relation`` model."""
        blocks = {"relation": relation}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_coref_custom(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        coref: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``coref_custom`` model."""
        return cls.from_original_blocks(vocab, text_field_embedder, {"coref": coref}, regularizer)

    @classmethod
    def from_ner_emd(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        ner: OriginalTaskBlock,
        emd: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``ner_emd`` model: ner → emd."""
        blocks = {"ner": ner, "emd": emd}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_emd_relation(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        emd: OriginalTaskBlock,
        relation: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``emd_relation`` model: emd → relation."""
        blocks = {"emd": emd, "relation": relation}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_emd_coref(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        emd: OriginalTaskBlock,
        coref: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``emd_coref`` model: emd → coref."""
        blocks = {"emd": emd, "coref": coref}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_ner_emd_relation(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        ner: OriginalTaskBlock,
        emd: OriginalTaskBlock,
        relation: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``ner_emd_relation`` model: ner → emd → relation."""
        blocks = {"ner": ner, "emd": emd, "relation": relation}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_ner_emd_coref(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        ner: OriginalTaskBlock,
        emd: OriginalTaskBlock,
        coref: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original ``ner_emd_coref`` model: ner → emd → coref."""
        blocks = {"ner": ner, "emd": emd, "coref": coref}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    @classmethod
    def from_hmtl(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        ner: OriginalTaskBlock,
        emd: OriginalTaskBlock,
        relation: OriginalTaskBlock,
        coref: OriginalTaskBlock,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> "HierarchicalModel":
        """Original full ``hmtl`` model: ner → emd → {relation, coref}."""
        blocks = {"ner": ner, "emd": emd, "relation": relation, "coref": coref}
        return cls.from_original_blocks(vocab, text_field_embedder, blocks, regularizer)

    # -------------------------------------------------------------------------------- computing

    @property
    def task_names(self) -> list[str]:
        return list(self.heads)

    def _embed(self, batch: dict[str, Any]) -> tuple[torch.Tensor, torch.BoolTensor, dict]:
        """Split off the text field, embed it once; return (base, mask, the other fields)."""
        present = [name for name in _TEXT_FIELDS if name in batch]
        if len(present) != 1:
            raise ConfigurationError(
                f"a batch needs exactly one text field among {_TEXT_FIELDS}, "
                f"got fields {sorted(batch)}"
            )
        fields = dict(batch)
        text: TextFieldTensors = fields.pop(present[0])
        mask = get_text_field_mask(text)
        return self.text_field_embedder(text), mask, fields

    def _head(self, task_name: str) -> Head:
        if task_name not in self.heads:
            raise ConfigurationError(
                f"unknown task '{task_name}'; the model's tasks are {self.task_names}"
            )
        return self.heads[task_name]

    def forward(self, task_name: str, **batch: Any) -> dict[str, Any]:  # type: ignore[override]
        """Run one task: its output has ``loss`` when the batch carries that task's gold fields."""
        head = self._head(task_name)
        base, mask, fields = self._embed(batch)
        encoder_input, encoded = self.encoders(task_name, base, mask)
        return head(encoder_input, encoded, mask, **fields)

    def predict_all(self, tasks: Collection[str] | None = None,
                    **batch: Any) -> dict[str, dict[str, Any]]:
        """Every task's predictions for one batch (or those of ``tasks``), each shared layer
        computed once.

        Gold fields are withheld from every head (a batch only has gold for one task, and
        several heads may read the same field name), so no loss or metric is produced.
        """
        base, mask, fields = self._embed(batch)
        withheld = {name for head in self.heads.values() for name in head.gold_fields}
        inputs = {name: value for name, value in fields.items() if name not in withheld}
        cache: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        outputs = {}
        for task_name, head in self.heads.items():
            if tasks is not None and task_name not in tasks:
                continue
            encoder_input, encoded = self.encoders(task_name, base, mask, cache)
            outputs[task_name] = head(encoder_input, encoded, mask, **inputs)
        return outputs

    def layer_outputs(
        self, text: TextFieldTensors
    ) -> tuple[dict[str, torch.Tensor], torch.BoolTensor]:
        """Every layer's output for probing, lowest first, and the mask.

        Names as the original probing script's layer names: ``text_field_embedder`` and
        ``encoder_<task>``; each encoder runs once.
        """
        mask = get_text_field_mask(text)
        base = self.text_field_embedder(text)
        cache: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        layers = {"text_field_embedder": base}
        for task_name in sorted(self.heads, key=lambda name: len(self.encoders.paths[name])):
            layers[f"encoder_{task_name}"] = self.encoders(task_name, base, mask, cache)[1]
        return layers, mask

    def get_metrics(  # type: ignore[override]
        self, reset: bool = False, task_name: str | None = None
    ) -> dict[str, float]:
        """One task's metrics (unprefixed), or every task's as ``<task>/<metric>``."""
        if task_name is not None:
            return self._head(task_name).get_metrics(reset)
        return {
            f"{name}/{metric}": value
            for name, head in self.heads.items()
            for metric, value in head.get_metrics(reset).items()
        }

    def make_output_human_readable(  # type: ignore[override]
        self, output_dict: dict[str, Any], task_name: str | None = None
    ) -> dict[str, Any]:
        """Decode ``forward``'s output of ``task_name``, or ``predict_all``'s (keyed by task).

        ``task_name`` may be left out for ``predict_all``'s output and for one-task models.
        """
        if task_name is None and output_dict and set(output_dict) <= set(self.heads):
            return {
                name: self.heads[name].make_output_human_readable(output)
                for name, output in output_dict.items()
            }
        if task_name is None:
            if len(self.heads) != 1:
                raise ConfigurationError(
                    f"make_output_human_readable needs the task_name of this output; "
                    f"the model's tasks are {self.task_names}"
                )
            task_name = self.task_names[0]
        return self._head(task_name).make_output_human_readable(output_dict)
