"""Reading an experiment config: the original HMTL layout, checked and translated for AllenNLP 2.x.

The original configs (docs/FORMATS.md) have ``task_<name>`` blocks, ``model``, ``iterators`` and
``multi_task_trainer``. AllenNLP 2.x replaced iterators with data loaders, so the ``iterators``
block is translated here (``basic`` -> a shuffled ``batch_size`` loader, ``bucket`` -> a
``bucket`` batch sampler); the 2.x data-loader form is accepted too. Keys are checked so that a
misspelt one is an error naming the config section instead of being ignored.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from allennlp.common import Params, Registrable
from allennlp.common.checks import ConfigurationError

TASK_PREFIX = "task_"
OPTIONAL_TOP_LEVEL = ("iterators", "data_loader", "vocabulary", "regularizer", "data_limits")
REQUIRED_TOP_LEVEL = ("model", "multi_task_trainer")
TRAINER_FLOAT_KEYS = ("min_lr", "grad_norm", "grad_clipping", "temperature")

_ITERATOR_KEYS = {
    "basic": {"type", "batch_size"},
    "bucket": {"type", "batch_size", "sorting_keys", "padding_noise"},
}
_DEFAULT_BATCH_SIZE = 32
_DEFAULT_PADDING_NOISE = 0.1
_UNSUPPORTED_LOADER_KEYS = ("max_instances_in_memory", "batches_per_epoch")


def load_config(
    path: str | os.PathLike,
    overrides: str | dict[str, Any] | None = None,
    ext_vars: dict[str, str] | None = None,
) -> Params:
    """Load a JSON/Jsonnet config and merge ``overrides`` (a JSON object; dotted keys allowed)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ConfigurationError(f"{path}: the config file does not exist")
    raw = _read_plain_json(path) if path.endswith(".json") else None
    if raw is None:
        try:
            raw = Params.from_file(path, ext_vars=ext_vars).as_dict(quiet=True)
        except ConfigurationError:
            raise
        except (RuntimeError, ValueError) as error:
            raise ConfigurationError(
                f"{path}: not a valid JSON/Jsonnet config: {error}"
            ) from error
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: a config must be a JSON object")
    params = Params(apply_overrides(raw, overrides))
    check_top_level(params, path)
    return params


def _read_plain_json(path: str) -> Any:
    """A ``.json`` config read as plain JSON, keeping the order of its keys (Jsonnet sorts them,
    and the order of the task blocks is the order tasks are logged and validated in). ``None``
    when it is not plain JSON, so that Jsonnet (comments, variables) gets its turn."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except ValueError:
        return None


def apply_overrides(
    config: dict[str, Any], overrides: str | dict[str, Any] | None
) -> dict[str, Any]:
    """``config`` with ``overrides`` merged in, as ``-o`` did in AllenNLP 0.7 (the version of the
    original HMTL): an object merges into the object under the same key, key by key and at any
    depth, so ``{"multi_task_trainer": {"num_epochs": 1}}`` changes one key and keeps the rest;
    any other value (a number, a string, a list, null) replaces what was there, lists whole. An
    object whose ``"type"`` differs from the block it lands on replaces that block (the old
    block's keys are the old component's arguments). A dotted key ``"a.b.c"`` is the same as
    ``{"a": {"b": {"c": ...}}}``, at any depth."""
    if not overrides:
        return config
    if isinstance(overrides, str):
        try:
            parsed = json.loads(overrides)
        except ValueError as error:
            raise ConfigurationError(
                "-o/--overrides must be a JSON object such as "
                f"'{{\"multi_task_trainer.num_epochs\": 2}}'; got {overrides!r} ({error})"
            ) from error
    else:
        parsed = overrides
    if not isinstance(parsed, dict):
        raise ConfigurationError(f"-o/--overrides must be a JSON object; got {overrides!r}")
    return merge_overrides(config, parsed)


def merge_overrides(config: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``config`` with ``overrides`` merged in (see ``apply_overrides``)."""
    merged = copy.deepcopy(config)
    _merge_into(merged, overrides, "")
    return merged


def _merge_into(node: dict[str, Any], overrides: dict[str, Any], where: str) -> None:
    for key, value in overrides.items():
        parts = [key] if key in node or "." not in key else key.split(".")
        if any(not part for part in parts):
            raise ConfigurationError(f"-o/--overrides: key {where + key!r} has an empty part")
        target = node
        for depth, part in enumerate(parts[:-1]):
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                name = where + ".".join(parts[: depth + 1])
                raise ConfigurationError(
                    f"-o/--overrides: key {where + key!r} goes inside {name!r}, which is "
                    f"{_kind(child)} in the config, not an object"
                )
            target = child
        last, path = parts[-1], where + ".".join(parts)
        if isinstance(value, dict):
            current = target.get(last)
            if not isinstance(current, dict) or _other_component(current, value):
                target[last] = {}
            _merge_into(target[last], value, path + ".")
        else:
            target[last] = copy.deepcopy(value)


def _other_component(current: dict[str, Any], override: dict[str, Any]) -> bool:
    """Whether ``override`` names a component of another ``type`` than ``current``: its keys
    then belong to the new component, and the old block's keys (constructor arguments of the old
    type) would be wrong for it, so the block is replaced instead of merged."""
    return "type" in override and override["type"] != current.get("type")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"the value {value!r}"


def task_keys(params: Params) -> list[str]:
    """The ``task_<name>`` block keys, in config order."""
    return [key for key in params.keys() if key.startswith(TASK_PREFIX)]


def check_top_level(params: Params, source: str = "config") -> None:
    """Every top-level key is known and the required blocks are there."""
    known = set(REQUIRED_TOP_LEVEL) | set(OPTIONAL_TOP_LEVEL)
    unknown = [key for key in params.keys() if key not in known and not key.startswith(TASK_PREFIX)]
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown top-level key(s) {', '.join(map(repr, unknown))}; expected "
            f"task_<name> blocks, {', '.join(REQUIRED_TOP_LEVEL + OPTIONAL_TOP_LEVEL)}"
        )
    missing = [key for key in REQUIRED_TOP_LEVEL if key not in params]
    if missing:
        raise ConfigurationError(f"{source}: missing top-level block(s) {', '.join(missing)}")
    if not task_keys(params):
        raise ConfigurationError(f"{source}: no task_<name> block, so there is nothing to train")
    if "iterators" not in params and "data_loader" not in params:
        raise ConfigurationError(
            f"{source}: no 'iterators' block (or 2.x 'data_loader') saying how to batch the data"
        )


def trainer_params(params: Params) -> Params:
    """The ``multi_task_trainer`` block, normalised: the original misspelling
    ``sumarry_interval`` is accepted and numbers written as strings (``"min_lr": "1e-7"`` in the
    original configs) become floats."""
    block = params.get("multi_task_trainer")
    raw = copy.deepcopy(block.as_dict(quiet=True) if isinstance(block, Params) else block)
    if not isinstance(raw, dict):
        raise ConfigurationError("multi_task_trainer must be an object")
    if "sumarry_interval" in raw:
        if "summary_interval" in raw:
            raise ConfigurationError(
                "multi_task_trainer: both 'summary_interval' and its old misspelling "
                "'sumarry_interval' are set; keep one"
            )
        raw["summary_interval"] = raw.pop("sumarry_interval")
    for key in TRAINER_FLOAT_KEYS:
        value = raw.get(key)
        if isinstance(value, str):
            try:
                raw[key] = float(value)
            except ValueError as error:
                raise ConfigurationError(
                    f"multi_task_trainer.{key} must be a number; got {value!r}"
                ) from error
    return Params(raw)


class DataLoaderSpecs:
    """Per-task data-loader parameters from the ``iterators`` block (or a 2.x ``data_loader``).

    ``iterators`` holds a default ``iterator`` and optional ``iterator_<task>`` overrides (or
    ``data_loader`` / ``data_loader_<task>``). Each entry is an original iterator (``type``
    ``basic`` or ``bucket``) or a 2.x ``MultiProcessDataLoader`` block. Training loaders shuffle;
    evaluation loaders keep a fixed order and add no padding noise.
    """

    def __init__(self, entries: dict[str, dict[str, Any]], default: dict[str, Any] | None) -> None:
        self._entries = entries
        self._default = default

    @classmethod
    def from_config(cls, params: Params, task_names: Iterable[str]) -> DataLoaderSpecs:
        """Read and check the batching blocks of a whole config."""
        task_names = list(task_names)
        default: dict[str, Any] | None = None
        entries: dict[str, dict[str, Any]] = {}
        if "data_loader" in params:
            default = _as_dict(params.get("data_loader"), "data_loader")
        block = params.get("iterators", None)
        if block is not None:
            block = _as_dict(block, "iterators")
            for key, value in block.items():
                where = f"iterators.{key}"
                if key in ("iterator", "data_loader"):
                    if default is not None:
                        raise ConfigurationError(f"{where}: the default loader is given twice")
                    default = _as_dict(value, where)
                    continue
                for prefix in ("iterator_", "data_loader_"):
                    if key.startswith(prefix):
                        task = key[len(prefix):]
                        break
                else:
                    raise ConfigurationError(
                        f"{where}: unknown key; expected 'iterator' and 'iterator_<task>' "
                        f"(or 'data_loader' and 'data_loader_<task>')"
                    )
                if task not in task_names:
                    raise ConfigurationError(
                        f"{where}: there is no task named {task!r}; tasks are "
                        f"{', '.join(task_names)}"
                    )
                if task in entries:
                    raise ConfigurationError(f"{where}: task {task!r} has two loader blocks")
                entries[task] = _as_dict(value, where)
        specs = cls(entries, default)
        for task in task_names:
            for training in (True, False):
                specs.for_task(task, training)
        return specs

    def for_task(self, task_name: str, training: bool) -> dict[str, Any]:
        """``MultiProcessDataLoader`` parameters (without reader and path) for one task."""
        if task_name in self._entries:
            entry, where = self._entries[task_name], f"iterators.iterator_{task_name}"
        elif self._default is not None:
            entry, where = self._default, "iterators.iterator"
        else:
            raise ConfigurationError(
                f"iterators: no default 'iterator' and no 'iterator_{task_name}' for task "
                f"{task_name!r}"
            )
        return translate_loader_entry(entry, where, training)


def _as_dict(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, Params):
        value = value.as_dict(quiet=True)
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where}: expected an object, got {value!r}")
    return copy.deepcopy(value)


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{where}: expected a positive integer, got {value!r}")
    return value


def translate_loader_entry(entry: dict[str, Any], where: str, training: bool) -> dict[str, Any]:
    """One ``iterators`` entry as ``MultiProcessDataLoader`` parameters."""
    kind = entry.get("type")
    if kind is None and "sorting_keys" in entry:
        kind = "bucket"
    if kind in _ITERATOR_KEYS:
        unknown = sorted(set(entry) - _ITERATOR_KEYS[kind])
        if unknown:
            raise ConfigurationError(
                f"{where}: unsupported key(s) {', '.join(unknown)} for a {kind!r} iterator; "
                f"supported: {', '.join(sorted(_ITERATOR_KEYS[kind] - {'type'}))}"
            )
        batch_size = _positive_int(
            entry.get("batch_size", _DEFAULT_BATCH_SIZE), where + ".batch_size"
        )
        if kind == "basic":
            return {"batch_size": batch_size, "shuffle": training}
        sampler: dict[str, Any] = {"type": "bucket", "batch_size": batch_size, "shuffle": training}
        keys = entry.get("sorting_keys")
        if keys:
            if not isinstance(keys, list):
                raise ConfigurationError(f"{where}.sorting_keys: expected a list, got {keys!r}")
            # 0.x keys were [field, padding key] pairs; 2.x sorts by field name only.
            sampler["sorting_keys"] = [k[0] if isinstance(k, list | tuple) else k for k in keys]
        noise = entry.get("padding_noise", _DEFAULT_PADDING_NOISE)
        if isinstance(noise, bool) or not isinstance(noise, int | float):
            raise ConfigurationError(f"{where}.padding_noise: expected a number, got {noise!r}")
        sampler["padding_noise"] = float(noise) if training else 0.0
        return {"batch_sampler": sampler}
    if kind not in (None, "multiprocess"):
        raise ConfigurationError(
            f"{where}: unknown type {kind!r}; expected an original iterator ('basic', 'bucket') "
            "or a 2.x data loader ('multiprocess')"
        )
    loader = {key: value for key, value in entry.items() if key != "type"}
    for key in _UNSUPPORTED_LOADER_KEYS:
        if key in loader:
            raise ConfigurationError(
                f"{where}.{key}: not supported, because a multi-task epoch is defined by the "
                "number of batches of every task"
            )
    if "batch_size" not in loader and "batch_sampler" not in loader:
        raise ConfigurationError(f"{where}: give 'batch_size' or 'batch_sampler'")
    if not training:
        sampler_block = loader.get("batch_sampler")
        if isinstance(sampler_block, dict):
            sampler_block = dict(sampler_block)
            if sampler_block.get("type", "bucket") == "bucket":
                sampler_block["shuffle"] = False
                sampler_block["padding_noise"] = 0.0
            loader["batch_sampler"] = sampler_block
        else:
            loader["shuffle"] = False
    return loader


def registered_block(base: type[Registrable], block: dict[str, Any], key: str) -> dict[str, Any]:
    """``block`` with its ``type`` (``base``'s default when absent) checked against what is
    registered under ``base``; ``key`` names the setting in the one-line error that lists the
    registered names."""
    block = dict(block)
    name = block.get("type", base.default_implementation)
    available = base.list_available()
    if name not in available:
        raise ConfigurationError(
            f"{key} must be one of {', '.join(available)}; got {name!r}"
        )
    block["type"] = name
    return block


def registered_setting(
    base: type[Registrable], block: Any, setting: str, example: str
) -> dict[str, Any]:
    """A trainer setting naming a ``base`` part (absent, a name, or an object with ``type``) as
    an object whose ``type`` is registered; ``setting`` (e.g. ``multi_task_trainer.tracker``)
    and ``example`` (a valid object) are quoted in the one-line errors."""
    if isinstance(block, Params):
        block = block.as_dict(quiet=True)
    if block is None:
        block = {}
    elif isinstance(block, str):
        block = {"type": block}
    elif not isinstance(block, Mapping):
        raise ConfigurationError(f"{setting} must be an object like {example}; got {block!r}")
    return registered_block(base, dict(block), f"{setting}.type")


def construct_registered(
    base: type[Registrable], block: dict[str, Any], setting: str, **extras: Any
) -> Any:
    """``base.from_params`` of a checked ``registered_setting`` block, with the constructor's
    errors as one line naming ``setting`` (an error that already names a key of the same
    section, e.g. ``multi_task_trainer.optimizer``, is kept as it is)."""
    try:
        return base.from_params(Params(copy.deepcopy(block)), **extras)
    except ConfigurationError as error:
        if error.message.startswith(setting.split(".")[0]):
            raise
        raise ConfigurationError(f"{setting}: {error.message}") from error
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"{setting}: {error}") from error


def build_registered(
    base: type[Registrable], block: Any, setting: str, example: str, **extras: Any
) -> Any:
    """The ``base`` part that the setting ``block`` names (see ``registered_setting``), built
    with ``extras``: every error is one line naming ``setting``."""
    return construct_registered(
        base, registered_setting(base, block, setting, example), setting, **extras
    )
