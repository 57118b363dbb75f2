"""The checks of the prediction JSON contract every predicting test applies."""

import json


def _spans(result):
    """Every SPAN object of a result."""
    for task, kind in result["tasks"].items():
        for item in result[task]:
            if kind == "spans":
                yield item
            elif kind == "relations":
                yield item["arg1"]
                yield item["arg2"]
            elif kind == "clusters":
                yield from item["mentions"]


def check_contract(result):
    """The shared JSON contract, with every offset checked against the text."""
    assert json.loads(json.dumps(result)) == result
    text, tokens = result["text"], result["tokens"]
    assert set(result) == {"id", "text", "tokens", "sentences", "tasks", "warnings",
                           *result["tasks"]}
    for token in tokens:
        assert text[token["start"]:token["end"]] == token["text"] and token["text"].strip()
    covered = [i for s in result["sentences"] for i in range(s["start"], s["end"])]
    assert covered == list(range(len(tokens)))
    for span in _spans(result):
        assert 0 <= span["start"] < span["end"] <= len(tokens)
        assert span["char_start"] == tokens[span["start"]]["start"]
        assert span["char_end"] == tokens[span["end"] - 1]["end"]
        assert span["text"] == text[span["char_start"]:span["char_end"]]
    for task, kind in result["tasks"].items():
        if kind == "spans":
            starts = [(s["start"], s["end"]) for s in result[task]]
            assert starts == sorted(starts) and all("type" in s for s in result[task])
        if kind not in ("spans", "relations", "clusters"):  # a head's own kind: its windows
            windows = [(w["start"], w["end"]) for w in result[task]]
            assert windows == sorted(windows)
            assert all(set(w) == {"start", "end", "output"} for w in result[task])
            assert all(0 <= start < end <= len(tokens) for start, end in windows)
        if kind == "clusters":
            assert [c["id"] for c in result[task]] == list(range(len(result[task])))
            for cluster in result[task]:
                mentions = [(m["start"], m["end"]) for m in cluster["mentions"]]
                assert mentions == sorted(mentions)
                assert all("type" not in m for m in cluster["mentions"])
