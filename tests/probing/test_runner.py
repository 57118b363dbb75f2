"""The probing loop: every (layer, task) pair probed, sentences encoded once for all layers."""

import pytest
import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.nn import util

from hmtl.probing.encoder import SentenceEncoder
from hmtl.probing.prober import LogisticRegressionProber
from hmtl.probing.runner import probe_builtin, probe_senteval
from tests.probing.probing_files import SPLIT_SIZES, write_probing_data
from tests.probing.tiny_model import WORDS


class PositionModel(torch.nn.Module):
    """Layer "words": a random vector per word. Layer "positions": 1 / (position + 1) per token.

    The mean of "positions" over n tokens is (1 + 1/2 + ... + 1/n) / n, which falls strictly
    with n, so it separates the length task's 2-4-token sentences from its 8-10-token ones.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embedding = torch.nn.Embedding(vocab.get_vocab_size("tokens"), 3)
        self.calls = 0

    def layer_outputs(self, text):
        self.calls += 1
        mask = util.get_text_field_mask(text)
        words = self.embedding(text["tokens"]["tokens"])
        positions = torch.arange(mask.shape[1], dtype=torch.float).add(1).reciprocal()
        return {
            "words": words, "positions": positions.expand(mask.shape).unsqueeze(-1)
        }, mask


@pytest.fixture
def encoder():
    vocab = Vocabulary(tokens_to_add={"tokens": WORDS})
    return SentenceEncoder(
        PositionModel(vocab), vocab, {"tokens": SingleIdTokenIndexer()}, batch_size=32
    )


def test_every_layer_and_task_is_probed_from_one_pass_over_the_sentences(tmp_path, encoder):
    folder = write_probing_data(tmp_path / "data") / "probing"
    layers = ["words", "positions"]
    files = {"Length": folder / "sentence_length.txt", "BigramShift": folder / "bigram_shift.txt"}
    results = probe_builtin(encoder, layers, files, LogisticRegressionProber())
    assert set(results) == set(layers)
    assert all(set(results[layer]) == {"Length", "BigramShift"} for layer in layers)
    # 60 + 20 + 20 = 100 sentences per task in batches of 32: ceil(100 / 32) = 4 forward passes
    # per task for both layers together, plus one to list the layers
    assert encoder.model.calls == 1 + 2 * 4
    length = results["positions"]["Length"]
    assert (length.ntrain, length.ndev, length.ntest) == tuple(SPLIT_SIZES.values())
    assert length.devacc == 100.0 and length.acc == 100.0
    # random labels, 20 test examples: chance 50 %, 2.5 standard deviations (11.2) around it
    for layer in layers:
        assert 22.0 <= results[layer]["BigramShift"].acc <= 78.0


def test_unknown_layers_fail_before_any_work(tmp_path, encoder):
    folder = write_probing_data(tmp_path / "data") / "probing"
    with pytest.raises(ConfigurationError, match="no layer 'encoder_ner'"):
        probe_builtin(encoder, ["encoder_ner"], {"Length": folder / "sentence_length.txt"},
                      LogisticRegressionProber())
    with pytest.raises(ConfigurationError, match="no layer 'encoder_ner'"):
        probe_senteval(encoder, ["encoder_ner"], {"Length": folder / "sentence_length.txt"},
                       False, 1111, 8)
    assert encoder.model.calls == 1  # only the call that lists the layers
