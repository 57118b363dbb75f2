"""The tiny embedding files load through AllenNLP's own embedders."""

import pytest
import torch
from allennlp.common import Params
from allennlp.data import Token, Vocabulary
from allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer
from allennlp.modules.elmo import batch_to_ids
from allennlp.modules.token_embedders import Embedding, TokenEmbedder

from hmtl.testing.embedding_files import glove_vectors, write_bert, write_elmo, write_glove

WORDS = ["paris", "oslo", "acme"]


def test_glove_vectors_are_distinct_and_rounded():
    vectors = glove_vectors(WORDS, 4)
    assert sorted(vectors) == sorted(WORDS)
    assert all(len(v) == 4 and all(round(x, 4) == x for x in v) for v in vectors.values())
    assert len({tuple(v) for v in vectors.values()}) == 3


@pytest.mark.parametrize(
    ("name", "compression", "member"),
    [
        ("g.txt", None, ""),
        ("g.txt.gz", "gz", ""),
        ("g.zip", "zip", ""),
        ("g.zip", "zip", "#glove.txt"),
    ],
)
def test_glove_loads_plain_gz_and_zip(tmp_path, name, compression, member):
    vectors = glove_vectors(WORDS, 5)
    path = write_glove(tmp_path / name, vectors, compression)
    pretrained = f"({path}){member}" if member else str(path)
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace([*WORDS, "unseen"], "tokens")
    embedding = Embedding.from_params(
        Params({"embedding_dim": 5, "pretrained_file": pretrained}), vocab=vocab
    )
    for word in WORDS:
        row = embedding.weight[vocab.get_token_index(word, "tokens")]
        assert torch.allclose(row, torch.tensor(vectors[word]), atol=1e-6)


def test_elmo_files_give_a_frozen_bilm_with_a_learned_scalar_mix(tmp_path):
    options, weights = write_elmo(tmp_path, projection_dim=3)
    embedder = TokenEmbedder.from_params(
        Params(
            {
                "type": "elmo_token_embedder",
                "options_file": str(options),
                "weight_file": str(weights),
                "dropout": 0.0,
                "requires_grad": False,
            }
        )
    )
    assert embedder.get_output_dim() == 2 * 3
    output = embedder(batch_to_ids([["paris", "is", "big"], ["oslo"]]))
    assert output.shape == (2, 3, 6)
    assert output[1, 1:].abs().sum() == 0  # padding
    output.sum().backward()
    bilm = embedder._elmo._elmo_lstm
    assert all(not p.requires_grad for p in bilm.parameters())
    assert all(p.grad is not None for p in embedder._elmo.scalar_mix_0.parameters())


def test_bert_directory_works_with_the_mismatched_indexer_and_embedder(tmp_path):
    directory = write_bert(tmp_path / "bert", WORDS, hidden_size=8)
    indexer = PretrainedTransformerMismatchedIndexer(str(directory))
    indexed = indexer.tokens_to_indices([Token("Paris"), Token("oslos")], Vocabulary())
    assert len(indexed["offsets"]) == 2
    assert indexed["offsets"][1][1] > indexed["offsets"][1][0]  # "oslos" = oslo + ##s
    embedder = TokenEmbedder.from_params(
        Params({"type": "pretrained_transformer_mismatched", "model_name": str(directory)})
    )
    padded = indexer.as_padded_tensor_dict(indexed, indexer.get_padding_lengths(indexed))
    output = embedder(**{k: v.unsqueeze(0) for k, v in padded.items()})
    assert output.shape == (1, 2, 8)
