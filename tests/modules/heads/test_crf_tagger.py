"""The CRF tagger head: shapes and masks, legal BIOUL decoding, loss and span F1 by hand,
the original config keys, and learning a tiny data set to F1 1.0."""

import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.modules.seq2seq_encoders import LstmSeq2SeqEncoder
from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
from allennlp.modules.token_embedders import Embedding
from allennlp.nn.util import get_text_field_mask

from hmtl.modules.heads import CrfTaggerHead, Head
from hmtl.testing.instances import as_batch, tagging_instance
from hmtl.training.distributed import shard_weights

LABELS = ["O", "U-PER", "B-PER", "I-PER", "L-PER", "U-LOC", "B-LOC", "I-LOC", "L-LOC"]
NAMESPACE = "ner_labels"


def make_vocab() -> Vocabulary:
    vocab = Vocabulary()
    for label in LABELS:
        vocab.add_token_to_namespace(label, NAMESPACE)
    return vocab


def forced_head(vocab: Vocabulary, **kwargs) -> CrfTaggerHead:
    """A head whose scores are 10 × its input (one column per tag) and whose CRF adds nothing."""
    head = CrfTaggerHead(vocab, 3, len(LABELS), label_namespace=NAMESPACE, **kwargs)
    with torch.no_grad():
        head.tag_projection._module.weight.copy_(10 * torch.eye(len(LABELS)))
        head.tag_projection._module.bias.zero_()
        head.crf.transitions.zero_()
        head.crf.start_transitions.zero_()
        head.crf.end_transitions.zero_()
    return head


def one_hot(vocab: Vocabulary, rows: list[list[str]], length: int) -> torch.Tensor:
    encoded = torch.zeros(len(rows), length, len(LABELS))
    for i, row in enumerate(rows):
        for j, label in enumerate(row):
            encoded[i, j, vocab.get_token_index(label, NAMESPACE)] = 1.0
    return encoded


def tag_ids(vocab: Vocabulary, rows: list[list[str]], length: int) -> torch.Tensor:
    ids = torch.zeros(len(rows), length, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor([vocab.get_token_index(t, NAMESPACE) for t in row])
    return ids


def test_registered_and_built_from_original_keys():
    vocab = make_vocab()
    params = Params(
        {
            "type": "crf_tagger",
            "label_namespace": NAMESPACE,
            "constraint_type": "BIOUL",
            "dropout": 0.2,
        }
    )
    head = Head.from_params(params, vocab=vocab, encoder_input_dim=7, encoder_output_dim=5)
    assert isinstance(head, CrfTaggerHead)
    assert head.label_encoding == "BIOUL"
    assert head.dropout.p == 0.2
    # the old key turns the constraints on: O -> L-PER is forbidden
    o, l_per = vocab.get_token_index("O", NAMESPACE), vocab.get_token_index("L-PER", NAMESPACE)
    assert head.crf._constraint_mask[o, l_per] == 0.0
    assert head.crf._constraint_mask[o, o] == 1.0


def test_bad_configs_are_errors():
    vocab = make_vocab()
    with pytest.raises(ConfigurationError, match="disagree"):
        CrfTaggerHead(
            vocab, 3, 4, label_namespace=NAMESPACE, constraint_type="BIOUL", label_encoding="BIO"
        )
    with pytest.raises(ConfigurationError, match="label_encoding must be one of"):
        CrfTaggerHead(vocab, 3, 4, label_namespace=NAMESPACE, label_encoding="BILOU")
    with pytest.raises(ConfigurationError, match="no namespace 'missing_labels'"):
        CrfTaggerHead(vocab, 3, 4, label_namespace="missing_labels")
    with pytest.raises(ConfigurationError, match="dropuot"):
        Head.from_params(
            Params({"type": "crf_tagger", "label_namespace": NAMESPACE, "dropuot": 0.2}),
            vocab=vocab,
            encoder_input_dim=3,
            encoder_output_dim=4,
        )


def test_padded_batch_shapes_and_masking():
    torch.manual_seed(0)
    vocab = make_vocab()
    head = CrfTaggerHead(vocab, 3, 6, label_namespace=NAMESPACE, label_encoding="BIOUL")
    head.eval()
    encoded = torch.randn(2, 4, 6)
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    tags = torch.tensor([[0, 1, 0, 5], [2, 4, 0, 0]])
    output = head(torch.randn(2, 4, 3), encoded, mask, tags=tags)
    assert output["logits"].shape == (2, 4, len(LABELS))
    assert [len(path) for path in output["tags"]] == [4, 2]
    assert output["loss"].dim() == 0
    # whatever sits in the padding changes neither the loss nor the decoding
    changed = encoded.clone()
    changed[1, 2:] = 100.0
    again = head(torch.randn(2, 4, 3), changed, mask, tags=tags)
    assert torch.allclose(output["loss"], again["loss"])
    assert output["tags"] == again["tags"]


def test_loss_is_the_summed_negative_log_likelihood():
    vocab = make_vocab()
    head = forced_head(vocab)
    # One-token sentences, no transition scores: -log p(gold) = logsumexp(scores) - score(gold).
    # Scores are 10 × one-hot: the "O" sentence is right (gold O), the other wrong (gold U-PER).
    encoded = one_hot(vocab, [["O"], ["O"]], 1)
    tags = tag_ids(vocab, [["O"], ["U-PER"]], 1)
    loss = head(torch.zeros(2, 1, 3), encoded, torch.ones(2, 1, dtype=torch.bool), tags=tags)
    per_tag = math.log(math.exp(10) + 8 * math.exp(0))  # 9 tags: one scores 10, eight score 0
    expected = (per_tag - 10) + (per_tag - 0)
    assert loss["loss"].item() == pytest.approx(expected, rel=1e-5)
    # A sum over sentences: distributed training gives each sentence's shard weight 1.
    mask = torch.ones(2, 1, dtype=torch.bool)
    weights = shard_weights({"tokens": {"tokens": {"tokens": mask.long()}}},
                            head.loss_reduction, 2)
    parts = [head(torch.zeros(1, 1, 3), encoded[i:i + 1], mask[i:i + 1], tags=tags[i:i + 1])
             for i in range(2)]
    assert weights == [1.0, 1.0]
    assert sum(w * p["loss"].item() for w, p in zip(weights, parts)) == pytest.approx(
        expected, rel=1e-5)


def test_span_f1_and_accuracy_by_hand():
    vocab = make_vocab()
    head = forced_head(vocab, label_encoding="BIOUL")
    predicted = [["U-PER", "O", "O", "U-LOC"]]
    gold = [["B-PER", "L-PER", "O", "U-LOC"]]
    output = head(
        torch.zeros(1, 4, 3),
        one_hot(vocab, predicted, 4),
        torch.ones(1, 4, dtype=torch.bool),
        tags=tag_ids(vocab, gold, 4),
    )
    assert head.make_output_human_readable(output)["tags"] == predicted
    metrics = head.get_metrics(reset=True)
    # predicted spans PER[0,0], LOC[3,3]; gold PER[0,1], LOC[3,3]: TP 1, FP 1, FN 1
    assert metrics["precision-overall"] == pytest.approx(1 / 2)
    assert metrics["recall-overall"] == pytest.approx(1 / 2)
    assert metrics["f1-measure-overall"] == pytest.approx(2 * 0.5 * 0.5 / (0.5 + 0.5))
    assert metrics["f1-measure-LOC"] == pytest.approx(1.0)
    assert metrics["f1-measure-PER"] == pytest.approx(0.0)
    # tokens right: 2 of 4 (O at 2, U-LOC at 3)
    assert metrics["accuracy"] == pytest.approx(2 / 4)
    assert all(isinstance(value, float) for value in metrics.values())
    assert head.get_metrics()["accuracy"] == 0.0  # reset


def test_constrained_decoding_never_emits_an_illegal_bioul_transition():
    torch.manual_seed(1)
    vocab = make_vocab()
    labels = vocab.get_index_to_token_vocabulary(NAMESPACE)
    constrained = CrfTaggerHead(vocab, 3, 5, label_namespace=NAMESPACE, label_encoding="BIOUL")
    free = CrfTaggerHead(
        vocab, 3, 5, label_namespace=NAMESPACE, label_encoding="BIOUL", constrain_crf_decoding=False
    )
    scores = {k: v for k, v in constrained.state_dict().items() if "constraint" not in k}
    free.load_state_dict(scores, strict=False)  # same scores, no constraints

    def legal(previous: str, current: str) -> bool:
        """BIOUL, written out: a span opens with B or U, continues with I, closes with L."""
        prev_tag, _, prev_type = previous.partition("-")
        tag, _, kind = current.partition("-")
        if prev_tag in ("B", "I"):  # inside a span: continue it with its own type
            return tag in ("I", "L") and kind == prev_type
        return tag in ("O", "B", "U", "END")  # after START, O, L or U: no I/L may follow

    def illegal(paths: list[list[int]]) -> int:
        count = 0
        for path in paths:
            steps = ["START", *(labels[t] for t in path), "END"]
            count += sum(not legal(a, b) for a, b in zip(steps, steps[1:]))
        return count

    mask = torch.ones(40, 7, dtype=torch.bool)
    mask[::3, 4:] = False  # some shorter sentences too
    encoded = 5 * torch.randn(40, 7, 5)
    assert illegal(constrained(None, encoded, mask)["tags"]) == 0
    # the check has teeth: without the constraints random scores do produce illegal sequences
    assert illegal(free(None, encoded, mask)["tags"]) > 0


def test_learns_a_tiny_tagging_set_to_f1_one():
    torch.manual_seed(0)
    data = [
        ("john smith lives in new york", "B-PER L-PER O O B-LOC L-LOC"),
        ("mary lives in paris", "U-PER O O U-LOC"),
        ("john visited paris", "U-PER O U-LOC"),
        ("new york hosts mary smith", "B-LOC L-LOC O B-PER L-PER"),
        ("paris loves mary", "U-LOC O U-PER"),
    ]
    instances = [tagging_instance(s.split(), t.split(), NAMESPACE) for s, t in data]
    vocab = Vocabulary.from_instances(instances)
    batch = as_batch(instances, vocab)
    embedder = BasicTextFieldEmbedder({"tokens": Embedding(16, vocab=vocab)})
    encoder = LstmSeq2SeqEncoder(16, 16, bidirectional=True)
    head = CrfTaggerHead(vocab, 16, 32, label_namespace=NAMESPACE, label_encoding="BIOUL")
    modules = torch.nn.ModuleList([embedder, encoder, head])
    optimizer = torch.optim.Adam(modules.parameters(), lr=0.05)
    mask = get_text_field_mask(batch["tokens"])
    for _ in range(60):
        optimizer.zero_grad()
        embedded = embedder(batch["tokens"])
        head(embedded, encoder(embedded, mask), mask, tags=batch["tags"])["loss"].backward()
        optimizer.step()
    modules.eval()
    head.get_metrics(reset=True)
    embedded = embedder(batch["tokens"])
    head(embedded, encoder(embedded, mask), mask, tags=batch["tags"])
    assert head.get_metrics()["f1-measure-overall"] == pytest.approx(1.0)
