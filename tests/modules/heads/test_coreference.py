"""Tests of the coreference head (Lee et al. 2017) and of cluster decoding."""

import math

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.modules import FeedForward

from hmtl.modules.heads.coreference import CoreferenceHead
from hmtl.modules.heads.coreference_decoding import decode_clusters, document_clusters
from hmtl.modules.heads.head import Head
from hmtl.training.distributed import shard_weights

INPUT_DIM = 6  # encoder_input_dim
OUTPUT_DIM = 4  # encoder_output_dim
FEATURES = 3  # feature_size
SPAN_DIM = 2 * OUTPUT_DIM + FEATURES + INPUT_DIM  # 8 + 3 + 6 = 17
PAIR_DIM = 3 * SPAN_DIM + FEATURES  # 51 + 3 = 54


def make_head(
    input_dim: int = INPUT_DIM,
    output_dim: int = OUTPUT_DIM,
    feature_size: int = FEATURES,
    max_span_width: int = 3,
    spans_per_word: float = 0.5,
    max_antecedents: int = 5,
    hidden: int = 8,
) -> CoreferenceHead:
    span_dim = 2 * output_dim + feature_size + input_dim
    return CoreferenceHead(
        vocab=Vocabulary(),
        encoder_input_dim=input_dim,
        encoder_output_dim=output_dim,
        mention_feedforward=FeedForward(span_dim, 2, hidden, torch.nn.ReLU()),
        antecedent_feedforward=FeedForward(3 * span_dim + feature_size, 2, hidden, torch.nn.ReLU()),
        feature_size=feature_size,
        max_span_width=max_span_width,
        spans_per_word=spans_per_word,
        max_antecedents=max_antecedents,
        lexical_dropout=0.0,
    )


def all_spans(length: int, max_width: int) -> list[tuple[int, int]]:
    """Every span of at most max_width tokens, ordered by start then end (as the reader does)."""
    return [(s, e) for s in range(length) for e in range(s, min(length, s + max_width))]


def pad_spans(documents: list[list[tuple[int, int]]]) -> torch.Tensor:
    """SpanField padding: (-1, -1)."""
    width = max(len(spans) for spans in documents)
    return torch.tensor([spans + [(-1, -1)] * (width - len(spans)) for spans in documents])


def span_labels_for(
    documents: list[list[tuple[int, int]]], clusters: list[list[list[tuple[int, int]]]]
) -> torch.Tensor:
    """Cluster id per span, -1 outside clusters, padded with 0 like SequenceLabelField."""
    width = max(len(spans) for spans in documents)
    rows = []
    for spans, doc_clusters in zip(documents, clusters):
        cluster_of = {span: cid for cid, cluster in enumerate(doc_clusters) for span in cluster}
        rows.append([cluster_of.get(span, -1) for span in spans] + [0] * (width - len(spans)))
    return torch.tensor(rows)


def padded_batch(lengths: list[int], garbage: float = 1e3) -> tuple[torch.Tensor, ...]:
    """Random encoder input/output; padded positions hold large garbage that must not leak."""
    mask = torch.arange(max(lengths)).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    encoder_input = torch.randn(len(lengths), max(lengths), INPUT_DIM)
    encoded = torch.randn(len(lengths), max(lengths), OUTPUT_DIM)
    encoder_input[~mask] = garbage
    encoded[~mask] = garbage
    return encoder_input.requires_grad_(), encoded.requires_grad_(), mask


# --- decoding --------------------------------------------------------------------------------


def test_decode_clusters_follows_antecedent_chains() -> None:
    spans = [(0, 0), (1, 2), (3, 3), (5, 6), (7, 7), (8, 8)]
    # 2 -> 0, 3 -> 1, 4 -> 2 (joins 0's cluster through 2), 5 chooses nothing.
    clusters = decode_clusters(spans, [-1, -1, 0, 1, 2, -1])
    assert clusters == [[(0, 0), (3, 3), (7, 7)], [(1, 2), (5, 6)]]


def test_decode_clusters_several_mentions_choose_the_same_antecedent() -> None:
    spans = [(0, 1), (2, 2), (4, 4), (6, 6)]
    assert decode_clusters(spans, [-1, 0, 0, -1]) == [[(0, 1), (2, 2), (4, 4)]]
    assert decode_clusters(spans, [-1, -1, -1, -1]) == []


def test_decode_clusters_refuses_forward_antecedents_and_bad_lengths() -> None:
    with pytest.raises(ValueError, match=r"span 1 \(2, 2\) chose antecedent 1"):
        decode_clusters([(0, 0), (2, 2)], [-1, 1])
    with pytest.raises(ValueError, match="2 spans but 1 antecedent"):
        decode_clusters([(0, 0), (2, 2)], [-1])


def test_document_clusters_maps_columns_through_antecedent_rows() -> None:
    top_spans = [[0, 0], [2, 3], [5, 5], [7, 7], [-1, -1]]
    # Row i lists the antecedent positions i-1, i-2 (or -1 where there is none).
    antecedent_indices = [[-1, -1], [0, -1], [1, 0], [2, 1], [-1, -1]]
    # (5,5) picks column 1 -> position 0; (7,7) picks column 1 -> position 1.
    predicted = [-1, -1, 1, 1, -1]
    clusters = document_clusters(top_spans, antecedent_indices, predicted)
    assert clusters == [[(0, 0), (5, 5)], [(2, 3), (7, 7)]]


def test_make_output_human_readable_decodes_each_document() -> None:
    head = make_head()
    output = {
        "top_spans": torch.tensor([[[0, 0], [2, 3], [5, 5]], [[1, 1], [4, 4], [-1, -1]]]),
        "antecedent_indices": torch.tensor(
            [[[-1, -1], [0, -1], [1, 0]], [[-1, -1], [0, -1], [-1, -1]]]
        ),
        "predicted_antecedents": torch.tensor([[-1, 0, 0], [-1, 0, -1]]),
    }
    clusters = head.make_output_human_readable(output)["clusters"]
    # Doc 0: (2,3) -> (0,0) and (5,5) -> column 0 of its row = position 1 = (2,3).
    assert clusters == [[[(0, 0), (2, 3), (5, 5)]], [[(1, 1), (4, 4)]]]


# --- configuration ---------------------------------------------------------------------------


def _original_block() -> dict:
    """The coref 'tagger' block of the original hmtl_coref_conll.json."""
    return {
        "type": "coreference",
        "mention_feedforward": {
            "input_dim": 2136,
            "num_layers": 2,
            "hidden_dims": 150,
            "activations": "relu",
            "dropout": 0.3,
        },
        "antecedent_feedforward": {
            "input_dim": 6428,
            "num_layers": 2,
            "hidden_dims": 150,
            "activations": "relu",
            "dropout": 0.3,
        },
        "initializer": [
            [".*linear_layers.*weight", {"type": "constant", "val": 0.5}],
            ["_distance_embedding.weight", {"type": "constant", "val": -2.0}],
            ["_context_layer._module.weight_hh.*", {"type": "orthogonal"}],
        ],
        "lexical_dropout": 0.5,
        "feature_size": 20,
        "max_span_width": 8,
        "spans_per_word": 0.4,
        "max_antecedents": 70,
        "eval_on_gold_mentions": False,
    }


def test_original_config_block_builds_with_its_list_initializer() -> None:
    # Sizes of the original: coref encoder input 1316 (1188 + 128), BiLSTM 2 x 200 = 400.
    head = Head.from_params(
        Params(_original_block()),
        vocab=Vocabulary(),
        encoder_input_dim=1316,
        encoder_output_dim=400,
    )
    assert isinstance(head, CoreferenceHead)
    assert torch.all(head._antecedent_feedforward._linear_layers[1].weight == 0.5)
    assert torch.all(head._distance_embedding.weight == -2.0)
    assert head.spans_per_word == 0.4 and head.max_antecedents == 70
    assert not head.blockwise_mention_scoring  # the original's plain scoring by default
    block = {**_original_block(), "blockwise_mention_scoring": True}
    head = Head.from_params(
        Params(block), vocab=Vocabulary(), encoder_input_dim=1316, encoder_output_dim=400
    )
    assert head.blockwise_mention_scoring


def test_misspelled_config_key_is_an_error() -> None:
    block = _original_block()
    block["max_antecedent"] = block.pop("max_antecedents")
    with pytest.raises(ConfigurationError):
        Head.from_params(
            Params(block), vocab=Vocabulary(), encoder_input_dim=1316, encoder_output_dim=400
        )


def test_feedforward_input_dims_are_checked_against_the_encoder_sizes() -> None:
    # 2 x 400 + 20 + 1316 = 2136; 3 x 2136 + 20 = 6428.
    def build(mention_dim: int, antecedent_dim: int) -> CoreferenceHead:
        return CoreferenceHead(
            vocab=Vocabulary(),
            encoder_input_dim=1316,
            encoder_output_dim=400,
            mention_feedforward=FeedForward(mention_dim, 1, 2, torch.nn.ReLU()),
            antecedent_feedforward=FeedForward(antecedent_dim, 1, 2, torch.nn.ReLU()),
            feature_size=20,
            max_span_width=8,
            spans_per_word=0.4,
            max_antecedents=70,
        )

    build(2136, 6428)
    with pytest.raises(
        ConfigurationError, match="mention_feedforward input_dim is 2116, expected 2136"
    ):
        build(2116, 6428)
    with pytest.raises(
        ConfigurationError, match="antecedent_feedforward input_dim is 6408, expected 6428"
    ):
        build(2136, 6408)


@pytest.mark.parametrize(
    "name, value", [("spans_per_word", 0.0), ("max_antecedents", 0), ("max_span_width", 0)]
)
def test_non_positive_sizes_are_configuration_errors(name: str, value: float) -> None:
    kwargs = {"spans_per_word": 0.5, "max_antecedents": 5, "max_span_width": 3, name: value}
    with pytest.raises(ConfigurationError, match=f"{name} must be positive"):
        make_head(**kwargs)


def test_spans_wider_than_max_span_width_or_outside_the_document_are_refused() -> None:
    head = make_head(max_span_width=3)
    encoder_input, encoded, mask = padded_batch([6])
    with pytest.raises(ConfigurationError, match=r"span \(0, 3\) of document 0.*max_span_width"):
        head(encoder_input, encoded, mask, spans=torch.tensor([[[0, 0], [0, 3]]]))
    with pytest.raises(ConfigurationError, match=r"span \(5, 6\).*inside its 6 tokens"):
        head(encoder_input, encoded, mask, spans=torch.tensor([[[0, 0], [5, 6]]]))


# --- forward on padded batches ---------------------------------------------------------------


def test_shapes_and_masks_on_a_padded_batch_of_two_documents() -> None:
    torch.manual_seed(0)
    head = make_head(max_span_width=3, spans_per_word=0.5, max_antecedents=5).eval()
    docs = [all_spans(7, 3), all_spans(4, 3)]  # 7 + 6 + 5 = 18 and 4 + 3 + 2 = 9 spans
    assert [len(d) for d in docs] == [18, 9]
    encoder_input, encoded, mask = padded_batch([7, 4])
    out = head(encoder_input, encoded, mask, spans=pad_spans(docs))

    # Kept: floor(0.5 x 7) = 3 and floor(0.5 x 4) = 2; antecedents: min(5, 3 - 1) = 2.
    assert out["top_spans"].shape == (2, 3, 2)
    assert out["top_span_mask"].tolist() == [[True, True, True], [True, True, False]]
    assert out["top_spans"][1, 2].tolist() == [-1, -1]
    for doc, spans in enumerate(docs):
        kept = [
            tuple(s) for s, m in zip(out["top_spans"][doc].tolist(), out["top_span_mask"][doc]) if m
        ]
        assert kept == sorted(kept) and set(kept) <= set(spans)
    assert out["antecedent_indices"].tolist() == [
        [[-1, -1], [0, -1], [1, 0]],
        [[-1, -1], [0, -1], [-1, -1]],
    ]
    predicted = out["predicted_antecedents"]
    assert predicted.shape == (2, 3)
    assert predicted[:, 0].tolist() == [-1, -1]  # the first kept span has no antecedent
    assert predicted[1, 2].item() == -1  # padding
    for doc in range(2):
        for i, choice in enumerate(predicted[doc].tolist()):
            if choice >= 0:
                assert out["antecedent_indices"][doc, i, choice] >= 0
    assert "loss" not in out


def test_batched_documents_give_the_same_results_as_single_documents() -> None:
    torch.manual_seed(1)
    head = make_head(max_span_width=3, spans_per_word=0.5, max_antecedents=5).eval()
    docs = [all_spans(7, 3), all_spans(4, 3)]
    clusters = [[[(0, 0), (4, 4)], [(1, 2), (6, 6)]], [[(0, 1), (3, 3)]]]
    labels = span_labels_for(docs, clusters)
    encoder_input, encoded, mask = padded_batch([7, 4])
    batch = head(encoder_input, encoded, mask, spans=pad_spans(docs), span_labels=labels)

    single_losses = []
    for doc, length in enumerate([7, 4]):
        single = head(
            encoder_input[doc : doc + 1, :length],
            encoded[doc : doc + 1, :length],
            mask[doc : doc + 1, :length],
            spans=pad_spans([docs[doc]]),
            span_labels=labels[doc : doc + 1, : len(docs[doc])],
        )
        kept = single["top_spans"].size(1)
        assert batch["top_spans"][doc, :kept].tolist() == single["top_spans"][0].tolist()
        assert (
            batch["predicted_antecedents"][doc, :kept].tolist()
            == single["predicted_antecedents"][0].tolist()
        )
        single_losses.append(single["loss"].item())
    # The loss is summed over documents (as in Lee et al.), so the batch's is the sum of both,
    # which is what the head's loss_reduction tells distributed training (shard weights of 1).
    assert batch["loss"].item() == pytest.approx(sum(single_losses), rel=1e-5)
    weights = shard_weights({"text": {"tokens": {"tokens": mask.long()}}}, head.loss_reduction, 2)
    assert weights == [1.0, 1.0]


def test_gradients_reach_encoder_input_and_encoded_but_not_padding() -> None:
    torch.manual_seed(2)
    head = make_head().train()
    docs = [all_spans(7, 3), all_spans(4, 3)]
    labels = span_labels_for(docs, [[[(0, 0), (4, 4)]], [[(0, 1), (3, 3)]]])
    encoder_input, encoded, mask = padded_batch([7, 4])
    out = head(encoder_input, encoded, mask, spans=pad_spans(docs), span_labels=labels)
    out["loss"].backward()
    for grad in (encoder_input.grad, encoded.grad):
        assert grad is not None
        assert grad[0].abs().sum() > 0 and grad[1, :4].abs().sum() > 0
        assert torch.all(grad[1, 4:] == 0)
    assert all(p.grad is not None for p in head._mention_feedforward.parameters())
    assert head._distance_embedding.weight.grad.abs().sum() > 0


# --- loss and antecedent scores --------------------------------------------------------------


def test_loss_is_the_negative_log_of_the_summed_gold_antecedent_probabilities() -> None:
    very_negative = -1e9  # what masked antecedents get
    # 3 kept spans, 2 antecedent columns after the dummy column 0.
    scores = torch.tensor(
        [[[0.0, very_negative, very_negative], [0.0, 1.0, very_negative], [0.0, 2.0, -1.0]]]
    )
    antecedent_indices = torch.tensor([[0, 0], [0, 0], [1, 0]])  # i-1, i-2, clamped at 0
    pair_mask = torch.tensor([[[False, False], [True, False], [True, True]]])
    top_indices = torch.tensor([[0, 1, 2]])
    top_mask = torch.tensor([[True, True, True]])

    # All three spans in cluster 5:
    # span 0: only the dummy -> -log 1 = 0
    # span 1: gold antecedent span 0 -> -log(e^1 / (1 + e^1))
    # span 2: both antecedents gold -> -log((e^2 + e^-1) / (1 + e^2 + e^-1))
    expected = -math.log(math.e / (1 + math.e)) - math.log(
        (math.exp(2) + math.exp(-1)) / (1 + math.exp(2) + math.exp(-1))
    )
    loss = CoreferenceHead._loss(
        scores, torch.tensor([[5, 5, 5]]), top_indices, top_mask, antecedent_indices, pair_mask
    )
    assert loss.item() == pytest.approx(expected, rel=1e-6)

    # Span 1 in no cluster: its gold is the dummy, -log(1 / (1 + e)); span 2's only gold
    # antecedent is span 0 (column 2): -log(e^-1 / (1 + e^2 + e^-1)).
    expected = -math.log(1 / (1 + math.e)) - math.log(
        math.exp(-1) / (1 + math.exp(2) + math.exp(-1))
    )
    loss = CoreferenceHead._loss(
        scores, torch.tensor([[5, -1, 5]]), top_indices, top_mask, antecedent_indices, pair_mask
    )
    assert loss.item() == pytest.approx(expected, rel=1e-6)

    # A padding kept span (mask False) adds nothing, whatever its label.
    loss = CoreferenceHead._loss(
        scores,
        torch.tensor([[5, -1, 5]]),
        top_indices,
        torch.tensor([[True, True, False]]),
        antecedent_indices,
        pair_mask & torch.tensor([True, True, False]).view(1, 3, 1),
    )
    assert loss.item() == pytest.approx(-math.log(1 / (1 + math.e)), rel=1e-6)


def test_blockwise_pair_scores_equal_the_feedforward_on_the_concatenation() -> None:
    torch.manual_seed(3)
    head = make_head().eval()
    top = torch.randn(2, 4, SPAN_DIM)
    offsets = torch.tensor([1, 2, 3])
    indices = (torch.arange(4).unsqueeze(1) - offsets.unsqueeze(0)).clamp(min=0)
    antecedents = top[:, indices]  # (2, 4, 3, SPAN_DIM)
    targets = top.unsqueeze(2).expand_as(antecedents)
    # Offsets 1, 2, 3 fall in the identity buckets 1, 2, 3.
    distance = head._distance_embedding.weight[1:4].expand(2, 4, 3, FEATURES)
    pairs = torch.cat([targets, antecedents, targets * antecedents, distance], dim=-1)
    assert pairs.size(-1) == PAIR_DIM
    expected = head._antecedent_scorer(head._antecedent_feedforward(pairs)).squeeze(-1)
    actual = head._antecedent_pair_scores(top, indices, offsets)
    assert torch.allclose(actual, expected, atol=1e-6)


def test_blockwise_mention_scores_equal_the_feedforward_on_the_span_embeddings() -> None:
    torch.manual_seed(5)
    head = make_head(max_span_width=3).eval()
    docs = [all_spans(7, 3), all_spans(4, 3)]
    encoder_input, encoded, mask = padded_batch([7, 4])
    spans = pad_spans(docs)
    span_mask = (spans[..., 0] >= 0)
    spans = spans.clamp(min=0)
    # The plain formulation, spelled out: both ends, the width embedding, and the softmax over
    # each span's tokens of the global attention logits, weighting the encoder input.
    rows = []
    for doc in range(2):
        row = []
        for (start, end), valid in zip(spans[doc].tolist(), span_mask[doc].tolist()):
            logits = head._attentive_span_extractor._global_attention._module(
                encoder_input[doc, start : end + 1]
            ).squeeze(-1)
            attended = logits.softmax(0) @ encoder_input[doc, start : end + 1]
            width = head._endpoint_span_extractor._span_width_embedding.weight[end - start]
            embedding = torch.cat([encoded[doc, start], encoded[doc, end], width, attended])
            row.append(embedding * valid)
        rows.append(torch.stack(row))
    embeddings = torch.stack(rows)
    assert embeddings.size(-1) == SPAN_DIM
    assert torch.allclose(
        head._span_embeddings(encoder_input, encoded, spans, mask, span_mask), embeddings,
        atol=1e-6,
    )
    expected = head._mention_scorer(head._mention_feedforward(embeddings)).squeeze(-1)
    actual = head._mention_scores(encoder_input, encoded, spans, span_mask)
    assert torch.allclose(actual, expected, atol=1e-5)
    # Padding spans score the feedforward of a zero embedding, as in the plain formulation.
    zero = head._mention_scorer._module(head._mention_feedforward._module(torch.zeros(SPAN_DIM)))
    assert torch.allclose(actual[1, 9:], zero.expand(9), atol=1e-6)


def test_blockwise_mention_scoring_keeps_the_same_spans_loss_and_gradients() -> None:
    docs = [all_spans(7, 3), all_spans(4, 3)]
    clusters = [[[(0, 0), (4, 4)], [(1, 2), (6, 6)]], [[(0, 1), (3, 3)]]]
    results = []
    for blockwise in (False, True):
        torch.manual_seed(6)
        head = make_head(max_span_width=3, spans_per_word=0.5).eval()
        head.blockwise_mention_scoring = blockwise
        encoder_input, encoded, mask = padded_batch([7, 4])
        out = head(encoder_input, encoded, mask, spans=pad_spans(docs),
                   span_labels=span_labels_for(docs, clusters))
        out["loss"].backward()
        gradients = [encoder_input.grad, encoded.grad] + [p.grad for p in head.parameters()]
        results.append((out, gradients))
    (plain, plain_gradients), (blockwise, blockwise_gradients) = results
    for key in ("top_spans", "top_span_mask", "antecedent_indices", "predicted_antecedents"):
        assert torch.equal(plain[key], blockwise[key]), key
    assert blockwise["loss"].item() == pytest.approx(plain["loss"].item(), rel=1e-5)
    assert len(plain_gradients) == len(blockwise_gradients)
    for expected, actual in zip(plain_gradients, blockwise_gradients):
        assert (expected is None) == (actual is None)
        if expected is not None:
            assert torch.allclose(actual, expected, atol=1e-5)


# --- gold mentions ---------------------------------------------------------------------------


GOLD_DOCS = [all_spans(7, 3), all_spans(5, 3)]
GOLD_CLUSTERS = [[[(0, 0), (4, 5)], [(2, 2), (6, 6)]], [[(1, 1), (3, 4)]]]


def _gold_forward(head: CoreferenceHead, **kwargs) -> dict:
    torch.manual_seed(4)
    encoder_input, encoded, mask = padded_batch([7, 5])
    return head(encoder_input, encoded, mask, spans=pad_spans(GOLD_DOCS), **kwargs)


def test_evaluation_on_gold_mentions_keeps_exactly_the_gold_spans_for_a_batch_of_two() -> None:
    head = make_head(spans_per_word=0.5)
    metadata = [{"original_text": [], "clusters": c} for c in GOLD_CLUSTERS]
    labels = span_labels_for(GOLD_DOCS, GOLD_CLUSTERS)
    head.eval_on_gold_mentions = True
    head.eval()
    out = _gold_forward(head, span_labels=labels, metadata=metadata)
    assert out["top_spans"].tolist() == [
        [[0, 0], [2, 2], [4, 5], [6, 6]],
        [[1, 1], [3, 4], [-1, -1], [-1, -1]],
    ]
    assert out["top_span_mask"].tolist() == [[True] * 4, [True, True, False, False]]
    assert torch.isfinite(out["loss"])

    # Without metadata clusters, the gold span labels say which spans are mentions.
    out = _gold_forward(head, span_labels=labels)
    assert out["top_spans"][1, :2].tolist() == [[1, 1], [3, 4]]
    with pytest.raises(ValueError, match="gold clusters"):
        _gold_forward(head)

    # While training, the flag does not act: floor(0.5 x 7) = 3 spans are kept per document.
    head.train()
    assert _gold_forward(head, span_labels=labels)["top_spans"].size(1) == 3
    # ... unless forward asks for gold mentions explicitly.
    out = _gold_forward(head, span_labels=labels, use_gold_mentions=True)
    assert out["top_spans"].size(1) == 4


def _forced_link_metrics(antecedent_bias: float) -> dict[str, float]:
    """Metrics on GOLD_DOCS with gold mentions and every antecedent scored antecedent_bias.

    The mention and antecedent scorers are zeroed, so a pair scores exactly antecedent_bias
    against the dummy's 0: +100 links every kept span to an earlier one (one cluster of all
    mentions per document), -100 links nothing.
    """
    head = make_head(spans_per_word=0.5).eval()
    head.eval_on_gold_mentions = True
    with torch.no_grad():
        for scorer in (head._mention_scorer._module, head._antecedent_scorer._module):
            scorer.weight.zero_()
            scorer.bias.zero_()
        head._antecedent_scorer._module.bias.fill_(antecedent_bias)
    metadata = [{"original_text": [], "clusters": c} for c in GOLD_CLUSTERS]
    labels = span_labels_for(GOLD_DOCS, GOLD_CLUSTERS)
    out = _gold_forward(head, span_labels=labels, metadata=metadata)
    assert out["top_span_mask"].sum().item() == 6  # 4 + 2 gold mentions
    return head.get_metrics(reset=True)


def test_metrics_of_forced_links_computed_by_hand() -> None:
    metrics = _forced_link_metrics(100.0)
    # Doc 1: gold {a, b} {c, d}, predicted {a, b, c, d}; doc 2: gold = predicted = {e, f}.
    # MUC  R = (1 + 1 + 1) / (1 + 1 + 1) = 1; P = (4 - 2 + 2 - 1) / (3 + 1) = 3/4.
    # B3   R = (4 x 1 + 2 x 1) / 6 = 1;        P = (4 x 2/4 + 2 x 1) / 6 = 2/3.
    # CEAF-e: phi4({a,b}, {a,b,c,d}) = 2 x 2 / (2 + 4) = 2/3, phi4({e,f}, {e,f}) = 1;
    #      R = (2/3 + 1) / 3 key clusters = 5/9; P = (2/3 + 1) / 2 response clusters = 5/6.
    muc_f1, b3_f1 = 2 * 0.75 / 1.75, 2 * (2 / 3) / (5 / 3)
    ceafe_f1 = 2 * (5 / 9) * (5 / 6) / (5 / 9 + 5 / 6)
    assert metrics["muc_precision"] == pytest.approx(3 / 4)
    assert metrics["b3_precision"] == pytest.approx(2 / 3)
    assert metrics["ceafe_recall"] == pytest.approx(5 / 9)
    assert metrics["coref_precision"] == pytest.approx((3 / 4 + 2 / 3 + 5 / 6) / 3)
    assert metrics["coref_recall"] == pytest.approx((1 + 1 + 5 / 9) / 3)
    assert metrics["coref_f1"] == pytest.approx((muc_f1 + b3_f1 + ceafe_f1) / 3)
    # Every gold mention is a candidate span (widths 1 and 2 <= 3) and is kept.
    assert metrics["mention_recall"] == 1.0


def test_metrics_when_nothing_is_linked() -> None:
    metrics = _forced_link_metrics(-100.0)
    assert metrics["coref_precision"] == 0.0
    assert metrics["coref_recall"] == 0.0
    assert metrics["coref_f1"] == 0.0
    assert metrics["mention_recall"] == 1.0


# --- learning --------------------------------------------------------------------------------


LEARN_DOCS = [
    ("john met mary . she smiled", [[(2, 2), (4, 4)]]),
    ("anna saw paul . he left", [[(2, 2), (4, 4)]]),
    ("tom met kate . he smiled", [[(0, 0), (4, 4)]]),
    ("kate saw john . she left", [[(0, 0), (4, 4)]]),
    ("paul met anna . he saw her", [[(0, 0), (4, 4)], [(2, 2), (6, 6)]]),
]


def test_head_learns_a_tiny_data_set_to_exact_clusters() -> None:
    torch.manual_seed(5)
    words = [doc.split() for doc, _ in LEARN_DOCS]
    vocab = {w: i for i, w in enumerate(sorted({w for ws in words for w in ws}), start=1)}
    lengths = [len(ws) for ws in words]
    token_ids = torch.zeros(len(words), max(lengths), dtype=torch.long)
    for row, ws in enumerate(words):
        token_ids[row, : len(ws)] = torch.tensor([vocab[w] for w in ws])
    mask = token_ids > 0
    # Single-token candidate spans, and floor(0.9 x 6) = 5 of 6 (floor(0.9 x 7) = 6 of 7) kept:
    # pruning is active, but a gold mention that gets pruned receives no gradient in Lee et al.'s
    # objective (a loss-0 optimum without clusters), so a tiny data set must not prune much.
    docs = [all_spans(n, 1) for n in lengths]
    gold = [clusters for _, clusters in LEARN_DOCS]
    spans, labels = pad_spans(docs), span_labels_for(docs, gold)

    embedding = torch.nn.Embedding(len(vocab) + 1, 8)
    lstm = torch.nn.LSTM(8, 4, batch_first=True, bidirectional=True)
    head = make_head(
        input_dim=8,
        output_dim=8,
        feature_size=4,
        max_span_width=1,
        spans_per_word=0.9,
        max_antecedents=6,
        hidden=16,
    )
    parameters = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=0.01)

    def run(train: bool) -> dict:
        head.train(train)
        embedded = embedding(token_ids)
        return head(embedded, lstm(embedded)[0], mask, spans=spans, span_labels=labels)

    def predicted_clusters() -> list:
        with torch.no_grad():
            return head.make_output_human_readable(run(False))["clusters"]

    for step in range(300):
        optimizer.zero_grad()
        run(True)["loss"].backward()
        optimizer.step()
        if step % 5 == 4 and predicted_clusters() == gold:
            break
    assert predicted_clusters() == gold

    head.eval()
    head.get_metrics(reset=True)
    embedded = embedding(token_ids)
    metadata = [{"original_text": ws, "clusters": clusters} for ws, clusters in zip(words, gold)]
    head(embedded, lstm(embedded)[0], mask, spans=spans, span_labels=labels, metadata=metadata)
    metrics = head.get_metrics(reset=True)
    assert metrics["coref_f1"] == pytest.approx(1.0)
    assert metrics["mention_recall"] == pytest.approx(1.0)
