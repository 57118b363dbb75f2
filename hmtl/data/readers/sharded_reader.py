"""The base of every hmtl reader: streaming, sharded across workers, indexers applied late.

AllenNLP 2.x readers are generators; each one here slices its stream of sentences (or documents)
with `shard_iterable`, so that the multi-process data loader and distributed training split the
data instead of duplicating it, and builds its `TextField`s without indexers, which
`apply_token_indexers` adds in the main process (indexers are not pickled with every instance).

Constructor annotations in the reader modules are runtime `typing` objects (no postponed
annotations, `Optional[...]` rather than `X | None`): AllenNLP's `from_params` reads them to build
the token indexers and cannot interpret strings or `types.UnionType`.
"""


import inspect
import logging
from typing import Any, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance, TokenIndexer
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer

from hmtl.data.formats.paths import walk_data_files
from hmtl.data.readers.read_summary import ReadSummary

logger = logging.getLogger(__name__)


def _accepted_arguments(cls: type) -> list[str]:
    """Every keyword a reader class accepts, along its chain of `**kwargs` constructors."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and issubclass(klass, DatasetReader):
            parameters = inspect.signature(klass.__init__).parameters.values()
            names.update(p.name for p in parameters
                         if p.name != "self" and p.kind is not p.VAR_KEYWORD)
    return sorted(names)


class ShardedReader(DatasetReader):
    """Shared constructor and `apply_token_indexers`; `text_field_name` is the instance's
    `TextField`. Accepts the AllenNLP base-class arguments (`max_instances`,
    `manual_distributed_sharding`, `manual_multiprocess_sharding`, `serialization_dir`); the
    two sharding flags are always true, since these readers shard themselves.

    `read_summary` is the `ReadSummary` of the latest `read()` (None before the first one).
    """

    text_field_name = "tokens"

    def __init__(self, token_indexers: Optional[dict[str, TokenIndexer]] = None,  # noqa: UP045
                 **kwargs: Any) -> None:
        if "lazy" in kwargs:
            # AllenNLP 0.x's flag: the original configs say `"lazy": false`; 2.x readers always
            # stream, so the key is accepted for those configs and has no effect.
            logger.info("%s: 'lazy' is ignored (AllenNLP 2.x readers always stream)",
                        type(self).__name__)
            kwargs.pop("lazy")
        unknown = set(kwargs) - set(inspect.signature(DatasetReader.__init__).parameters)
        if unknown:
            raise ConfigurationError(
                f"{type(self).__name__}: unknown argument(s) {', '.join(sorted(unknown))}; "
                f"accepted: {', '.join(_accepted_arguments(type(self)))}"
            )
        for flag in ("manual_distributed_sharding", "manual_multiprocess_sharding"):
            if not kwargs.pop(flag, True):
                raise ConfigurationError(
                    f"{type(self).__name__}: {flag} must be true (or left out): this reader "
                    "shards its input itself, so turning it off would duplicate the data"
                )
        super().__init__(manual_distributed_sharding=True, manual_multiprocess_sharding=True,
                         **kwargs)
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}
        self.read_summary: ReadSummary | None = None

    def _start_summary(self, file_path: str) -> ReadSummary:
        """A fresh summary for a read of `file_path`, kept as `read_summary`."""
        self.read_summary = ReadSummary(file_path)
        return self.read_summary

    def _find_files(self, summary: ReadSummary, suffix: str) -> list[str]:
        """The files under `summary.path` ending in `suffix`, each read once; the paths left out
        to avoid reading a file twice are logged as warnings and kept in the summary."""
        found = walk_data_files(summary.path, suffix)
        for note in found.notes():
            logger.warning("%s: %s", type(self).__name__, note)
            summary.repeated_paths.append(note)
        return found.files

    def apply_token_indexers(self, instance: Instance) -> None:
        field = instance.fields[self.text_field_name]
        assert isinstance(field, TextField)
        field.token_indexers = self._token_indexers
