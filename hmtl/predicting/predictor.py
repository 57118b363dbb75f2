"""The predictor: documents in, the prediction JSON out, every head of the model at once.

Each document is predicted whole (``whole_documents``: training-format input, as training and
evaluation read it, and any input of a model that was trained on whole documents) or split into
windows (``hmtl.predicting.windows``) whose size comes from what the model was trained on
(``trained_window``); each window becomes an instance the way
the readers build one (the coreference reader's ``text_to_instance`` when the model has a
coreference head, so candidate spans are those of training), indexed with the
trained token indexers. Windows are batched across documents and each batch goes through
``predict_all`` once, so every shared layer is computed once per batch for all heads.

Relation arguments: the relation head predicts token positions (the last token of each
argument). Each argument becomes the predicted span that contains that token, taken from the
tagging tasks below the relation task (nearest first, so EMD before NER in HMTL), then from the
other tagging tasks; when no predicted span contains it, the argument is that single token and
has no ``type``. A relation whose two arguments are the same span is left out (it says nothing).

Each task is predicted by the kind of output its head declares (``Head.output_kind``). A head of
a kind of its own (a plugin) needs nothing here: its task's JSON is one object per window of the
document, ``{"start", "end", "output"}`` (the window's tokens, end exclusive, and that window's
entry of each per-instance field of the head's ``make_output_human_readable`` output, with
tensors as lists; positions in it count from the window's start). Its instances hold the text
only (the coreference reader's fields too when the model has a coreference head).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Batch, DatasetReader, Instance, Token
from allennlp.data.fields import TextField
from allennlp.nn.util import move_to_device

from hmtl.data.readers.gc_pause import gc_paused
from hmtl.experiment.prediction_writers import tags_to_spans
from hmtl.predicting import outputs
from hmtl.predicting.document import Document, from_sentences
from hmtl.predicting.loading import TrainedRun, inference_device, load_trained_run, task_blocks
from hmtl.predicting.tokenization import Tokenizer
from hmtl.predicting.windows import (
    Window,
    split_windows,
    whole_document,
    window_warnings,
)

logger = logging.getLogger(__name__)

RESERVED_KEYS = ("id", "text", "tokens", "sentences", "tasks", "warnings")
DEFAULT_BATCH_SIZE = 8
# The model sees at most this many characters of a token (ELMo's own limit): a batch's character
# tensor is as wide as its longest token, and a 100k-character "word" (a pasted blob) would
# otherwise take gigabytes. Outputs keep the whole token.
MAX_TOKEN_CHARACTERS = 50

Labeled = tuple[str, int, int]  # (label, start, end exclusive)


def trained_window(config: dict[str, Any],
                   token_indexers: dict[str, Any]) -> tuple[int | None, int | None]:
    """The window (most tokens, most sentences) the model was trained on: the coreference
    readers' smallest ``max_sentences``, and a transformer token indexer's ``max_length``;
    ``(None, None)`` when the config sets neither: the model was trained on whole sentences and
    documents, and is predicted on them (see ``Predictor.windowed``)."""
    sentences = [block.get("data_params", {}).get("dataset_reader", {}).get("max_sentences")
                 for block in task_blocks(config).values()]
    sentences = [value for value in sentences if isinstance(value, int) and value > 0]
    lengths = [getattr(getattr(indexer, "_matched_indexer", indexer), "_max_length", None)
               for indexer in token_indexers.values()]
    lengths = [value for value in lengths if isinstance(value, int) and value > 0]
    max_sentences = min(sentences) if sentences else None
    max_tokens = min(lengths) if lengths else None
    return max_tokens, max_sentences


@dataclass
class _Pending:
    """A document being predicted, its warnings, and what its windows produced so far (one list
    per task, in the field named after the task's kind; ``windows`` for the other kinds)."""

    document: Document
    warnings: list[str]
    spans: dict[str, list[Labeled]] = field(default_factory=dict)
    relations: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    clusters: dict[str, list[list[tuple[int, int]]]] = field(default_factory=dict)
    windows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def collected(self, kind: str) -> dict[str, list[Any]]:
        """The task -> list mapping where predictions of ``kind`` go."""
        known = {outputs.SPANS: self.spans, outputs.RELATIONS: self.relations,
                 outputs.CLUSTERS: self.clusters}
        return known.get(kind, self.windows)


def _jsonable(value: Any, where: str) -> Any:
    """``value`` with tensors as lists and tuples as lists; anything JSON cannot hold is an
    error naming ``where``."""
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item, where) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _jsonable(item, where) for key, item in value.items()}
    raise ConfigurationError(
        f"{where} holds a {type(value).__name__}, which the prediction JSON cannot hold; "
        "make_output_human_readable should return lists, numbers and strings")


def _per_instance(value: Any, batch_size: int) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dim() > 0 and value.size(0) == batch_size
    return isinstance(value, list | tuple) and len(value) == batch_size


def window_output(task: str, output: dict[str, Any], row: int, batch_size: int,
                  window: Window) -> dict[str, Any]:
    """The JSON of one window for a task of a kind of its own: each field of the head's decoded
    ``output`` that has one entry per instance of the batch, at ``row``."""
    fields = {
        key: _jsonable(value[row], f"task {task!r}: field {key!r} of its head's output")
        for key, value in output.items()
        if _per_instance(value, batch_size)
    }
    return {"start": window.start, "end": window.end, "output": fields}


class Predictor:
    """Predicts with a loaded run; see ``load_predictor``. Not re-entrant: serve it behind a lock.
    """

    def __init__(
        self,
        run: TrainedRun,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_window_tokens: int | None = None,
        tokenizer: Tokenizer | None = None,
        max_window_sentences: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigurationError(f"batch size must be at least 1, got {batch_size}")
        for name, value in (("tokens", max_window_tokens), ("sentences", max_window_sentences)):
            if value is not None and value < 1:
                raise ConfigurationError(f"max window {name} must be at least 1, got {value}")
        if max_window_tokens is None and max_window_sentences is None:
            max_window_tokens, max_window_sentences = trained_window(run.config,
                                                                     run.token_indexers)
        self.run = run
        self.model = run.model
        self.batch_size = batch_size
        self.max_window_tokens = max_window_tokens
        self.max_window_sentences = max_window_sentences
        self.tokenizer = tokenizer or Tokenizer()
        self.tasks = self._task_kinds()
        self._tagger_order = self._argument_taggers()
        self._coref_reader = self._coreference_reader()

    # ------------------------------------------------------------------------------ set-up

    def _task_kinds(self) -> dict[str, str]:
        heads = getattr(self.model, "heads", None)
        if heads is None:
            raise ConfigurationError(
                f"{self.run.weights}: the model ({type(self.model).__name__}) has no task heads; "
                "expected a hierarchical model")
        kinds = {}
        for name, head in heads.items():
            kind = getattr(head, "output_kind", None)
            if not isinstance(kind, str) or not kind:
                raise ConfigurationError(
                    f"task {name!r}: its {type(head).__name__} head declares no output_kind "
                    f"({outputs.SPANS}, {outputs.RELATIONS}, {outputs.CLUSTERS} or a kind of "
                    "its own)")
            if name in RESERVED_KEYS:
                raise ConfigurationError(
                    f"task {name!r}: the name is a key of the prediction JSON; rename the task")
            kinds[name] = kind
        return kinds

    def _argument_taggers(self) -> dict[str, list[str]]:
        """Per relation task, the tagging tasks whose spans become its arguments, in order."""
        taggers = [name for name, kind in self.tasks.items() if kind == outputs.SPANS]
        order = {}
        for name, kind in self.tasks.items():
            if kind == outputs.RELATIONS:
                below = list(reversed(self.model.encoders.paths[name][:-1]))
                order[name] = [t for t in below if t in taggers] + [
                    t for t in taggers if t not in below]
        return order

    def _coreference_reader(self) -> DatasetReader | None:
        """The coreference task's reader from the config (it enumerates candidate spans)."""
        names = [name for name, kind in self.tasks.items() if kind == outputs.CLUSTERS]
        if not names:
            return None
        block = task_blocks(self.run.config).get(names[0])
        reader_params = (block or {}).get("data_params", {}).get("dataset_reader")
        if reader_params is None:
            raise ConfigurationError(
                f"the config has no dataset_reader for the coreference task {names[0]!r}; it is "
                "needed to enumerate candidate spans as in training")
        reader_params = {k: v for k, v in reader_params.items() if k != "token_indexers"}
        try:
            return DatasetReader.from_params(Params(reader_params))
        except (TypeError, ValueError) as error:
            raise ConfigurationError(
                f"task {names[0]!r}: cannot build its dataset reader: {error}") from None

    # ------------------------------------------------------------------------------ public

    def predict_texts(self, texts: Sequence[str], ids: Sequence[Any] | None = None) -> list[dict]:
        """The prediction JSON of each raw text (ids default to 0, 1, ...)."""
        ids = list(range(len(texts))) if ids is None else list(ids)
        documents = (self.tokenizer.tokenize(i, text) for i, text in zip(ids, texts))
        return list(self.predict_documents(documents))

    def tokenize_texts(
        self, texts: Sequence[str], ids: Sequence[Any] | None = None
    ) -> list[Document]:
        """The documents of raw texts as ``predict_texts`` sees them (ids default to 0, 1, ...):
        a server counts their tokens, to refuse a request over its limits before predicting, and
        then predicts them with ``predict_documents``."""
        ids = list(range(len(texts))) if ids is None else list(ids)
        return [self.tokenizer.tokenize(i, text) for i, text in zip(ids, texts)]

    def predict_tokens(
        self, documents: Sequence[Sequence[str] | Sequence[Sequence[str]]],
        ids: Sequence[Any] | None = None,
    ) -> list[dict]:
        """The prediction JSON of pre-tokenised documents, each a list of words (split into
        sentences by the sentencizer) or a list of sentences of words."""
        ids = list(range(len(documents))) if ids is None else list(ids)
        return list(self.predict_documents(
            self.tokenized_document(i, words) for i, words in zip(ids, documents)))

    def tokenized_document(
        self, doc_id: Any, words: Sequence[str] | Sequence[Sequence[str]]
    ) -> Document:
        """A Document of words (sentences found by the sentencizer) or of sentences of words."""
        if words and all(isinstance(item, str) for item in words):
            return from_sentences(doc_id, self.tokenizer.split_sentences(list(words)))
        return from_sentences(doc_id, [list(sentence) for sentence in words])

    @property
    def windowed(self) -> bool:
        """Whether documents are cut into windows at all: not when neither a window size is
        given nor the model was trained on windows; then, as in training, the tagging and
        relation heads see each sentence and the coreference head the whole document."""
        return self.max_window_tokens is not None or self.max_window_sentences is not None

    def predict_documents(
        self, documents: Iterable[Document], progress: Callable[[Document], None] | None = None,
        whole_documents: bool = False,
    ) -> Iterator[dict]:
        """Stream the prediction JSON of each document, in order; ``progress`` is called with
        each document once it is done. ``whole_documents`` predicts each document in one piece
        (as training and evaluation read training-format files) instead of in windows."""
        iterator = iter(documents)
        while chunk := list(islice(iterator, self.batch_size)):
            for pending in self._predict_chunk(chunk, whole_documents):
                yield self._to_json(pending)
                if progress is not None:
                    progress(pending.document)

    # ------------------------------------------------------------------------------ work

    def _predict_chunk(self, documents: list[Document], whole: bool = False) -> list[_Pending]:
        """Predict a chunk of documents. In windows, every head runs on every window. Whole,
        each task sees the units its reader made in training: the tagging and relation heads
        each sentence, the coreference head the whole document."""
        whole = whole or not self.windowed
        sentence_tasks = [t for t, kind in self.tasks.items() if kind != outputs.CLUSTERS]
        document_tasks = [t for t, kind in self.tasks.items() if kind == outputs.CLUSTERS]
        pending = []
        groups: dict[tuple[str, ...], list[tuple[_Pending, Window]]] = {}
        for document in documents:
            if whole:
                windows, cut = whole_document(document.sentences), []
            else:
                windows, cut = split_windows(document.sentences, self.max_window_tokens,
                                             self.max_window_sentences)
            item = _Pending(document, window_warnings(
                len(document.tokens), windows, cut, self.max_window_tokens,
                self.max_window_sentences))
            for task, kind in self.tasks.items():
                item.collected(kind)[task] = []
            pending.append(item)
            if not whole:
                groups.setdefault(tuple(self.tasks), []).extend(
                    (item, window) for window in windows)
                continue
            if sentence_tasks:
                groups.setdefault(tuple(sentence_tasks), []).extend(
                    (item, Window(start, end, ((start, end),)))
                    for start, end in document.sentences)
            if document_tasks:
                groups.setdefault(tuple(document_tasks), []).extend(
                    (item, window) for window in windows)
        for tasks, work in groups.items():
            # Similar lengths together pad less; the order of the results does not depend on it.
            work.sort(key=lambda pair: pair[1].end - pair[1].start)
            for first in range(0, len(work), self.batch_size):
                self._run_batch(work[first:first + self.batch_size], tasks)
        return pending

    def _instance(self, document: Document, window: Window, spans: bool = True) -> Instance:
        sentences = [[word[:MAX_TOKEN_CHARACTERS] for word in document.words[start:end]]
                     for start, end in window.sentences]
        if spans and self._coref_reader is not None:
            instance = self._coref_reader.text_to_instance(sentences)
        else:
            instance = Instance({"text": TextField(
                [Token(word) for sentence in sentences for word in sentence])})
        instance["text"].token_indexers = self.run.token_indexers
        return instance

    def _run_batch(self, work: list[tuple[_Pending, Window]],
                   tasks: Sequence[str] | None = None) -> None:
        """Run the heads of ``tasks`` (default: all) on a batch of windows."""
        tasks = list(self.tasks) if tasks is None else list(tasks)
        spans = any(self.tasks[task] == outputs.CLUSTERS for task in tasks)
        with gc_paused():  # one collection per batch, not one per coreference instance
            batch = Batch([self._instance(item.document, window, spans) for item, window in work])
        batch.index_instances(self.run.vocab)
        device = inference_device(self.model)
        tensors = move_to_device(batch.as_tensor_dict(), device)
        readable = self._forward(tensors, None if len(tasks) == len(self.tasks) else tasks)
        for task in tasks:
            kind = self.tasks[task]
            output = readable[task]
            for row, (item, window) in enumerate(work):
                offset = window.start
                if kind == outputs.SPANS:
                    tags = output["tags"][row][: window.end - window.start]
                    item.spans[task].extend(
                        (label, offset + start, offset + end)
                        for label, start, end in self._tag_spans(task, tags))
                elif kind == outputs.RELATIONS:
                    item.relations[task].extend(
                        (kind_, offset + arg1, offset + arg2)
                        for arg1, arg2, kind_ in output["relations"][row])
                elif kind == outputs.CLUSTERS:
                    item.clusters[task].extend(
                        [(offset + start, offset + end + 1) for start, end in cluster]
                        for cluster in output["clusters"][row])
                else:
                    item.windows[task].append(window_output(task, output, row, len(work), window))

    def _forward(self, tensors: dict[str, Any],
                 tasks: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """The decoded output of every head, or of those of ``tasks``, for one batch
        (``predict_all``: shared layers once)."""
        with torch.inference_mode():
            raw = (self.model.predict_all(**tensors) if tasks is None
                   else self.model.predict_all(tasks=tasks, **tensors))
            return self.model.make_output_human_readable(raw)

    def _tag_spans(self, task: str, tags: Sequence[str]) -> list[Labeled]:
        """Typed spans (end exclusive) of a tag sequence; an invalid sequence (possible without
        constrained decoding) is read leniently as BIO."""
        head = self.model.heads[task]
        spans = tags_to_spans(tags, getattr(head, "label_encoding", None))
        return [(label, start, end + 1) for label, start, end in spans]

    def _argument_lookup(self, item: _Pending, task: str) -> dict[int, Labeled]:
        """Token position -> the predicted span that becomes an argument there (the first
        tagging task in the relation task's order wins)."""
        lookup: dict[int, Labeled] = {}
        for tagger in reversed(self._tagger_order[task]):
            for label, start, end in item.spans[tagger]:
                lookup.update(dict.fromkeys(range(start, end), (label, start, end)))
        return lookup

    def _to_json(self, item: _Pending) -> dict:
        document = item.document
        predictions: dict[str, list[dict]] = {}
        for task, kind in self.tasks.items():
            if kind == outputs.SPANS:
                predictions[task] = outputs.spans_json(document, item.spans[task])
            elif kind == outputs.RELATIONS:
                lookup = self._argument_lookup(item, task)
                relations = [
                    (relation_type, lookup.get(arg1, (None, arg1, arg1 + 1)),
                     lookup.get(arg2, (None, arg2, arg2 + 1)))
                    for relation_type, arg1, arg2 in item.relations[task]]
                predictions[task] = outputs.relations_json(
                    document, [r for r in relations if r[1][1:] != r[2][1:]])
            elif kind == outputs.CLUSTERS:
                predictions[task] = outputs.clusters_json(document, item.clusters[task])
            else:
                predictions[task] = sorted(item.windows[task],
                                           key=lambda window: (window["start"], window["end"]))
        return outputs.document_json(document, self.tasks, predictions, item.warnings)


def load_predictor(
    path: str | os.PathLike,
    cuda_device: int = -1,
    weights: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_window_tokens: int | None = None,
    max_window_sentences: int | None = None,
) -> Predictor:
    """A predictor for a run directory or model archive (weights as in ``load_trained_run``);
    without window limits, windows are the size the model was trained on (``trained_window``)."""
    return Predictor(load_trained_run(path, weights, cuda_device), batch_size, max_window_tokens,
                     max_window_sentences=max_window_sentences)
