"""Read every split of every task without training, and summarise what was read.

Used by ``hmtl check-data`` so that data preparation can be verified (and malformed files found,
with the readers' file-and-line errors) before hours of training are spent. Counts come from the
instances the readers build (DESIGN.md §2), so they are what the model would see.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from allennlp.data import DatasetReader, Instance
from allennlp.data.fields import ListField, MetadataField, SequenceLabelField, TextField

from hmtl.training.task import SPLITS, Task

NO_RELATION = "*"
RELATION_PREFIXES = ("ARG1_", "ARG2_")


@dataclass
class SplitStats:
    """What one split of one task contains."""

    path: str
    files: int = 0
    instances: int = 0
    tokens: int = 0
    longest: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    relations: int = 0
    clusters: int = 0
    mentions: int = 0


@dataclass
class TaskStats:
    """The splits of one task that have a path, in the order train, validation, test."""

    name: str
    splits: dict[str, SplitStats] = field(default_factory=dict)


@dataclass
class DataReport:
    """Counts of every task and split, and the warnings found while reading them."""

    tasks: list[TaskStats] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def count_files(path: str) -> int:
    """Files a split path stands for: the file itself, or every file under a directory."""
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


def read_split(reader: DatasetReader, path: str) -> SplitStats:
    """Read one split with ``reader``; malformed input raises the reader's FormatError."""
    stats = SplitStats(path=path, files=count_files(path))
    for instance in reader.read(path):
        _add_instance(stats, instance)
    return stats


def check_tasks(tasks: Sequence[Task]) -> DataReport:
    """Read every split of every task (train with the task's reader, validation and test with its
    validation reader) and collect counts and warnings (empty splits, unseen labels)."""
    report = DataReport()
    for task in tasks:
        task_stats = TaskStats(task.name)
        for split in SPLITS:
            path = task.paths.get(split)
            if not path:
                continue
            reader = task.reader if split == "train" else task.validation_reader
            stats = read_split(reader, path)
            task_stats.splits[split] = stats
            if stats.instances == 0:
                report.warnings.append(f"task {task.name}: {split} split {path} is empty")
        report.warnings.extend(_unseen_label_warnings(task_stats))
        report.tasks.append(task_stats)
    return report


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


COLUMNS = ("task", "split", "files", "instances", "tokens", "longest", "relations", "clusters",
           "mentions")


def format_report(report: DataReport) -> str:
    """A plain-text table (one row per task and split, then the label counts) and the warnings."""
    rows = [list(COLUMNS)]
    label_lines = []
    for task_stats in report.tasks:
        for split, stats in task_stats.splits.items():
            rows.append([
                task_stats.name, split, str(stats.files), str(stats.instances), str(stats.tokens),
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
    if report.warnings:
        lines.append("warnings:")
        lines.extend(f"  - {warning}" for warning in report.warnings)
    else:
        lines.append("warnings: none")
    return "\n".join(lines)
