"""The SentEval bridge, against a stand-in ``senteval`` package that the test writes.

The stand-in follows SentEval's documented contract: ``senteval.engine.SE(params, batcher,
prepare)``, ``eval(task)`` calls ``prepare(params, samples)`` with all the task's sentences, then
``batcher(params, batch)`` per batch, and returns ``devacc``, ``acc``, ``ndev``, ``ntest``.
"""

import sys

import pytest
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.token_indexers import SingleIdTokenIndexer

from hmtl.probing.encoder import SentenceEncoder
from hmtl.probing.senteval_backend import (
    ORIGINAL_CLASSIFIER,
    probe_with_senteval,
    senteval_importable,
)
from tests.probing.test_encoder import HandMadeModel

FAKE_ENGINE = '''
class _Params(dict):
    __getattr__ = dict.get

calls = []

class SE:
    def __init__(self, params, batcher, prepare=None):
        self.params = _Params(params)
        self.batcher, self.prepare = batcher, prepare
        calls.append(("init", dict(params)))

    def eval(self, name):
        self.params["current_task"] = name
        train, dev, test = [["a", "b"]] * 5, [["c"]] * 2, [["a"], ["b", "c"], ["c"]]
        self.prepare(self.params, train + dev + test)
        vectors = self.batcher(self.params, [["a", "b"], ["c"]])
        calls.append(("batch", vectors.tolist()))
        return RESULT
'''

# SentEval's generic probing task (senteval/probing.py): reads split TAB label TAB sentence.
FAKE_PROBING = '''
from senteval.engine import calls

class PROBINGEval:
    def __init__(self, task, task_path, seed=1111):
        calls.append(("probing", task, task_path, seed))
        self.task, self.data = task, {"tr": [], "va": [], "te": []}
        with open(task_path, encoding="utf-8") as handle:
            for line in handle:
                split, label, sentence = line.rstrip().split("\\t")
                self.data[split].append(sentence.split())

    def do_prepare(self, params, prepare):
        prepare(params, self.data["tr"] + self.data["va"] + self.data["te"])

    def run(self, params, batcher):
        calls.append(("batch", batcher(params, self.data["te"]).tolist()))
        return {"devacc": 90.0, "acc": 70.0, "ndev": len(self.data["va"]),
                "ntest": len(self.data["te"])}
'''


@pytest.fixture
def fake_senteval(tmp_path, monkeypatch):
    def install(result: str = '{"devacc": 81.5, "acc": 80.25, "ndev": 2, "ntest": 3}'):
        package = tmp_path / "site" / "senteval"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "engine.py").write_text(FAKE_ENGINE + f"\nRESULT = {result}\n")
        (package / "probing.py").write_text(FAKE_PROBING)
        monkeypatch.syspath_prepend(str(tmp_path / "site"))
        return package

    yield install
    for name in ("senteval", "senteval.engine", "senteval.probing"):
        sys.modules.pop(name, None)


def hand_made_encoder():
    vocab = Vocabulary(tokens_to_add={"tokens": ["a", "b", "c"]})
    return SentenceEncoder(HandMadeModel(vocab), vocab, {"tokens": SingleIdTokenIndexer()})


def test_not_importable_when_import_fails(monkeypatch):
    monkeypatch.setitem(sys.modules, "senteval", None)  # makes `import senteval` raise
    assert senteval_importable() is False


def test_bridge_passes_the_layer_vectors_and_reads_the_results(fake_senteval, tmp_path):
    fake_senteval()
    assert senteval_importable()
    folder = tmp_path / "data" / "probing"
    results = probe_with_senteval(
        hand_made_encoder(), "base", {"Length": folder / "sentence_length.txt",
                                      "Tense": folder / "past_present.txt"},
        use_gpu=False, seed=7, batch_size=16,
    )
    engine = sys.modules["senteval.engine"]
    kind, params = engine.calls[0]
    assert params == {
        "task_path": str(tmp_path / "data"), "usepytorch": False, "kfold": 5, "seed": 7,
        "batch_size": 16, "classifier": ORIGINAL_CLASSIFIER,
    }
    # the batcher returned the "base" layer's mean vectors: a b -> ((-1-3)/2, (-2+4)/2); c
    assert engine.calls[1] == ("batch", [[-2.0, 1.0], [5.0, -6.0]])
    assert set(results) == {"Length", "Tense"}
    # 10 sentences were prepared, 2 of them dev and 3 test: 5 train
    assert results["Tense"].as_dict() == {
        "devacc": 81.5, "acc": 80.25, "ntrain": 5, "ndev": 2, "ntest": 3, "C": None
    }
    assert isinstance(results["Tense"].acc, float)


def test_a_senteval_that_returns_no_accuracies_is_a_clear_error(fake_senteval, tmp_path):
    fake_senteval(result="None")
    files = {"Length": tmp_path / "probing" / "sentence_length.txt"}
    with pytest.raises(ConfigurationError, match="returned None for Length.*devacc"):
        probe_with_senteval(hand_made_encoder(), "base", files, False)


def test_senteval_needs_a_folder_named_probing(tmp_path):
    with pytest.raises(ConfigurationError, match="<data-dir>/probing"):
        probe_with_senteval(
            hand_made_encoder(), "base", {"Length": tmp_path / "sentence_length.txt"}, False
        )


def test_a_file_of_ones_own_goes_through_sentevals_generic_probing_task(fake_senteval, tmp_path):
    fake_senteval()
    own = tmp_path / "mine.tsv"
    own.write_text("tr\tx\ta b\ntr\ty\tc\nva\tx\ta\nte\ty\tc\nte\tx\ta b\n")
    folder = tmp_path / "data" / "probing"
    results = probe_with_senteval(
        hand_made_encoder(), "base", {"Length": folder / "sentence_length.txt", "Mine": own},
        use_gpu=False, seed=7, batch_size=16,
    )
    engine = sys.modules["senteval.engine"]
    assert engine.calls[0][1]["task_path"] == str(tmp_path / "data")  # the built-in's folder
    assert ("probing", "Mine", str(own), 7) in engine.calls
    # the user's test sentences "c" and "a b" were encoded with the "base" layer
    assert engine.calls[-1] == ("batch", [[5.0, -6.0], [-2.0, 1.0]])
    # 5 sentences prepared, 1 dev and 2 test: 2 train
    assert results["Mine"].as_dict() == {
        "devacc": 90.0, "acc": 70.0, "ntrain": 2, "ndev": 1, "ntest": 2, "C": None
    }
    assert list(results) == ["Length", "Mine"]
