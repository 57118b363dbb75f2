"""Character padding: a batch of one-letter tokens through a width-3 character CNN."""

import pytest
import torch
from allennlp.common import Params
from allennlp.data import Instance, Token, Vocabulary
from allennlp.data.batch import Batch
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenCharactersIndexer
from allennlp.modules.seq2vec_encoders import CnnEncoder
from allennlp.modules.token_embedders import Embedding, TokenCharactersEncoder

from hmtl.data.char_padding import set_min_character_padding, widest_character_filter

pytestmark = pytest.mark.filterwarnings("ignore:You are using the default value")

# The character block of the original configs (char-CNN 16 -> 64 filters of width 3).
ORIGINAL_EMBEDDER = {"token_embedders": {
    "tokens": {"type": "embedding", "embedding_dim": 100},
    "token_characters": {
        "type": "character_encoding", "embedding": {"embedding_dim": 16},
        "encoder": {"type": "cnn", "embedding_dim": 16, "num_filters": 64,
                    "ngram_filter_sizes": [3]},
        "dropout": 0.1},
}}


def encode_one_letter_batch(indexers):
    instance = Instance({"tokens": TextField([Token("a"), Token("I"), Token(",")], indexers)})
    vocab = Vocabulary.from_instances([instance])
    batch = Batch([instance])
    batch.index_instances(vocab)
    characters = batch.as_tensor_dict()["tokens"]["token_characters"]["token_characters"]
    torch.manual_seed(0)
    encoder = TokenCharactersEncoder(
        Embedding(embedding_dim=4, num_embeddings=vocab.get_vocab_size("token_characters")),
        CnnEncoder(embedding_dim=4, num_filters=2, ngram_filter_sizes=(3,)))
    return characters, encoder(characters)


def test_one_letter_tokens_fail_without_padding_and_work_with_it():
    # Without a minimum, the longest token has 1 character, so the tensor is (1, 3, 1) and a
    # convolution of width 3 has nothing to slide over: this is the original's crash.
    with pytest.raises(RuntimeError):
        encode_one_letter_batch({"token_characters": TokenCharactersIndexer()})

    indexers = {"tokens": SingleIdTokenIndexer(), "token_characters": TokenCharactersIndexer()}
    set_min_character_padding(indexers, widest_character_filter(ORIGINAL_EMBEDDER))
    characters, encoded = encode_one_letter_batch(indexers)
    assert characters.shape == (1, 3, 3)  # padded to the filter width
    assert encoded.shape == (1, 3, 2)     # one vector of num_filters per token


def test_a_larger_minimum_is_kept_and_other_indexers_are_untouched():
    indexers = {"c": TokenCharactersIndexer(min_padding_length=7), "t": SingleIdTokenIndexer()}
    set_min_character_padding(indexers, 3)
    assert indexers["c"]._min_padding_length == 7
    assert not hasattr(indexers["t"], "_min_padding_length")


@pytest.mark.parametrize("block, width", [
    (ORIGINAL_EMBEDDER, 3),
    (Params(ORIGINAL_EMBEDDER), 3),
    # the older form, embedders directly in the block; AllenNLP's default sizes (2, 3, 4, 5)
    ({"chars": {"type": "character_encoding", "embedding": {"embedding_dim": 8},
                "encoder": {"type": "cnn", "embedding_dim": 8, "num_filters": 4}}}, 5),
    ({"token_embedders": {"chars": {"type": "character_encoding", "encoder": {
        "type": "cnn-highway", "filters": [[1, 4], [4, 8]]}}}}, 4),
    ({"token_embedders": {"chars": {"type": "character_encoding", "encoder": {
        "type": "lstm", "input_size": 8, "hidden_size": 4}}}}, 0),
    ({"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 10}}}, 0),
])
def test_widest_character_filter(block, width):
    assert widest_character_filter(block) == width
