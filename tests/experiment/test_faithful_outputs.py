"""``evaluate --predictions-dir`` and ``hmtl predict --output-format input`` write the user's own
documents back, and the official scores of those files against the user's own key are what
``evaluate`` reports (scores computed here without the project's scorer)."""

import json
import shutil

import pytest
import torch
from allennlp.data import Vocabulary

from hmtl.commands.main import main
from tests.experiment.official import (
    DOCUMENTS,
    clusters,
    coref_scores,
    read_documents,
    span_f1,
    write_realistic_conll2012,
)
from tests.predicting.runs import tiny_run

NE, COREF = 10, -1
METRICS = [f"{m}_{q}" for m in ("muc", "b3", "ceafe") for q in ("precision", "recall", "f1")]


def _decisive(trained, run):
    """A copy of a tiny run whose weights predict something: a one-epoch model predicts no
    cluster and no entity, and 0 = 0 would prove nothing. The antecedent and mention scorers'
    biases make every kept span link to its best antecedent (so clusters depend on which spans
    one forward pass sees: windows change them), and the tagger's bias for U-GPE makes every
    token a GPE (so the NER column must line up with the key's to score)."""
    shutil.copytree(trained, run)
    labels = Vocabulary.from_files(run / "vocabulary")
    gpe = labels.get_token_index("U-GPE", "ontonotes_ner_labels")
    for name in ("best.th", "best_ner.th", "best_coref.th"):
        state = torch.load(run / name, map_location="cpu")
        state["heads.coref._antecedent_scorer._module.bias"] += 20.0
        state["heads.coref._mention_scorer._module.bias"] += 5.0
        state["heads.ner.tag_projection._module.bias"][gpe] += 100.0
        torch.save(state, run / name)
    return run


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faithful")
    run = _decisive(tiny_run(tmp_path_factory, ("ner", "coref")), directory / "run")
    key = write_realistic_conll2012(directory / "test.v4_gold_conll")
    return run, key, directory


@pytest.fixture(scope="module")
def evaluated(setup):
    run, key, directory = setup
    out = directory / "predictions"
    code = main(["evaluate", "-s", str(run), "--test-data", f"ner={key}", "--test-data",
                 f"coref={key}", "--predictions-dir", str(out), "--cuda-device", "-1"])
    assert code == 0
    return json.loads((run / "evaluate_metrics.json").read_text()), out


def _same_except(key, response, *columns):
    """Same headers, sentences, tokens and cells, except ``columns`` of every row."""
    key_documents, response_documents = read_documents(key), read_documents(response)
    assert list(response_documents) == list(key_documents)
    for name, sentences in key_documents.items():
        answer = response_documents[name]
        assert [len(s) for s in answer] == [len(s) for s in sentences], name
        for sentence, answered in zip(sentences, answer):
            for row, answered_row in zip(sentence, answered):
                assert len(answered_row) == len(row)
                keep = [i for i in range(len(row)) if i not in {c % len(row) for c in columns}]
                assert [answered_row[i] for i in keep] == [row[i] for i in keep]


def test_the_fixture_is_shaped_like_a_real_file(setup):
    _run, key, _directory = setup
    documents = read_documents(key)
    assert list(documents) == ["(nw/wsj/00/wsj_0001); part 000",
                               "(nw/wsj/00/wsj_0001); part 001",
                               "(bc/cnn/00/cnn_0002); part 000"]
    first = documents["(nw/wsj/00/wsj_0001); part 000"]
    assert sum(len(s) for s in first) == 330 > 256  # longer than the default window
    chains = clusters(first)
    assert any(len(c) == 1 for c in chains)  # singletons
    assert any(end - start + 1 > 3 for c in chains for start, end in c)  # wider than 3
    assert len(DOCUMENTS) == 3


def test_evaluate_writes_the_input_documents_with_the_predicted_column(setup, evaluated):
    _run, key, _directory = setup
    _metrics, out = evaluated
    _same_except(key, out / "coref.response.gold_conll", COREF)
    _same_except(key, out / "ner.response.gold_conll", NE)
    # the key beside it: the same documents and the gold the evaluation scored (here: the
    # input's, since the reader changed nothing)
    _same_except(key, out / "coref.key.gold_conll", COREF)
    for name, sentences in read_documents(key).items():
        written = read_documents(out / "coref.key.gold_conll")[name]
        assert sorted(map(sorted, clusters(written))) == sorted(map(sorted, clusters(sentences)))


def test_scoring_the_response_against_the_users_key_gives_evaluates_numbers(setup, evaluated):
    _run, key, _directory = setup
    metrics, out = evaluated
    reported = metrics["coref"]["test"]["coref"]
    assert reported["muc_f1"] > 0 and metrics["ner"]["test"]["ner"]["f1-measure-overall"] > 0
    official = coref_scores(key, out / "coref.response.gold_conll")
    assert {m: official[m] for m in METRICS} == pytest.approx({m: reported[m] for m in METRICS})
    assert official["coref_f1"] == pytest.approx(reported["coref_f1"])
    assert span_f1(key, out / "ner.response.gold_conll") == pytest.approx(
        metrics["ner"]["test"]["ner"]["f1-measure-overall"])


def test_predicting_the_file_gives_evaluates_numbers(setup, evaluated, tmp_path):
    run, key, _directory = setup
    metrics, _out = evaluated
    coref_out = tmp_path / "coref.gold_conll"
    assert main(["predict", str(run), str(key), "--output-format", "input", "-t", "coref",
                 "-o", str(coref_out), "--quiet"]) == 0
    _same_except(key, coref_out, NE, COREF)  # predict fills every head's column
    reported = metrics["coref"]["test"]["coref"]
    official = coref_scores(key, coref_out)
    assert official["coref_f1"] == pytest.approx(reported["coref_f1"])
    assert {m: official[m] for m in METRICS} == pytest.approx({m: reported[m] for m in METRICS})
    ner_out = tmp_path / "ner.gold_conll"
    assert main(["predict", str(run), str(key), "--output-format", "input", "-t", "ner",
                 "-o", str(ner_out), "--quiet"]) == 0
    assert span_f1(key, ner_out) == pytest.approx(
        metrics["ner"]["test"]["ner"]["f1-measure-overall"])
    # in windows, clusters cannot cross them, and the score is not evaluate's
    windowed = tmp_path / "windowed.gold_conll"
    assert main(["predict", str(run), str(key), "--output-format", "input", "-t", "coref",
                 "-o", str(windowed), "--max-window-tokens", "256", "--quiet"]) == 0
    assert coref_scores(key, windowed)["coref_f1"] != pytest.approx(reported["coref_f1"])


def test_training_format_documents_are_predicted_whole_unless_windows_are_asked_for(
        setup, tmp_path):
    run, key, _directory = setup
    whole, windowed = tmp_path / "whole.jsonl", tmp_path / "windowed.jsonl"
    assert main(["predict", str(run), str(key), "-o", str(whole), "--quiet"]) == 0
    assert main(["predict", str(run), str(key), "-o", str(windowed), "--max-window-tokens",
                 "256", "--quiet"]) == 0
    results = [json.loads(line) for line in whole.read_text().splitlines()]
    assert [len(r["tokens"]) for r in results] == [330, 20, 27]
    assert all(r["warnings"] == [] for r in results)
    long_one = json.loads(windowed.read_text().splitlines()[0])
    assert "window size (256 tokens)" in long_one["warnings"][0]
    # the model has no window of its own (no max_sentences, no transformer in its config), so
    # --windows alone has no size to use
    assert main(["predict", str(run), str(key), "-o", str(windowed), "--windows",
                 "--quiet"]) == 1
