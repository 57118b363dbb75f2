"""The one hierarchical multi-task model: shared embedding, a tree of encoders, one head per task.

Which tasks exist, which encoder each uses, which task each sits on and which head scores it are
all configuration (``tasks``); adding a task on top of any level needs no new model class. The
nine model type names of the original HMTL are registered for one more constructor of this
class, ``from_original``, that reads the original ``model`` blocks (their mapping:
``hmtl.models.original``).

Sizes that follow from the hierarchy may be left out of a config: each encoder's input size,
and the head sizes derived from the encoder sizes (the coreference feedforwards' ``input_dim``,
the relation head's ``d``). Sizes that are given are checked against the derived ones.
"""

import functools
import inspect
from collections.abc import Callable, Collection
from typing import Any, Optional

import torch
from allennlp.common import FromParams, Lazy
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules import TextFieldEmbedder
from allennlp.nn import InitializerApplicator, RegularizerApplicator
from allennlp.nn.util import get_text_field_mask

from hmtl.models.original import (
    ORIGINAL_MODELS,
    OriginalTaskBlock,
    build_text_field_embedder,
    embedder_output_dim,
    wiring,
)
from hmtl.modules.heads.head import Head
from hmtl.modules.shortcut import EncoderConfig, ShortcutEncoders, build_encoders

_TEXT_FIELDS = ("tokens", "text")


class TaskBlock(FromParams):
    """One task of a ``hierarchical`` config.

    # Parameters
    encoder : the task's own encoder; its input is the base embedding, concatenated with the
        output of the encoder of ``below`` when given. Its input size may be left out.
    head : the task's head (built by the model, which knows the dimensions).
    below : the task this one sits on, or null for a task on the base embedding.
    dropout : dropout on this task's encoder input, applied when this task is computed.
    """

    def __init__(
        self,
        encoder: EncoderConfig,
        head: Lazy[Head],
        below: Optional[str] = None,  # noqa: UP045 (FromParams needs typing.Optional)
        dropout: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.head = head
        self.below = below
        self.dropout = dropout


@Model.register("hierarchical", constructor="from_tasks")
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
    # character embeddings of the original configs their namespace (build_text_field_embedder),
    # and to build it after the encoders: that order, which fixes the seeded initialisation,
    # predates the inferred sizes. The embedder's size is measured first when needed.

    @classmethod
    def from_parts(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        encoders: dict[str, EncoderConfig],
        below: dict[str, str | None],
        input_dropout: dict[str, float],
        build_head: Callable[[str, int, int], Head],
        regularizer: RegularizerApplicator | None = None,
        initializer: InitializerApplicator | None = None,
    ) -> "HierarchicalModel":
        """Build the encoders (in order), then the embedder, then the heads (in order).

        ``build_head(task, encoder_input_dim, encoder_output_dim)`` builds a task's head.
        """
        base_dim = functools.cache(lambda: embedder_output_dim(vocab, text_field_embedder))
        built = build_encoders(base_dim, encoders, below)
        embedder = build_text_field_embedder(vocab, text_field_embedder)
        shortcuts = ShortcutEncoders(embedder.get_output_dim(), built, below, input_dropout)
        heads = {
            name: build_head(name, shortcuts.input_dim(name), shortcuts.output_dim(name))
            for name in built
        }
        return cls(vocab, embedder, shortcuts, heads, regularizer, initializer)

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

        def build_head(name: str, encoder_input_dim: int, encoder_output_dim: int) -> Head:
            return tasks[name].head.construct(
                vocab=vocab,
                encoder_input_dim=encoder_input_dim,
                encoder_output_dim=encoder_output_dim,
            )

        return cls.from_parts(
            vocab,
            text_field_embedder,
            {name: task.encoder for name, task in tasks.items()},
            {name: task.below for name, task in tasks.items()},
            {name: task.dropout for name, task in tasks.items()},
            build_head,
            regularizer,
            initializer,
        )

    @classmethod
    def from_original(
        cls,
        vocab: Vocabulary,
        text_field_embedder: dict[str, Any],
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
        **blocks: OriginalTaskBlock,
    ) -> "HierarchicalModel":
        """Build from original ``{task: {encoder, tagger}}`` blocks with the original wiring.

        Registered under the nine original model type names; each name takes exactly its
        blocks (``ORIGINAL_MODELS``), see ``_original_constructor``.
        """
        unknown = sorted(set(blocks) - set(ORIGINAL_MODELS["hmtl"]))
        if unknown or not blocks:
            raise ConfigurationError(
                f"original model blocks {unknown or 'none'}: the blocks are among "
                f"{list(ORIGINAL_MODELS['hmtl'])}"
            )
        names = [name for name in ORIGINAL_MODELS["hmtl"] if name in blocks]  # lowest first
        blocks = {name: blocks[name] for name in names}

        def build_head(name: str, encoder_input_dim: int, encoder_output_dim: int) -> Head:
            return blocks[name].build_head(name, vocab, encoder_input_dim, encoder_output_dim)

        model = cls.from_parts(
            vocab,
            text_field_embedder,
            {name: block.encoder for name, block in blocks.items()},
            wiring(names),
            {name: block.input_dropout(name) for name, block in blocks.items()},
            build_head,
            regularizer,
        )
        for name, block in blocks.items():
            block.initialize_encoder(model.encoders.encoders[name])
        return model

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


def _original_constructor(blocks: tuple[str, ...]) -> classmethod:
    """``from_original`` as seen by ``FromParams`` for one original model type name.

    Its signature names exactly that type's blocks, each a required ``OriginalTaskBlock``, so a
    missing block, a misspelled one or a block of another type is a configuration error.
    """

    def construct(cls: type[HierarchicalModel], **kwargs: Any) -> HierarchicalModel:
        return cls.from_original(**kwargs)

    keyword = inspect.Parameter.KEYWORD_ONLY
    construct.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("cls", inspect.Parameter.POSITIONAL_ONLY),
            inspect.Parameter("vocab", keyword, annotation=Vocabulary),
            inspect.Parameter("text_field_embedder", keyword, annotation=dict[str, Any]),
            *(inspect.Parameter(name, keyword, annotation=OriginalTaskBlock) for name in blocks),
            inspect.Parameter(
                "regularizer", keyword, default=None, annotation=Optional[RegularizerApplicator]
            ),
        ]
    )
    return classmethod(construct)


for _type_name, _blocks in ORIGINAL_MODELS.items():
    setattr(HierarchicalModel, f"from_original_{_type_name}", _original_constructor(_blocks))
    Model.register(_type_name, constructor=f"from_original_{_type_name}")(HierarchicalModel)
