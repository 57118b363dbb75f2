"""Tiny embedding files written on the fly, for tests (no pretrained file can be downloaded).

* ``write_glove``: a GloVe-format text file (plain, ``.gz`` or ``.zip``) of a few words;
* ``write_elmo``: an ELMo options JSON + random biLM weights in the hdf5 layout AllenNLP's ELMo
  loader reads (TensorFlow-style names and shapes);
* ``write_bert``: a randomly initialised BERT-style model and WordPiece vocabulary, saved as a
  local Hugging Face model directory.
"""

import gzip
import json
import string
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy

#: ELMo's character ids go up to 260; AllenNLP adds the padding row itself.
_ELMO_CHARACTERS = 261

_BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def glove_vectors(words: Sequence[str], dim: int, seed: int = 0) -> dict[str, list[float]]:
    """Distinct random vectors, rounded to 4 decimals so they survive the text round trip."""
    rng = numpy.random.default_rng(seed)
    return {word: [round(float(x), 4) for x in rng.normal(size=dim)] for word in words}


def write_glove(
    path: str | Path, vectors: dict[str, list[float]], compression: str | None = None
) -> Path:
    """Write ``word v1 … vn`` lines; ``compression`` None, ``"gz"`` or ``"zip"`` (one member).

    Returns the path to give as ``pretrained_file`` (the archive itself for gz and zip).
    """
    path = Path(path)
    text = "".join(
        word + " " + " ".join(f"{x:.4f}" for x in vector) + "\n" for word, vector in vectors.items()
    )
    if compression is None:
        path.write_text(text, encoding="utf-8")
    elif compression == "gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    elif compression == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("glove.txt", text)
    else:
        raise ValueError(f"compression must be None, 'gz' or 'zip', got {compression!r}")
    return path


def elmo_options(
    projection_dim: int = 4,
    cell_dim: int = 8,
    n_layers: int = 2,
    filters: Sequence[tuple[int, int]] = ((1, 4), (2, 4)),
    char_dim: int = 4,
    n_highway: int = 1,
) -> dict:
    """An ELMo options dict; the embedder's output size is ``2 * projection_dim``."""
    return {
        "lstm": {
            "use_skip_connections": True,
            "projection_dim": projection_dim,
            "cell_clip": 3,
            "proj_clip": 3,
            "dim": cell_dim,
            "n_layers": n_layers,
        },
        "char_cnn": {
            "activation": "relu",
            "filters": [list(f) for f in filters],
            "n_highway": n_highway,
            "embedding": {"dim": char_dim},
            "n_characters": _ELMO_CHARACTERS + 1,
            "max_characters_per_token": 50,
        },
    }


def write_elmo(directory: str | Path, seed: int = 0, **options: int) -> tuple[Path, Path]:
    """Write ``elmo_options.json`` and ``elmo_weights.hdf5`` with random weights.

    ``options`` are passed to ``elmo_options`` (e.g. ``projection_dim=512`` gives the original
    1024-dimensional output with a cheap LSTM cell). Returns (options_file, weight_file).
    """
    import h5py  # only the tests need it

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = elmo_options(**options)
    rng = numpy.random.default_rng(seed)

    def random(*shape: int) -> numpy.ndarray:
        return (rng.normal(size=shape) * 0.1).astype("float32")

    cnn = config["char_cnn"]
    lstm = config["lstm"]
    n_filters = sum(num for _width, num in cnn["filters"])
    projection, cell = lstm["projection_dim"], lstm["dim"]

    weight_file = directory / "elmo_weights.hdf5"
    with h5py.File(weight_file, "w") as out:
        out["char_embed"] = random(_ELMO_CHARACTERS, cnn["embedding"]["dim"])
        for i, (width, num) in enumerate(cnn["filters"]):
            out[f"CNN/W_cnn_{i}"] = random(1, width, cnn["embedding"]["dim"], num)
            out[f"CNN/b_cnn_{i}"] = random(num)
        for k in range(cnn["n_highway"]):
            for name in ("W_transform", "W_carry"):
                out[f"CNN_high_{k}/{name}"] = random(n_filters, n_filters)
            for name in ("b_transform", "b_carry"):
                out[f"CNN_high_{k}/{name}"] = random(n_filters)
        out["CNN_proj/W_proj"] = random(n_filters, projection)
        out["CNN_proj/b_proj"] = random(projection)
        for direction in range(2):
            for layer in range(lstm["n_layers"]):
                prefix = f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell"
                # TensorFlow layout: [input; hidden] x 4 gates, then the state projection.
                out[f"{prefix}/W_0"] = random(2 * projection, 4 * cell)
                out[f"{prefix}/B"] = random(4 * cell)
                out[f"{prefix}/W_P_0"] = random(cell, projection)

    options_file = directory / "elmo_options.json"
    options_file.write_text(json.dumps(config), encoding="utf-8")
    return options_file, weight_file


def write_bert(
    directory: str | Path,
    words: Sequence[str] = (),
    hidden_size: int = 16,
    num_layers: int = 1,
    seed: int = 0,
) -> Path:
    """Save a randomly initialised BERT model and its WordPiece vocabulary to ``directory``.

    The vocabulary holds the special tokens, the lower-cased ``words``, and every character of
    them, of ASCII letters, digits and punctuation, alone and ``##``-prefixed: any word made of
    those characters can be tokenised (AllenNLP probes the tokenizer with "a", "b", "1", "2").
    Returns the directory, to give as ``model_name``.
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    characters = sorted(
        {char for word in words for char in word.lower()}
        | set(string.ascii_lowercase + string.digits + string.punctuation)
    )
    vocabulary = list(_BERT_SPECIAL_TOKENS)
    words = sorted({word.lower() for word in words})
    for token in [*words, *characters, *("##" + char for char in characters)]:
        if token not in vocabulary:
            vocabulary.append(token)
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(vocabulary) + "\n", encoding="utf-8")

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocabulary),
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    BertTokenizer(str(vocab_file), do_lower_case=True).save_pretrained(directory)
    return directory
