"""Sentence vectors: masked mean / max over a layer's token states, in eval mode, no gradients."""

import numpy as np
import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.nn import util

from hmtl.probing.encoder import SentenceEncoder, torch_device


class HandMadeModel(torch.nn.Module):
    """Layer "base": a fixed embedding; layer "negated": minus it. Records how it was called."""

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__()
        rows = torch.zeros(vocab.get_vocab_size("tokens"), 2)
        for word, vector in {"a": [-1.0, -2.0], "b": [-3.0, 4.0], "c": [5.0, -6.0]}.items():
            rows[vocab.get_token_index(word, "tokens")] = torch.tensor(vector)
        rows[vocab.get_token_index("@@UNKNOWN@@", "tokens")] = torch.tensor([7.0, 7.0])
        self.embedding = torch.nn.Embedding.from_pretrained(rows, freeze=False)
        self.dropout = torch.nn.Dropout(0.9)
        self.calls = []

    def layer_outputs(self, text):
        self.calls.append((self.training, torch.is_grad_enabled()))
        mask = util.get_text_field_mask(text)
        base = self.dropout(self.embedding(text["tokens"]["tokens"]))
        return {"base": base, "negated": -base}, mask


@pytest.fixture
def encoder_factory():
    vocab = Vocabulary(tokens_to_add={"tokens": ["a", "b", "c"]})

    def make(pooling="mean", batch_size=2):
        model = HandMadeModel(vocab)
        model.train()  # the encoder must switch dropout off itself
        indexers = {"tokens": SingleIdTokenIndexer()}
        return SentenceEncoder(model, vocab, indexers, pooling=pooling, batch_size=batch_size)

    return make


SENTENCES = [["a", "b", "c"], ["b"], ["a", "b"], ["c", "zzz"]]


def test_mean_pooling_ignores_padding_and_keeps_the_sentence_order(encoder_factory):
    encoder = encoder_factory("mean", batch_size=2)
    vectors = encoder.encode(SENTENCES, ["base", "negated"])
    expected = np.array([
        [(-1 - 3 + 5) / 3, (-2 + 4 - 6) / 3],  # a b c
        [-3, 4],                               # b
        [(-1 - 3) / 2, (-2 + 4) / 2],          # a b
        [(5 + 7) / 2, (-6 + 7) / 2],           # c, then an unknown word
    ])
    np.testing.assert_allclose(vectors["base"], expected, rtol=1e-6)
    np.testing.assert_allclose(vectors["negated"], -expected, rtol=1e-6)
    assert vectors["base"].dtype == np.float32


def test_max_pooling_ignores_padding(encoder_factory):
    # "a" is padded to three tokens with zero states, above both of its values: the max must
    # still be (-1, -2); "a b c" takes 5 from "c" and 4 from "b"
    encoder = encoder_factory("max", batch_size=4)
    vectors = encoder.encode([["a"], ["a", "b", "c"]], ["base"])
    np.testing.assert_allclose(vectors["base"], [[-1, -2], [5, 4]])


def test_runs_in_eval_mode_without_gradients_once_per_batch(encoder_factory):
    encoder = encoder_factory("mean", batch_size=3)
    first = encoder.encode(SENTENCES, ["base", "negated"])
    second = encoder.encode(SENTENCES, ["base"])
    np.testing.assert_array_equal(first["base"], second["base"])  # no dropout noise
    # one call to find the layers, then ceil(4 / 3) = 2 calls per encode
    assert len(encoder.model.calls) == 1 + 2 + 2
    assert set(encoder.model.calls) == {(False, False)}


def test_an_empty_sentence_is_encoded_as_a_full_stop(encoder_factory):
    encoder = encoder_factory()
    vectors = encoder.encode([[], ["."]], ["base"])
    # "." is not in the vocabulary: both are the unknown-word vector
    np.testing.assert_allclose(vectors["base"], [[7, 7], [7, 7]])


def test_layers_and_an_unknown_layer(encoder_factory):
    encoder = encoder_factory()
    assert encoder.layers == ["base", "negated"]
    with pytest.raises(ConfigurationError, match="no layer 'encoder_coref'.*base, negated"):
        encoder.encode(SENTENCES, ["encoder_coref"])


def test_a_model_without_layer_outputs_is_refused():
    vocab = Vocabulary()
    with pytest.raises(ConfigurationError, match="no layer_outputs"):
        SentenceEncoder(torch.nn.Linear(1, 1), vocab, {"tokens": SingleIdTokenIndexer()})


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error of a CPU-only machine")
def test_asking_for_a_gpu_on_a_cpu_machine_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="CUDA device 0.*--cuda-device -1"):
        torch_device(0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_vectors_equal_cpu_vectors():
    vocab = Vocabulary(tokens_to_add={"tokens": ["a", "b", "c"]})
    indexers = {"tokens": SingleIdTokenIndexer()}
    cpu = SentenceEncoder(HandMadeModel(vocab), vocab, indexers).encode(SENTENCES, ["base"])
    gpu_encoder = SentenceEncoder(HandMadeModel(vocab), vocab, indexers, cuda_device=0)
    gpu = gpu_encoder.encode(SENTENCES, ["base"])
    assert next(gpu_encoder.model.parameters()).is_cuda
    np.testing.assert_allclose(gpu["base"], cpu["base"], rtol=1e-6)
