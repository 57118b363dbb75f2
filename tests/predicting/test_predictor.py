"""The predictor on tiny trained models: the JSON contract, offsets that slice back to the text,
every shared layer run once per batch, windows, odd input, and models with some heads only."""

import pytest
import torch
from allennlp.common.checks import ConfigurationError

from hmtl.predicting.predictor import Predictor, load_predictor, trained_window, window_output
from hmtl.predicting.windows import Window, split_windows
from tests.predicting.contract import check_contract
from tests.predicting.runs import tiny_run

KINDS = {"ner": "spans", "emd": "spans", "relation": "relations", "coref": "clusters"}
TEXTS = ["Maria Lopez joined Acme Corp in Paris. She likes it there.",
         "", "   \n ", "Emoji 😀👍🏽, e\u0301t\u00e9, 北京欢迎你。 مرحبا بالعالم!"]


@pytest.fixture(scope="module")
def predictor(tmp_path_factory):
    return load_predictor(tiny_run(tmp_path_factory))


def test_every_head_and_the_contract_on_raw_text(predictor):
    assert predictor.tasks == KINDS
    results = predictor.predict_texts(TEXTS)
    assert [r["id"] for r in results] == [0, 1, 2, 3]
    for text, result in zip(TEXTS, results):
        assert result["text"] == text and result["tasks"] == KINDS
        check_contract(result)
    assert [t["text"] for t in results[0]["tokens"]][:3] == ["Maria", "Lopez", "joined"]
    for empty in results[1:3]:
        assert empty["tokens"] == [] and empty["sentences"] == [] and empty["warnings"] == []
        assert all(empty[task] == [] for task in KINDS)
    assert "北京欢迎你" in [t["text"] for t in results[3]["tokens"]]


def test_each_shared_layer_runs_once_per_batch(predictor):
    # In windows every head sees the same window. (Unwindowed, as in training, the tagging heads
    # see sentences and coreference the document, so the shared layers run once for each.)
    windowed = Predictor(predictor.run, max_window_tokens=256)
    calls = {task: 0 for task in KINDS}
    hooks = [predictor.model.encoders.encoders[task].register_forward_hook(
        lambda *_args, task=task: calls.__setitem__(task, calls[task] + 1)) for task in KINDS]
    try:
        windowed.predict_texts(["One text here.", "Another one.", "A third."])
    finally:
        for hook in hooks:
            hook.remove()
    # 3 documents fit one batch of 8: ner and emd feed three heads, yet each runs once
    assert calls == {"ner": 1, "emd": 1, "relation": 1, "coref": 1}


def test_a_document_of_thousands_of_tokens_is_split_into_windows(tmp_path_factory):
    # Without the relation head: a one-epoch relation head relates almost every token pair.
    predictor = Predictor(load_predictor(tiny_run(tmp_path_factory, ("ner", "coref"))).run,
                          max_window_tokens=256)
    text = " ".join(f"Maria met Omar in Paris on day {i} ." for i in range(400))  # 9 x 400
    result = predictor.predict_texts([text])[0]
    check_contract(result)
    assert len(result["tokens"]) == 3600
    sentences = [(s["start"], s["end"]) for s in result["sentences"]]
    windows, _ = split_windows(sentences, 256)
    assert len(windows) == 15  # 28 sentences of 9 tokens (252) per window: ceil(400 / 28)
    assert "split at sentence boundaries into 15 windows" in result["warnings"][0]
    for cluster in result["coref"]:  # clusters never cross windows
        inside = {next(i for i, w in enumerate(windows) if w.start <= m["start"] < w.end)
                  for m in cluster["mentions"]}
        assert len(inside) == 1


def test_a_huge_token_is_cut_for_the_model_only(predictor, monkeypatch):
    widths = []
    predict_all = predictor.model.predict_all

    def recording(**batch):
        widths.append(batch["text"]["token_characters"]["token_characters"].size(-1))
        return predict_all(**batch)

    monkeypatch.setattr(predictor.model, "predict_all", recording)
    (result,) = predictor.predict_texts(["Before " + "z" * 200_000 + " after."])
    check_contract(result)
    assert [len(t["text"]) for t in result["tokens"]] == [6, 200_000, 5, 1]
    # the model saw 50 characters of the long token (in the sentence the taggers see, and in
    # the document coreference sees)
    assert widths == [50, 50]


def test_tokens_are_kept_as_given(predictor):
    results = predictor.predict_tokens([["New York", "is", "big", ".", "Yes", "!"],
                                        [["Two", "words"], ["and", "more"]]], ids=["a", "b"])
    assert results[0]["text"] == "New York is big . Yes !"
    assert results[0]["sentences"] == [{"start": 0, "end": 4}, {"start": 4, "end": 6}]
    assert results[1]["sentences"] == [{"start": 0, "end": 2}, {"start": 2, "end": 4}]
    assert [r["id"] for r in results] == ["a", "b"]
    for result in results:
        check_contract(result)


def test_a_model_with_some_heads_only_outputs_those(tmp_path_factory):
    predictor = load_predictor(tiny_run(tmp_path_factory, ("ner", "coref")), batch_size=2)
    assert predictor.tasks == {"ner": "spans", "coref": "clusters"}
    results = predictor.predict_texts(["Ann met Bob. He smiled.", "x", "Bye."])
    for result in results:
        check_contract(result)
        assert "emd" not in result and "relation" not in result


def test_bad_settings_are_configuration_errors(predictor):
    with pytest.raises(ConfigurationError, match="batch size"):
        Predictor(predictor.run, batch_size=0)
    with pytest.raises(ConfigurationError, match="max window tokens"):
        Predictor(predictor.run, max_window_tokens=0)


def test_a_head_without_an_output_kind_is_a_configuration_error(predictor, monkeypatch):
    monkeypatch.setattr(type(predictor.model.heads["relation"]), "output_kind", None)
    with pytest.raises(ConfigurationError,
                       match="task 'relation': its RelationHead head declares no output_kind"):
        Predictor(predictor.run)


def test_a_window_of_a_kind_of_its_own_holds_each_per_instance_field():
    window = Window(start=4, end=7, sentences=((4, 7),))
    output = {"scores": torch.tensor([[0.5, 1.0], [2.0, 3.0]]), "labels": [["a"], ("b", "c")],
              "total": torch.tensor(1.0), "note": "not per instance"}
    assert window_output("t", output, 1, 2, window) == {
        "start": 4, "end": 7, "output": {"scores": [2.0, 3.0], "labels": ["b", "c"]}}
    with pytest.raises(ConfigurationError, match="task 't': field 'bad' .* holds a object"):
        window_output("t", {"bad": [object(), object()]}, 0, 2, window)


def test_head_outputs_map_to_document_offsets_and_relation_arguments(predictor, monkeypatch):
    """Fixed head outputs for every window: spans, relations and clusters land at each
    window's offset; relation arguments take the EMD span, else the NER span, else the token."""
    local = {
        "ner": {"tags": ["B-PER", "L-PER", "O", "O"]},
        "emd": {"tags": ["U-PER", "O", "U-ORG", "O"]},
        "relation": {"relations": [(0, 2, "ORG-AFF"), (1, 3, "PHYS"), (1, 1, "SELF")]},
        "coref": {"clusters": [[(0, 1), (3, 3)]]},
    }

    def predict_all(**batch):
        rows = batch["text"]["tokens"]["tokens"].size(0)
        return {task: {key: [value] * rows for key, value in out.items()}
                for task, out in local.items()}

    monkeypatch.setattr(predictor.model, "predict_all", predict_all)
    monkeypatch.setattr(predictor.model, "make_output_human_readable", lambda output: output)
    monkeypatch.setattr(predictor, "max_window_tokens", 4)
    result = predictor.predict_tokens([[["Ann", "Lee", "met", "Bob"],
                                        ["Cy", "Di", "saw", "Ed"]]])[0]
    check_contract(result)
    assert [(s["text"], s["type"]) for s in result["ner"]] == [("Ann Lee", "PER"),
                                                               ("Cy Di", "PER")]
    assert [(s["start"], s["text"]) for s in result["emd"]] == [
        (0, "Ann"), (2, "met"), (4, "Cy"), (6, "saw")]
    relations = [(r["type"], r["arg1"]["text"], r["arg1"].get("type"), r["arg2"]["text"],
                  r["arg2"].get("type")) for r in result["relation"]]
    # token 1 (Lee) is in no EMD span but in the NER span "Ann Lee"; token 3 in neither;
    # (1, 1) relates a token to itself and is left out
    assert relations == [("ORG-AFF", "Ann", "PER", "met", "ORG"),
                         ("PHYS", "Ann Lee", "PER", "Bob", None),
                         ("ORG-AFF", "Cy", "PER", "saw", "ORG"),
                         ("PHYS", "Cy Di", "PER", "Ed", None)]
    assert [[m["text"] for m in c["mentions"]] for c in result["coref"]] == [
        ["Ann Lee", "Bob"], ["Cy Di", "Ed"]]
    assert len(result["warnings"]) == 1


def test_whole_documents_run_taggers_per_sentence_and_coreference_per_document(
        predictor, monkeypatch):
    """As the readers made the training instances: one sentence per tagging or relation
    instance, one document per coreference instance; no window however long the document."""
    seen = []
    predict_all = predictor.model.predict_all

    def recording(tasks=None, **batch):
        lengths = (batch["text"]["tokens"]["tokens"] > 0).sum(1).tolist()
        seen.append((tuple(tasks or ()), sorted(lengths), "spans" in batch))
        return predict_all(tasks=tasks, **batch)

    monkeypatch.setattr(predictor.model, "predict_all", recording)
    sentences = [["Ann", "met", "Bob", "."]] * 100 + [["He", "left", "."]]  # 403 tokens
    document = predictor.tokenized_document("d", sentences)
    [result] = list(predictor.predict_documents([document], whole_documents=True))
    check_contract(result)
    assert result["warnings"] == []
    tagging = [entry for entry in seen if entry[0] == ("ner", "emd", "relation")]
    coreference = [entry for entry in seen if entry[0] == ("coref",)]
    assert len(tagging) + len(coreference) == len(seen)
    assert sorted(n for entry in tagging for n in entry[1]) == [3] + [4] * 100
    assert not any(entry[2] for entry in tagging)  # no candidate spans for the taggers
    assert [entry[1] for entry in coreference] == [[403]] and coreference[0][2]


def test_raw_text_of_a_model_trained_whole_is_predicted_as_in_training(predictor, monkeypatch):
    """The tiny run's config sets no window, so raw text is predicted like the training data:
    tagging and relation heads per sentence, coreference on the whole document."""
    seen = []
    predict_all = predictor.model.predict_all

    def recording(tasks=None, **batch):
        lengths = (batch["text"]["tokens"]["tokens"] > 0).sum(1).tolist()
        seen.append((tuple(tasks or ()), sorted(lengths)))
        return predict_all(tasks=tasks, **batch)

    monkeypatch.setattr(predictor.model, "predict_all", recording)
    text = " ".join("Ann met Bob ." for _ in range(100))  # 100 sentences, 400 tokens
    [result] = predictor.predict_texts([text])
    check_contract(result)
    assert result["warnings"] == []
    assert sorted(n for tasks, lengths in seen if "coref" not in tasks for n in lengths) == [
        4] * 100
    assert [lengths for tasks, lengths in seen if tasks == ("coref",)] == [[400]]


def test_the_default_window_is_the_one_the_model_was_trained_on(predictor):
    config = dict(predictor.run.config)
    assert trained_window(config, predictor.run.token_indexers) == (None, None)
    block = dict(config["task_coref"])
    block["data_params"] = {**block["data_params"], "dataset_reader": {
        **block["data_params"]["dataset_reader"], "max_sentences": 5}}
    config["task_coref"] = block
    assert trained_window(config, predictor.run.token_indexers) == (None, 5)
    default = Predictor(predictor.run)
    assert (default.max_window_tokens, default.max_window_sentences, default.windowed) == (
        None, None, False)
    custom = Predictor(predictor.run, max_window_sentences=3)
    assert (custom.max_window_tokens, custom.max_window_sentences) == (None, 3)
