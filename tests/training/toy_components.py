"""A toy reader and a toy two-task model, registered for the trainer tests.

They stand in for the real readers and HierarchicalModel so that the trainer is tested on its own:
the reader reads ``word/TAG`` lines, the model embeds words and has one linear tagger per task,
with dropout (so torch's random state matters) and an accuracy metric per task.
"""

import time
from typing import Any, Optional

import torch
from allennlp.data import DatasetReader, Instance, Vocabulary
from allennlp.data.fields import MetadataField, SequenceLabelField, TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token
from allennlp.models import Model
from allennlp.nn import RegularizerApplicator
from allennlp.nn.util import get_text_field_mask, sequence_cross_entropy_with_logits

from hmtl.metrics.accuracy import DistributedCategoricalAccuracy


@DatasetReader.register("toy_tagging", exist_ok=True)
class ToyTaggingReader(DatasetReader):
    """One sentence per line, tokens written ``word/TAG``."""

    def __init__(
        self,
        label_namespace: str = "labels",
        token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.label_namespace = label_namespace
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path: str):
        with open(file_path, encoding="utf-8") as handle:
            for line in handle:
                pairs = [item.rsplit("/", 1) for item in line.split()]
                if pairs:
                    yield self.text_to_instance([w for w, _ in pairs], [t for _, t in pairs])

    def text_to_instance(self, words: list[str], tags: Optional[list[str]] = None) -> Instance:  # noqa: UP045
        text = TextField([Token(w) for w in words], self._token_indexers)
        fields: dict[str, Any] = {"tokens": text, "metadata": MetadataField({"words": words})}
        if tags is not None:
            fields["tags"] = SequenceLabelField(tags, text, self.label_namespace)
        return Instance(fields)


@Model.register("toy_multi_task", exist_ok=True)
class ToyMultiTaskModel(Model):
    """Shared embedding, one linear tagger per task (task name -> label namespace)."""

    def __init__(
        self,
        vocab: Vocabulary,
        tasks: dict[str, str],
        embedding_dim: int = 8,
        dropout: float = 0.2,
        step_delay: float = 0.0,
        regularizer: Optional[RegularizerApplicator] = None,  # noqa: UP045
    ) -> None:
        super().__init__(vocab, regularizer)
        self.embedding = torch.nn.Embedding(vocab.get_vocab_size("tokens"), embedding_dim)
        self.dropout = torch.nn.Dropout(dropout)
        self.namespaces = dict(tasks)
        self.step_delay = step_delay  # seconds per training forward, to make runs killable
        self.taggers = torch.nn.ModuleDict(
            {
                name: torch.nn.Linear(embedding_dim, vocab.get_vocab_size(namespace))
                for name, namespace in tasks.items()
            }
        )
        self.accuracy = {name: DistributedCategoricalAccuracy() for name in tasks}
        # (task, training mode, gradients enabled) of every forward call, for the tests
        self.calls: list[tuple[str, bool, bool]] = []
        # training forward calls so far: a buffer, so checkpoints carry it
        self.register_buffer("training_call_count", torch.zeros((), dtype=torch.long))

    def forward(  # type: ignore[override]
        self, task_name: str, tokens: dict, tags: torch.Tensor = None, **kwargs: Any
    ) -> dict[str, Any]:
        self.calls.append((task_name, self.training, torch.is_grad_enabled()))
        if self.training:
            self.training_call_count += 1
            time.sleep(self.step_delay)
        mask = get_text_field_mask(tokens)
        embedded = self.dropout(self.embedding(tokens["tokens"]["tokens"]))
        logits = self.taggers[task_name](embedded)
        output: dict[str, Any] = {"logits": logits, "mask": mask}
        if tags is not None:
            output["loss"] = sequence_cross_entropy_with_logits(logits, tags, mask)
            self.accuracy[task_name](logits, tags, mask)
        return output

    def get_metrics(self, reset: bool = False, task_name: Optional[str] = None) -> dict[str, float]:  # noqa: UP045
        names = [task_name] if task_name is not None else list(self.accuracy)
        metrics = {}
        training_calls = float(self.training_call_count.item())
        for name in names:
            value = float(self.accuracy[name].get_metric(reset))
            prefix = "" if task_name is not None else f"{name}/"
            metrics[prefix + "accuracy"] = value
            # grows whenever anything trains: a metric that never runs out of patience
            metrics[prefix + "training_calls"] = training_calls
        return metrics


@Model.register("toy_scaled_loss", exist_ok=True)
class ToyScaledLossModel(Model):
    """loss = 100 * w0 + w1 with w = (0, 0): gradients (100, 1), to check clipping exactly."""

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__(vocab)
        self.w = torch.nn.Parameter(torch.zeros(2))

    def forward(self, task_name: str, **batch: Any) -> dict[str, Any]:  # type: ignore[override]
        return {"loss": (self.w * torch.tensor([100.0, 1.0])).sum()}

    def get_metrics(self, reset: bool = False, task_name: Optional[str] = None) -> dict[str, float]:  # noqa: UP045
        return {"accuracy": 0.0}
