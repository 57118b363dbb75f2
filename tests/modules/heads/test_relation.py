"""The relation head: types from the vocabulary, gold tensors from frames, decoding of
hand-made scores, the masked loss by hand, and learning a tiny data set to F1 1.0."""

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

from hmtl.modules.heads import Head, RelationHead
from hmtl.testing.instances import as_batch, relation_instance
from hmtl.training.distributed import shard_weights

NAMESPACE = "relation_ace_labels"


def make_vocab(types=("PHYS", "ORG-AFF"), star_first: bool = True) -> Vocabulary:
    vocab = Vocabulary()
    labels = [f"{arg}_{t}" for t in types for arg in ("ARG1", "ARG2")]
    for label in ["*", *labels] if star_first else [*labels, "*"]:
        vocab.add_token_to_namespace(label, NAMESPACE)
    return vocab


def label(vocab: Vocabulary, name: str) -> int:
    return vocab.get_token_index(name, NAMESPACE)


def test_types_come_from_the_vocabulary_and_are_checked():
    vocab = make_vocab(("PHYS", "ORG-AFF", "PART-WHOLE"))
    head = Head.from_params(
        Params({"type": "relation", "d": 3, "l": 5, "n_classes": 3}),
        vocab=vocab,
        encoder_input_dim=10,
        encoder_output_dim=6,
    )
    assert isinstance(head, RelationHead)
    assert head.relation_types == ["ORG-AFF", "PART-WHOLE", "PHYS"]
    with pytest.raises(ConfigurationError, match="n_classes=6 but .* has 3 relation types"):
        RelationHead(vocab, 10, 6, n_classes=6)
    with pytest.raises(ConfigurationError, match=r"d=64 means an encoder output of 2\*d=128"):
        RelationHead(vocab, 10, 6, d=64)
    with pytest.raises(ConfigurationError, match="no ARG1_<TYPE> label"):
        RelationHead(Vocabulary(), 10, 6)
    with pytest.raises(ConfigurationError, match="activation"):
        RelationHead(vocab, 10, 6, activation="no-such-activation")
    with pytest.raises(ConfigurationError, match="'n_clases'"):
        Head.from_params(
            Params({"type": "relation", "n_clases": 3}),
            vocab=vocab,
            encoder_input_dim=10,
            encoder_output_dim=6,
        )


@pytest.mark.parametrize("star_first", [True, False])
def test_gold_tensor_from_padded_frames(star_first):
    # star_first=False puts an ARG label at id 0, the id of padding: padded frames must still
    # be recognised as padding.
    vocab = make_vocab(star_first=star_first)
    head = RelationHead(vocab, 4, 4)
    star = label(vocab, "*")
    relations = torch.full((2, 2, 4), star)
    # sentence 0 (4 tokens): (0 -> 3, PHYS) and (2 -> 1, ORG-AFF)
    relations[0, 0, 0], relations[0, 0, 3] = label(vocab, "ARG1_PHYS"), label(vocab, "ARG2_PHYS")
    relations[0, 1, 2] = label(vocab, "ARG1_ORG-AFF")
    relations[0, 1, 1] = label(vocab, "ARG2_ORG-AFF")
    # sentence 1 (2 tokens): one all-"*" frame, then a padded frame; padded tokens hold id 0
    relations[1, 0, 2:] = 0
    relations[1, 1, :] = 0
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    gold = head.gold_tensor(relations, mask)
    assert gold.shape == (2, 4, 4, 2)
    org_aff, phys = head.relation_types.index("ORG-AFF"), head.relation_types.index("PHYS")
    expected = torch.zeros(2, 4, 4, 2)
    expected[0, 0, 3, phys] = 1.0
    expected[0, 2, 1, org_aff] = 1.0
    assert torch.equal(gold, expected)
    assert head.decode(gold.bool()) == [[(0, 3, "PHYS"), (2, 1, "ORG-AFF")], []]


def test_malformed_frame_is_an_error():
    vocab = make_vocab()
    head = RelationHead(vocab, 4, 4)
    relations = torch.full((1, 1, 3), label(vocab, "*"))
    relations[0, 0, 0] = label(vocab, "ARG1_PHYS")
    with pytest.raises(ValueError, match="frame 0 of batch sentence 0 has 1 ARG1 and 0 ARG2"):
        head.gold_tensor(relations, torch.ones(1, 3, dtype=torch.bool))


def fixed_scores(head: RelationHead, logits: torch.Tensor) -> None:
    """Make the head output the given pair logits whatever its input."""
    head.score_pairs = lambda encoded: logits  # type: ignore[method-assign]


def test_decoding_of_hand_made_scores_thresholds_at_one_half():
    vocab = make_vocab()
    head = RelationHead(vocab, 4, 4)
    org_aff, phys = head.relation_types.index("ORG-AFF"), head.relation_types.index("PHYS")
    probabilities = torch.full((2, 3, 3, 2), 0.1)
    probabilities[0, 0, 2, phys] = 0.9  # kept
    probabilities[0, 1, 0, org_aff] = 0.51  # kept
    probabilities[0, 2, 2, org_aff] = 0.5  # not above the threshold
    probabilities[0, 0, 2, org_aff] = 0.49  # below
    probabilities[1, 1, 0, phys] = 0.8  # kept: both tokens real
    probabilities[1, 2, 0, phys] = 0.99  # ARG1 is a padding token: never decoded
    probabilities[1, 0, 2, org_aff] = 0.99  # ARG2 is a padding token: never decoded
    fixed_scores(head, torch.logit(probabilities))
    mask = torch.tensor([[True, True, True], [True, True, False]])
    output = head(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), mask)
    assert output["relations"] == [[(0, 2, "PHYS"), (1, 0, "ORG-AFF")], [(1, 0, "PHYS")]]
    assert output["relation_scores"].shape == (2, 3, 3, 2)
    assert "loss" not in output
    assert "relation_scores" not in head.make_output_human_readable(output)


def test_loss_averages_bce_over_real_pairs_only():
    vocab = make_vocab()
    head = RelationHead(vocab, 4, 4)
    phys = head.relation_types.index("PHYS")
    # sentence of 2 real tokens padded to 3; gold (0 -> 1, PHYS)
    relations = torch.full((1, 1, 3), label(vocab, "*"))
    relations[0, 0, 0], relations[0, 0, 1] = label(vocab, "ARG1_PHYS"), label(vocab, "ARG2_PHYS")
    mask = torch.tensor([[True, True, False]])
    logits = torch.zeros(1, 3, 3, 2)
    logits[0, 0, 1, phys] = 2.0
    logits[0, 1, 0, phys] = 1.0
    logits[0, 2] = 50.0  # padding rows and columns: must not count
    logits[0, :, 2] = -50.0
    fixed_scores(head, logits)
    loss = head(torch.zeros(1, 3, 4), torch.zeros(1, 3, 4), mask, relations=relations)["loss"]
    # 2 x 2 real pairs x 2 types = 8 cells: gold cell logit 2 -> -log sigmoid(2) = log(1+e^-2);
    # one negative cell at logit 1 -> log(1+e^1); six negative cells at 0 -> log 2.
    expected = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(1)) + 6 * math.log(2)) / 8
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_shard_losses_weighted_by_real_token_pairs_add_up_to_the_batch_loss():
    """The loss is a mean over real token pairs (loss_reduction): shards of a batch, weighted by
    their share of the pairs, add up to the batch's loss."""
    torch.manual_seed(0)
    vocab = make_vocab()
    head = RelationHead(vocab, 4, 4)
    # sentences of 3, 1 and 2 tokens padded to 3; one gold relation (0 -> 1, PHYS) in the third
    mask = torch.tensor([[True, True, True], [True, False, False], [True, True, False]])
    relations = torch.full((3, 1, 3), label(vocab, "*"))
    relations[2, 0, 0], relations[2, 0, 1] = label(vocab, "ARG1_PHYS"), label(vocab, "ARG2_PHYS")
    encoded = torch.randn(3, 3, 4)
    whole = head(encoded, encoded, mask, relations=relations)["loss"]
    weights = shard_weights({"text": {"tokens": {"tokens": mask.long()}}}, head.loss_reduction, 2)
    # shards {0, 1} and {2}: 3*3 + 1*1 = 10 and 2*2 = 4 of 14 real pairs
    assert weights == pytest.approx([10 / 14, 4 / 14])
    parts = [head(encoded[a:b], encoded[a:b], mask[a:b], relations=relations[a:b])["loss"]
             for a, b in ((0, 2), (2, 3))]
    assert (weights[0] * parts[0] + weights[1] * parts[1]).item() == pytest.approx(
        whole.item(), rel=1e-6)


def test_scores_have_the_multi_head_selection_form():
    torch.manual_seed(0)
    vocab = make_vocab()
    head = RelationHead(vocab, 3, 4, l=5, activation="tanh")
    encoded = torch.randn(1, 2, 4)
    u = head.arg1_projection.weight.T
    w, b = head.arg2_projection.weight.T, head.arg2_projection.bias
    v = head.type_scorer.weight.T
    scores = head.score_pairs(encoded)
    for i in range(2):
        for j in range(2):
            by_hand = torch.tanh(encoded[0, i] @ u + encoded[0, j] @ w + b) @ v
            assert torch.allclose(scores[0, i, j], by_hand, atol=1e-6)


def test_learns_a_tiny_relation_set_to_f1_one():
    torch.manual_seed(0)
    data = [
        ("john works for acme", [(0, 3, "ORG-AFF")]),
        ("mary lives in paris", [(0, 3, "PHYS")]),
        ("acme employs mary", [(2, 0, "ORG-AFF")]),
        ("john visited paris", [(0, 2, "PHYS")]),
        ("paris is big", []),
        ("mary works for ibm and lives in rome", [(0, 3, "ORG-AFF"), (0, 7, "PHYS")]),
    ]
    instances = [relation_instance(s.split(), r) for s, r in data]
    vocab = Vocabulary.from_instances(instances)
    batch = as_batch(instances, vocab)
    embedder = BasicTextFieldEmbedder({"tokens": Embedding(16, vocab=vocab)})
    encoder = LstmSeq2SeqEncoder(16, 16, bidirectional=True)
    head = RelationHead(vocab, 16, 32, d=16, l=16)
    modules = torch.nn.ModuleList([embedder, encoder, head])
    optimizer = torch.optim.Adam(modules.parameters(), lr=0.02)
    mask = get_text_field_mask(batch["text"])
    for _ in range(150):
        optimizer.zero_grad()
        embedded = embedder(batch["text"])
        output = head(embedded, encoder(embedded, mask), mask, relations=batch["relations"])
        output["loss"].backward()
        optimizer.step()
    modules.eval()
    embedded = embedder(batch["text"])
    predicted = head(embedded, encoder(embedded, mask), mask)["relations"]
    gold = [sorted(r) for _, r in data]
    assert [sorted(p) for p in predicted] == gold  # every triple right, none extra
    head.get_metrics(reset=True)
    head(embedded, encoder(embedded, mask), mask, relations=batch["relations"])
    assert head.get_metrics()["f1-measure-overall"] == pytest.approx(1.0)


def test_relation_metric_by_hand():
    vocab = make_vocab()
    head = RelationHead(vocab, 4, 4)
    org_aff, phys = head.relation_types.index("ORG-AFF"), head.relation_types.index("PHYS")
    logits = torch.full((1, 3, 3, 2), -5.0)
    logits[0, 0, 2, phys] = 5.0  # right
    logits[0, 1, 0, org_aff] = 5.0  # wrong: not in the gold
    fixed_scores(head, logits)
    # gold: (0 -> 2, PHYS) and (2 -> 1, PHYS), the second one missed
    relations = torch.full((1, 2, 3), label(vocab, "*"))
    relations[0, 0, 0], relations[0, 0, 2] = label(vocab, "ARG1_PHYS"), label(vocab, "ARG2_PHYS")
    relations[0, 1, 2], relations[0, 1, 1] = label(vocab, "ARG1_PHYS"), label(vocab, "ARG2_PHYS")
    head(
        torch.zeros(1, 3, 4),
        torch.zeros(1, 3, 4),
        torch.ones(1, 3, dtype=torch.bool),
        relations=relations,
    )
    metrics = head.get_metrics(reset=True)
    # overall: TP 1, FP 1, FN 1 -> P = R = F1 = 1/2
    assert metrics["precision-overall"] == pytest.approx(0.5)
    assert metrics["recall-overall"] == pytest.approx(0.5)
    assert metrics["f1-measure-overall"] == pytest.approx(0.5)
    # PHYS: TP 1, FP 0, FN 1 -> P 1, R 1/2, F1 = 2 * 1 * 0.5 / 1.5 = 2/3
    assert metrics["precision-PHYS"] == pytest.approx(1.0)
    assert metrics["recall-PHYS"] == pytest.approx(0.5)
    assert metrics["f1-measure-PHYS"] == pytest.approx(2 / 3)
    assert head.get_metrics()["f1-measure-overall"] == 0.0  # reset
