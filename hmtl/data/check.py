"""Read every split of every task without training, and summarise what was read.

Used by ``hmtl check-data`` so that data preparation can be verified (and malformed files found,
with the readers' file-and-line errors) before hours of training are spent. Counts come from the
instances the readers build (DESIGN.md §2), so they are what the model would see; files,
documents, sentences and what was skipped come from the readers' own ``ReadSummary``, so they
follow the readers' rules. Limits of the model (a transformer's length, the coreference head's
``max_span_width``, the lengths a head can take within a memory budget) are given as
``ModelLimits`` (``hmtl.experiment.limits`` takes them from the config's ``model`` and
``data_limits`` blocks), so nothing here knows about models. Training checks the same lengths
with ``LengthCheck`` before its first step, so a sentence the model cannot take stops the run with
the message check-data prints.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import ListField, MetadataField, SequenceLabelField, TextField

from hmtl.data.readers.coreference_common import CoreferenceReader
from hmtl.data.readers.ner_ontonotes import NerOntonotesReader
from hmtl.data.readers.read_summary import (
    SKIP_DOMAIN,
    SKIP_GENRE,
    SKIP_LANGUAGE,
    SOURCE,
    ReadSummary,
    Source,
)
from hmtl.data.readers.sharded_reader import ShardedReader
from hmtl.data.splits import SPLITS

NO_RELATION = "*"
RELATION_PREFIXES = ("ARG1_", "ARG2_")
#: The OntoNotes genre without named-entity annotation (the Bible).
UNANNOTATED_GENRE = "pt"
#: What a ``LengthLimit`` counts: an instance's tokens, or a document's candidate spans.
TOKENS = "tokens"
SPANS = "candidate spans"
#: Tokens beyond which a sentence is taken for sentences run together
#: (``data_limits.max_sentence_tokens``): real sentences have at most a few hundred.
DEFAULT_MAX_SENTENCE_TOKENS = 1000
SENTENCE_TOKENS_SETTING = "data_limits.max_sentence_tokens"


class TransformerLimit:
    """The length limit of a transformer embedder, and its tokenizer to count wordpieces.

    Only a local model directory is used (nothing is downloaded): ``max_position_embeddings``
    from its ``config.json``, the tokenizer from its files. ``problem`` says why lengths cannot
    be checked (then ``tokenizer`` is None).
    """

    def __init__(self, model_name: str, max_length: int | None,
                 tokenizer_kwargs: dict[str, Any] | None = None) -> None:
        self.model_name = model_name
        self.max_length = max_length
        self.max_positions: int | None = None
        self.problem: str | None = None
        self.tokenizer: Any = None
        self._specials = 0
        self._word_pieces: dict[str, int] = {}
        if not os.path.isdir(model_name):
            self.problem = ("it is not a local directory (check-data never downloads models), "
                            "so sentence lengths in wordpieces were not checked")
            return
        config = Path(model_name) / "config.json"
        if config.is_file():
            self.max_positions = json.loads(config.read_text(encoding="utf-8")).get(
                "max_position_embeddings")
        if self.max_length is None and self.max_positions is None:
            self.problem = ("neither max_length nor a config.json with max_position_embeddings "
                            "gives its limit, so sentence lengths were not checked")
            return
        from allennlp.data.tokenizers import PretrainedTransformerTokenizer

        try:
            self.tokenizer = PretrainedTransformerTokenizer(
                model_name, tokenizer_kwargs=tokenizer_kwargs)
        except (OSError, ValueError) as error:
            self.problem = f"its tokenizer cannot be loaded ({error}), so lengths were not checked"
            return
        self._specials = (len(self.tokenizer.single_sequence_start_tokens)
                          + len(self.tokenizer.single_sequence_end_tokens))

    @property
    def limit(self) -> int | None:
        """Wordpieces (special tokens included) beyond which an input is folded or fails."""
        return self.max_length if self.max_length is not None else self.max_positions

    def wordpieces(self, words: Sequence[str]) -> int:
        """Wordpieces of ``words`` as the mismatched indexer makes them (each word tokenised on
        its own), special tokens included."""
        total = self._specials
        for word in words:
            count = self._word_pieces.get(word)
            if count is None:
                count = len(self.tokenizer.intra_word_tokenize([word])[0]) - self._specials
                self._word_pieces[word] = count
            total += count
        return total

    def describe_excess(self, count: int, unit: str, longest: int) -> str:
        """What happens to the ``count`` inputs longer than the limit."""
        inputs = _plural(count, unit)
        if self.max_length is not None:
            return (f"{inputs} longer than max_length={self.max_length} wordpieces of transformer "
                    f"{self.model_name} (longest: {longest}, special tokens included): they are "
                    "split into segments encoded separately")
        return (f"{inputs} longer than the {self.max_positions} positions "
                f"(max_position_embeddings) of transformer {self.model_name} (longest: "
                f"{longest} wordpieces, special tokens included): the embedder cannot encode "
                "them; set the embedder's max_length to fold long inputs")


class CheckedTask(Protocol):
    """What the check needs of a task (``hmtl.experiment.task.Task`` has it): its name, its
    readers (validation and test are read with ``validation_reader``) and its split paths."""

    name: str
    reader: DatasetReader
    validation_reader: DatasetReader
    paths: dict[str, str | None]


@dataclass(frozen=True)
class LengthLimit:
    """The most ``measure`` (``TOKENS`` or ``SPANS``) an instance may have; ``setting`` is the
    config key that changes it and ``reason`` says why it is there."""

    measure: str
    limit: int
    setting: str
    reason: str


def sentence_limit(limit: int | None = DEFAULT_MAX_SENTENCE_TOKENS) -> LengthLimit | None:
    """The limit on every sentence's tokens (None: no limit)."""
    if limit is None:
        return None
    return LengthLimit(TOKENS, limit, SENTENCE_TOKENS_SETTING,
                       "probably sentences run together (a missing blank line); raise the limit "
                       "if they are real")


@dataclass
class LengthLimits:
    """The token limit of every sentence, and each task's own limits (what its head can take)."""

    sentence: LengthLimit | None = field(default_factory=sentence_limit)
    tasks: dict[str, list[LengthLimit]] = field(default_factory=dict)

    def for_task(self, task: str, unit: str) -> list[LengthLimit]:
        """The limits of ``task``'s instances, which are ``unit``s (the sentence limit does not
        apply to documents)."""
        general = [self.sentence] if self.sentence is not None and unit != "document" else []
        return general + self.tasks.get(task, [])


@dataclass
class ModelLimits:
    """What the config's model cannot take: transformer lengths, each coreference task's head
    ``max_span_width``, and the lengths of sentences and documents."""

    transformers: list[TransformerLimit] = field(default_factory=list)
    span_widths: dict[str, int] = field(default_factory=dict)
    lengths: LengthLimits = field(default_factory=LengthLimits)


def instance_unit(reader: DatasetReader) -> str:
    """What one instance of ``reader`` is: a document, a sentence, or (readers outside hmtl) an
    instance."""
    if isinstance(reader, CoreferenceReader):
        return "document"
    return "sentence" if isinstance(reader, ShardedReader) else "instance"


@dataclass
class _Excess:
    limit: LengthLimit
    count: int = 0
    largest: int = 0
    first: Source | None = None
    first_size: int = 0


class LengthCheck:
    """Counts the instances of one split beyond each limit, and where the first one is (the
    readers' ``source`` metadata)."""

    def __init__(self, limits: Sequence[LengthLimit], unit: str) -> None:
        self.unit = unit
        self._excesses = [_Excess(limit) for limit in limits]

    def add(self, instance: Instance) -> None:
        """Measure one instance against every limit."""
        if not self._excesses:
            return
        fields = instance.fields
        sizes: dict[str, int] = {}
        text = next((f for f in fields.values() if isinstance(f, TextField)), None)
        if text is not None:
            sizes[TOKENS] = len(text)
        spans = fields.get("spans")
        if isinstance(spans, ListField):
            sizes[SPANS] = len(spans.field_list)
        for excess in self._excesses:
            size = sizes.get(excess.limit.measure)
            if size is None or size <= excess.limit.limit:
                continue
            excess.count += 1
            excess.largest = max(excess.largest, size)
            if excess.count == 1:
                excess.first_size = size
                metadata = fields.get("metadata")
                if isinstance(metadata, MetadataField) and isinstance(metadata.metadata, dict):
                    excess.first = metadata.metadata.get(SOURCE)

    def messages(self) -> list[str]:
        """One line per limit exceeded: how many, the first (file and line) and the largest."""
        lines = []
        for excess in self._excesses:
            if not excess.count:
                continue
            limit = excess.limit
            inputs = _plural(excess.count, self.unit)
            if limit.measure == TOKENS:
                what, largest = f"{inputs} longer than {limit.limit} tokens", "longest"
            else:
                what, largest = f"{inputs} with more than {limit.limit} {limit.measure}", "most"
            first = f" at {excess.first}" if excess.first is not None else ""
            lines.append(f"{what} ({limit.setting}; first{first}: {excess.first_size} "
                         f"{limit.measure}; {largest}: {excess.largest}): {limit.reason}")
        return lines


@dataclass
class SplitStats:
    """What one split of one task contains. ``documents`` and ``sentences`` are None when the
    reader does not say (readers outside hmtl); ``unit`` names an instance (sentence or
    document); ``too_long`` maps a transformer to (inputs over its limit, longest in
    wordpieces); ``beyond_lengths`` says which instances are beyond the ``LengthLimits``."""

    path: str
    files: int = 0
    documents: int | None = None
    sentences: int | None = None
    instances: int = 0
    tokens: int = 0
    longest: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    relations: int = 0
    clusters: int = 0
    mentions: int = 0
    unit: str = "instance"
    summary: ReadSummary | None = None
    too_long: dict[str, tuple[int, int]] = field(default_factory=dict)
    beyond_lengths: list[str] = field(default_factory=list)


@dataclass
class TaskStats:
    """The splits of one task that have a path, in the order train, validation, test."""

    name: str
    splits: dict[str, SplitStats] = field(default_factory=dict)


@dataclass
class DataReport:
    """Counts of every task and split; what the readers skipped by their settings (``skipped``);
    what looks wrong (``warnings``); what will fail in training (``errors``)."""

    tasks: list[TaskStats] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def count_files(path: str) -> int:
    """Files a split path stands for, for readers that keep no summary: the file itself, or
    every file under a directory."""
    if os.path.isdir(path):
        return sum(1 for item in Path(path).rglob("*") if item.is_file())
    return 1 if os.path.exists(path) else 0


def _add_instance(stats: SplitStats, instance: Instance) -> None:
    stats.instances += 1
    fields = instance.fields
    text = next((f for f in fields.values() if isinstance(f, TextField)), None)
    if text is not None:
        stats.tokens += len(text)
        stats.longest = max(stats.longest, len(text))
    tags = fields.get("tags")
    if isinstance(tags, SequenceLabelField):
        stats.labels.update(str(label) for label in tags.labels)
    relations = fields.get("relations")
    if isinstance(relations, ListField):
        for frame in relations.field_list:
            types = {
                str(label)[len(prefix):]
                for label in frame.labels  # type: ignore[attr-defined]
                for prefix in RELATION_PREFIXES
                if str(label).startswith(prefix)
            }
            for relation_type in sorted(types):
                stats.relations += 1
                stats.labels[relation_type] += 1
    metadata = fields.get("metadata")
    if isinstance(metadata, MetadataField) and "clusters" in metadata.metadata:
        clusters = metadata.metadata["clusters"] or []
        stats.clusters += len(clusters)
        stats.mentions += sum(len(cluster) for cluster in clusters)


def _measure(stats: SplitStats, instance: Instance,
             transformers: Sequence[TransformerLimit]) -> None:
    text = next((f for f in instance.fields.values() if isinstance(f, TextField)), None)
    if text is None:
        return
    words = [token.text for token in text.tokens]
    for transformer in transformers:
        limit = transformer.limit
        if transformer.tokenizer is None or limit is None:
            continue
        pieces = transformer.wordpieces(words)
        if pieces > limit:
            count, longest = stats.too_long.get(transformer.model_name, (0, 0))
            stats.too_long[transformer.model_name] = (count + 1, max(longest, pieces))


def read_split(reader: DatasetReader, path: str,
               transformers: Sequence[TransformerLimit] = (),
               lengths: Sequence[LengthLimit] = ()) -> SplitStats:
    """Read one split with ``reader``; malformed input raises the reader's FormatError."""
    stats = SplitStats(path=path)
    lengths_check = LengthCheck(lengths, instance_unit(reader))
    for instance in reader.read(path):
        _add_instance(stats, instance)
        _measure(stats, instance, transformers)
        lengths_check.add(instance)
    stats.beyond_lengths = lengths_check.messages()
    summary = reader.read_summary if isinstance(reader, ShardedReader) else None
    if summary is None:
        stats.files = count_files(path)
        return stats
    stats.summary = summary
    stats.files = len(summary.files)
    stats.documents = summary.documents
    stats.sentences = summary.sentences
    stats.unit = instance_unit(reader)
    return stats


def check_tasks(tasks: Sequence[CheckedTask], limits: ModelLimits | None = None) -> DataReport:
    """Read every split of every task (train with the task's reader, validation and test with its
    validation reader) and collect counts, what was skipped, warnings (empty splits, unseen
    labels, suspicious files, files reached twice, inputs beyond the model's limits) and
    errors."""
    limits = limits or ModelLimits()
    report = DataReport()
    for transformer in limits.transformers:
        if transformer.problem:
            report.warnings.append(f"transformer {transformer.model_name}: {transformer.problem}")
        elif (transformer.max_length is not None and transformer.max_positions is not None
              and transformer.max_length > transformer.max_positions):
            report.warnings.append(
                f"transformer {transformer.model_name}: max_length={transformer.max_length} is "
                f"more than its {transformer.max_positions} positions (max_position_embeddings)")
    for task in tasks:
        task_stats = TaskStats(task.name)
        for split in SPLITS:
            path = task.paths.get(split)
            if not path:
                continue
            reader = task.reader if split == "train" else task.validation_reader
            stats = read_split(reader, path, limits.transformers,
                               limits.lengths.for_task(task.name, instance_unit(reader)))
            task_stats.splits[split] = stats
            where = f"task {task.name}: {split}"
            if stats.instances == 0:
                report.warnings.append(f"{where} split {path} is empty")
            if stats.summary is not None:
                report.skipped.extend(f"{where}: {line}" for line in _skipped(stats.summary))
                report.warnings.extend(f"{where}: {line}" for line in stats.summary.repeated_paths)
                report.warnings.extend(f"{where}: {line}"
                                       for line in _suspicious_files(stats.summary, reader))
                report.warnings.extend(f"{where}: {line}" for line in _beyond_reader_limits(
                    stats.summary))
                report.errors.extend(_span_width_errors(task.name, stats.summary,
                                                        limits.span_widths))
            report.warnings.extend(f"{where}: {line}" for line in stats.beyond_lengths)
            for transformer in limits.transformers:
                if transformer.model_name in stats.too_long:
                    count, longest = stats.too_long[transformer.model_name]
                    report.warnings.append(
                        f"{where}: {transformer.describe_excess(count, stats.unit, longest)}")
        report.warnings.extend(_unseen_label_warnings(task_stats))
        report.tasks.append(task_stats)
    report.errors = list(dict.fromkeys(report.errors))  # one line per reader, not per split
    return report


def _group_directory(paths: Sequence[str]) -> str:
    """The directory holding ``paths``, cut after an OntoNotes genre component when there is
    one (``.../annotations/pt``)."""
    directory = os.path.commonpath([os.path.dirname(path) for path in paths])
    parts = directory.split(os.sep)
    if "annotations" in parts[:-1]:
        index = len(parts) - 1 - parts[::-1].index("annotations")
        directory = os.sep.join(parts[:index + 2])
    return directory


def _skipped(summary: ReadSummary) -> Iterable[str]:
    """What the reader left out by its settings, and why."""
    by_kind: dict[str, dict[str, list[str]]] = {}
    for (kind, value), paths in sorted(summary.skipped_files.items()):
        by_kind.setdefault(kind, {})[value] = paths
    for value, paths in by_kind.get(SKIP_GENRE, {}).items():
        files = f"{_plural(len(paths), 'file')} under {_group_directory(paths)}"
        if value == UNANNOTATED_GENRE:
            yield (f"{files} skipped: the pt genre (the Bible) has no named-entity annotation "
                   "(exclude_genres)")
        else:
            yield f"{files} skipped: genre {value!r} is in exclude_genres"
    languages = by_kind.get(SKIP_LANGUAGE, {})
    if languages:
        count = sum(len(paths) for paths in languages.values())
        kept = set(summary.file_languages())
        other = "non-English" if kept == {"english"} else "other-language"
        details = ", ".join(f"{language}: {len(paths)}" for language, paths in languages.items())
        yield f"{_plural(count, other + ' file')} skipped ({details}; languages)"
    for value, paths in by_kind.get(SKIP_DOMAIN, {}).items():
        yield f"{_plural(len(paths), 'file')} outside domain_identifier {value!r} skipped"
    for reason, count in sorted(summary.skipped.items()):
        yield f"{count} {reason} skipped"


def _suspicious_files(summary: ReadSummary, reader: DatasetReader) -> Iterable[str]:
    """Files the reader did read but that are probably not meant to be: several languages in one
    split, and pt files read for named entities."""
    languages = summary.file_languages()
    if len(languages) > 1:
        details = ", ".join(f"{language}: {count}" for language, count in sorted(languages.items()))
        yield f"files in {len(languages)} languages were read ({details})"
    pt_files = summary.file_genres()[UNANNOTATED_GENRE]
    if pt_files and isinstance(reader, NerOntonotesReader):
        yield (f"{_plural(pt_files, 'file')} of the pt genre read: it has no named-entity "
               "annotation, so its sentences teach that nothing is an entity (add 'pt' to "
               "exclude_genres)")


def _beyond_reader_limits(summary: ReadSummary) -> Iterable[str]:
    """Gold annotation the model can never predict, and truncated documents."""
    if summary.wide_mentions:
        yield (f"{summary.wide_mentions} of {_plural(summary.gold_mentions, 'gold mention')} "
               f"wider than max_span_width={summary.max_span_width} (widest: "
               f"{summary.widest_mention} tokens): no candidate span covers them, so the model "
               "can never predict them")
    if summary.truncated_documents:
        yield (f"{_plural(summary.truncated_documents, 'document')} truncated to max_sentences "
               f"(longest: {summary.most_sentences} sentences)")


def _span_width_errors(task: str, summary: ReadSummary,
                       head_widths: dict[str, int]) -> Iterable[str]:
    head = head_widths.get(task)
    reader = summary.max_span_width
    if head is not None and reader is not None and reader > head:
        yield (f"task {task}: the reader's max_span_width={reader} is more than the "
               f"coreference head's max_span_width={head}: the head refuses the wider candidate "
               "spans; use the same value in both")


def _unseen_label_warnings(task_stats: TaskStats) -> Iterable[str]:
    train = task_stats.splits.get("train")
    if train is None:
        return
    for split in ("validation", "test"):
        stats = task_stats.splits.get(split)
        if stats is None:
            continue
        unseen = sorted(set(stats.labels) - set(train.labels))
        if unseen:
            yield (
                f"task {task_stats.name}: {split} has labels never seen in train: "
                + ", ".join(f"{label} ({stats.labels[label]})" for label in unseen)
            )


COLUMNS = ("task", "split", "files", "documents", "sentences", "instances", "tokens", "longest",
           "relations", "clusters", "mentions")


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def _section(title: str, lines: Sequence[str]) -> list[str]:
    if not lines:
        return [f"{title}: none"]
    return [f"{title}:", *(f"  - {line}" for line in lines)]


def format_report(report: DataReport) -> str:
    """A plain-text table (one row per task and split, then the label counts), then what was
    skipped, the warnings and, if any, the errors."""
    rows = [list(COLUMNS)]
    label_lines = []
    for task_stats in report.tasks:
        for split, stats in task_stats.splits.items():
            rows.append([
                task_stats.name, split, str(stats.files), _cell(stats.documents),
                _cell(stats.sentences), str(stats.instances), str(stats.tokens),
                str(stats.longest), str(stats.relations), str(stats.clusters),
                str(stats.mentions),
            ])
            if stats.labels:
                counts = ", ".join(f"{label}={n}" for label, n in sorted(stats.labels.items()))
                label_lines.append(f"{task_stats.name} {split} labels: {counts}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    lines.extend(label_lines)
    lines.extend(_section("skipped", report.skipped))
    lines.extend(_section("warnings", report.warnings))
    if report.errors:
        lines.extend(_section("errors", report.errors))
    return "\n".join(lines)
