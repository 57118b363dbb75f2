"""Check that every embedding file a model config names exists, before any data is read.

Reading a corpus takes minutes; a missing GloVe or ELMo file would otherwise only fail when the
model is built, after that, with a bare ``FileNotFoundError`` from deep inside AllenNLP. Nothing
can be downloaded at run time either, so URLs and AllenNLP's download defaults are refused too.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

#: Keys that name a file an embedder loads.
FILE_KEYS = ("pretrained_file", "options_file", "weight_file")

#: Embedder types that load a Hugging Face model from ``model_name``.
TRANSFORMER_TYPES = ("pretrained_transformer", "pretrained_transformer_mismatched")

_HINT = "script/data_setup.sh downloads GloVe and ELMo into data/"
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# AllenNLP's archive member syntax: "(path/to/archive.zip)#member.txt".
_ARCHIVE_MEMBER = re.compile(r"^\((.+)\)#.+$")


def _walk(node: Any, where: str) -> Iterator[tuple[str, dict]]:
    """Every dict in a nested config, with its dotted location."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}.{index}")


def _check_file(location: str, key: str, value: Any, base: Path) -> None:
    if not isinstance(value, str):
        raise ConfigurationError(f"{location}.{key} must be a file path, got {value!r}")
    if _URL.match(value):
        raise ConfigurationError(
            f"{location}.{key} is the URL {value}; nothing can be downloaded at run time: "
            f"point it to a local file ({_HINT})"
        )
    archive = _ARCHIVE_MEMBER.match(value)
    path = Path(archive.group(1) if archive else value).expanduser()
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise ConfigurationError(
            f"{location}.{key}: the embedding file {value} does not exist "
            f"(looked for {path}); {_HINT}"
        )


def check_embedding_files(model_params: Params | dict, base_dir: str | Path = ".") -> None:
    """Raise ``ConfigurationError`` naming the first missing embedding file of a model config.

    Checks ``pretrained_file``, ``options_file`` and ``weight_file`` anywhere in the config
    (relative paths are taken from ``base_dir``, the directory training runs in), that ELMo
    embedders name both their files (AllenNLP would otherwise download its defaults), and that
    a transformer embedder's ``model_name`` is a local model directory.
    """
    config = model_params.as_dict(quiet=True) if isinstance(model_params, Params) else model_params
    base = Path(base_dir)
    for location, node in _walk(config, "model"):
        for key in FILE_KEYS:
            if key in node:
                _check_file(location, key, node[key], base)
        if node.get("type") == "elmo_token_embedder":
            for key in ("options_file", "weight_file"):
                if key not in node:
                    raise ConfigurationError(
                        f"{location}: an elmo_token_embedder needs a local {key} "
                        f"(AllenNLP's default is a URL, which cannot be downloaded); {_HINT}"
                    )
        if node.get("type") in TRANSFORMER_TYPES:
            name = node.get("model_name")
            directory = Path(str(name)).expanduser()
            if not directory.is_absolute():
                directory = base / directory
            if not (directory / "config.json").is_file():
                raise ConfigurationError(
                    f"{location}.model_name: {name!r} is not a local transformer model "
                    f"directory (no {directory / 'config.json'}); nothing can be downloaded at "
                    "run time: save the model with save_pretrained() and give its directory"
                )
