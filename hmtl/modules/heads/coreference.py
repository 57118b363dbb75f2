"""The coreference head of HMTL: Lee et al. (2017) end-to-end span ranking.

The "context BiLSTM" of Lee et al. is the task's encoder, owned by the model: this head gets its
input (``encoder_input``, used for the attention-weighted span embedding) and its output
(``encoded``, used for the span endpoints). Dropout on the encoder's own input is the model's
business; the head's ``lexical_dropout`` applies to ``encoder_input`` where the head reads it.
"""

import math
from collections.abc import Callable
from typing import Any, Optional

import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.modules import FeedForward, TimeDistributed
from allennlp.modules.span_extractors import EndpointSpanExtractor, SelfAttentiveSpanExtractor
from allennlp.modules.token_embedders import Embedding
from allennlp.nn import InitializerApplicator, util

from hmtl.metrics.coreference import ConllCorefScores
from hmtl.modules.heads.coreference_decoding import document_clusters
from hmtl.modules.heads.head import Head

# Antecedent distances (in kept spans) are embedded in AllenNLP's semi-log buckets
# [0, 1, 2, 3, 4, 5-7, 8-15, 16-31, 32-63, 64+], as in Lee et al.
NUM_DISTANCE_BUCKETS = 10


def feedforward_input_dims(
    encoder_input_dim: int, encoder_output_dim: int, feature_size: int
) -> tuple[int, int]:
    """The input sizes of the mention and antecedent feedforwards.

    A span is [encoder output at both ends; width feature; attended encoder input]; a pair is
    [span; antecedent; their product; distance feature].
    """
    span_dim = 2 * encoder_output_dim + feature_size + encoder_input_dim
    return span_dim, 3 * span_dim + feature_size


def after_first_layer(feedforward: FeedForward, hidden: torch.Tensor) -> torch.Tensor:
    """The rest of ``feedforward`` given its first linear layer's output ``hidden``: what the
    block-by-block formulations of the first layer continue with."""
    hidden = feedforward._dropout[0](feedforward._activations[0](hidden))
    for layer, activation, dropout in zip(
        feedforward._linear_layers[1:], feedforward._activations[1:], feedforward._dropout[1:]
    ):
        hidden = dropout(activation(layer(hidden)))
    return hidden


@Head.register("coreference")
class CoreferenceHead(Head):
    """Scores every candidate span as a mention, keeps the best, ranks antecedents for each.

    A span is represented as [encoded start; encoded end; span-width embedding; attention-weighted
    sum of ``encoder_input`` over the span]. The ``spans_per_word`` x document-length best
    scoring spans of each document are kept (exactly the gold mentions instead, when evaluating on
    gold mentions); each kept span scores its ``max_antecedents`` preceding kept spans from
    [g_i; g_j; g_i * g_j; distance embedding] plus both mention scores, against a dummy
    antecedent of score 0. Only (kept spans x max_antecedents) pairs are ever materialised.

    The ``input_dim`` of ``mention_feedforward`` and ``antecedent_feedforward`` may be left out
    of a config: ``from_params`` fills in the sizes the encoder dimensions imply
    (``feedforward_input_dims``). One that is given (the original configs give it) is checked.
    ``eval_on_gold_mentions`` is also a plain attribute that can be switched on after
    construction (``evaluate -g``); it only acts when the head is not training.

    ``blockwise_mention_scoring`` scores the candidate spans without building their embeddings
    (``_mention_scores``): the same function, faster and with less memory (README, "Faster
    training"), but other floating-point rounding, so a run does not reproduce the last digits
    of one without it. Off by default, as in the original.

    Metrics (when ``span_labels`` and the metadata ``clusters`` are given): ``coref_precision``,
    ``coref_recall``, ``coref_f1``, ``mention_recall`` and the MUC, B-cubed and CEAF-e scores.
    """

    gold_fields = ("span_labels",)
    loss_reduction = "sum"  # over kept spans and documents (``_loss``)
    output_kind = "clusters"

    def __init__(
        self,
        vocab: Vocabulary,
        encoder_input_dim: int,
        encoder_output_dim: int,
        mention_feedforward: FeedForward,
        antecedent_feedforward: FeedForward,
        feature_size: int,
        max_span_width: int,
        spans_per_word: float,
        max_antecedents: int,
        lexical_dropout: float = 0.2,
        initializer: Optional[InitializerApplicator] = None,  # noqa: UP045 (FromParams)
        eval_on_gold_mentions: bool = False,
        blockwise_mention_scoring: bool = False,
    ) -> None:
        super().__init__(vocab, encoder_input_dim, encoder_output_dim)
        _check_positive(
            feature_size=feature_size,
            max_span_width=max_span_width,
            spans_per_word=spans_per_word,
            max_antecedents=max_antecedents,
        )
        if not 0.0 <= lexical_dropout < 1.0:
            raise ConfigurationError(
                f"coreference head: lexical_dropout must be in [0, 1), got {lexical_dropout}"
            )
        span_dim, pair_dim = feedforward_input_dims(
            encoder_input_dim, encoder_output_dim, feature_size
        )
        if mention_feedforward.get_input_dim() != span_dim:
            raise ConfigurationError(
                f"coreference head: mention_feedforward input_dim is "
                f"{mention_feedforward.get_input_dim()}, expected {span_dim} = 2 x "
                f"{encoder_output_dim} (encoder output at both span ends) + {feature_size} "
                f"(feature_size, span width) + {encoder_input_dim} (encoder input, attended)"
            )
        if antecedent_feedforward.get_input_dim() != pair_dim:
            raise ConfigurationError(
                f"coreference head: antecedent_feedforward input_dim is "
                f"{antecedent_feedforward.get_input_dim()}, expected {pair_dim} = 3 x {span_dim} "
                f"(span, antecedent, their product) + {feature_size} (feature_size, distance)"
            )

        self.max_span_width = max_span_width
        self.spans_per_word = spans_per_word
        self.max_antecedents = max_antecedents
        self.eval_on_gold_mentions = eval_on_gold_mentions
        self.blockwise_mention_scoring = blockwise_mention_scoring

        self._lexical_dropout = torch.nn.Dropout(p=lexical_dropout)
        self._endpoint_span_extractor = EndpointSpanExtractor(
            encoder_output_dim,
            combination="x,y",
            num_width_embeddings=max_span_width,
            span_width_embedding_dim=feature_size,
        )
        self._attentive_span_extractor = SelfAttentiveSpanExtractor(input_dim=encoder_input_dim)
        # Attribute names follow the original so its initializer regexes still match
        # (".*linear_layers.*weight", ".*scorer._module.weight", "_distance_embedding.weight").
        self._mention_feedforward = TimeDistributed(mention_feedforward)
        self._mention_scorer = TimeDistributed(
            torch.nn.Linear(mention_feedforward.get_output_dim(), 1)
        )
        # Applied block-wise by _antecedent_pair_scores, hence not wrapped.
        self._antecedent_feedforward = antecedent_feedforward
        self._antecedent_scorer = TimeDistributed(
            torch.nn.Linear(antecedent_feedforward.get_output_dim(), 1)
        )
        self._distance_embedding = Embedding(
            embedding_dim=feature_size, num_embeddings=NUM_DISTANCE_BUCKETS
        )
        self._conll_coref_scores = ConllCorefScores()
        if initializer is not None:
            initializer(self)

    @classmethod
    def from_params(  # type: ignore[override]
        cls,
        params: Params,
        constructor_to_call: Callable[..., "CoreferenceHead"] | None = None,
        constructor_to_inspect: Callable[..., Any] | None = None,
        **extras: Any,
    ) -> "CoreferenceHead":
        """Fill in the feedforwards' omitted ``input_dim``; accept the original configs'
        bare-list ``initializer`` (AllenNLP 0.7 form).

        AllenNLP 2.x expects ``{"regexes": [[regex, initializer], ...]}``; the original configs
        give the list itself.
        """
        if isinstance(params.params.get("initializer"), list):
            params.params["initializer"] = {"regexes": params.params["initializer"]}
        feature_size = params.params.get("feature_size")
        encoder_dims = (extras.get("encoder_input_dim"), extras.get("encoder_output_dim"))
        sizes_known = isinstance(feature_size, int) and all(
            isinstance(dim, int) for dim in encoder_dims
        )
        if sizes_known:
            dims = feedforward_input_dims(*encoder_dims, feature_size)
            for key, dim in zip(("mention_feedforward", "antecedent_feedforward"), dims):
                block = params.params.get(key)
                if isinstance(block, dict):
                    block.setdefault("input_dim", dim)
        return super().from_params(
            params,
            constructor_to_call=constructor_to_call,
            constructor_to_inspect=constructor_to_inspect,
            **extras,
        )

    def forward(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        mask: torch.BoolTensor,
        spans: torch.LongTensor,
        span_labels: torch.LongTensor | None = None,
        metadata: list[dict[str, Any]] | None = None,
        use_gold_mentions: bool | None = None,
    ) -> dict[str, Any]:
        """Rank antecedents for the kept spans of each document.

        ``spans`` is (batch, num_spans, 2), inclusive, padded with -1; ``span_labels`` the gold
        cluster id of each span or -1. ``use_gold_mentions`` overrides ``eval_on_gold_mentions``
        (which applies in evaluation only). The loss is the negative log of the summed
        probability of each kept span's gold antecedents (the dummy when it has none), summed
        over kept spans and documents as in Lee et al.
        """
        mask = mask.bool()
        # AllenNLP's index selection views its input: an RNN's output need not be contiguous.
        encoder_input, encoded = encoder_input.contiguous(), encoded.contiguous()
        span_mask = self._check_spans(spans, mask)
        # Padding spans (-1, -1) become (0, 0) so that every index is valid; span_mask hides them.
        spans = spans.clamp(min=0)
        if use_gold_mentions is None:
            use_gold_mentions = self.eval_on_gold_mentions and not self.training

        encoder_input = self._lexical_dropout(encoder_input)
        span_embeddings: torch.Tensor | None = None
        if self.blockwise_mention_scoring:
            # Shape: (batch, num_spans)
            mention_scores = self._mention_scores(encoder_input, encoded, spans, span_mask)
        else:
            # Shape: (batch, num_spans, span_dim)
            span_embeddings = self._span_embeddings(
                encoder_input, encoded, spans, mask, span_mask
            )
            mention_scores = self._mention_scorer(self._mention_feedforward(span_embeddings))
            mention_scores = mention_scores.squeeze(-1)

        if use_gold_mentions:
            candidate_mask = span_mask & self._gold_mention_mask(
                spans, span_mask, span_labels, metadata
            )
            num_to_keep = candidate_mask.sum(-1)
        else:
            candidate_mask = span_mask
            document_lengths = mask.sum(-1)
            num_to_keep = torch.minimum(
                (document_lengths.float() * self.spans_per_word).floor().long(),
                span_mask.sum(-1),
            )
        num_to_keep = num_to_keep.clamp(min=1)
        top_scores, top_mask, top_indices = self._keep_spans(
            mention_scores, candidate_mask, num_to_keep, spans
        )
        # Shapes: (batch, num_kept, 2), (batch, num_kept, span_dim)
        top_spans = util.batched_index_select(spans, top_indices)
        if span_embeddings is None:
            top_span_mask = util.batched_index_select(span_mask.unsqueeze(-1), top_indices)
            top_embeddings = self._span_embeddings(
                encoder_input, encoded, top_spans, mask, top_span_mask.squeeze(-1)
            )
        else:
            top_embeddings = util.batched_index_select(span_embeddings, top_indices)

        num_kept = top_indices.size(1)
        num_antecedents = max(1, min(self.max_antecedents, num_kept - 1))
        # Shapes: (kept, antecedents), (antecedents,), (batch, kept, antecedents)
        antecedent_indices, offsets, pair_mask = self._antecedent_candidates(
            top_mask, num_antecedents
        )
        coreference_scores = self._coreference_scores(
            top_embeddings, top_scores, antecedent_indices, offsets, pair_mask
        )
        # The argmax over [dummy, antecedents]: -1 is the dummy (no antecedent).
        predicted_antecedents = coreference_scores.argmax(-1) - 1

        batch_size = spans.size(0)
        output: dict[str, Any] = {
            "top_spans": top_spans.masked_fill(~top_mask.unsqueeze(-1), -1),
            "top_span_mask": top_mask,
            "antecedent_indices": antecedent_indices.unsqueeze(0)
            .expand(batch_size, -1, -1)
            .masked_fill(~pair_mask, -1),
            "predicted_antecedents": predicted_antecedents,
        }
        if span_labels is not None:
            if metadata is not None:
                self._update_metrics(output, metadata)
            output["loss"] = self._loss(
                coreference_scores,
                span_labels,
                top_indices,
                top_mask,
                antecedent_indices,
                pair_mask,
            )
        if metadata is not None:
            output["document"] = [doc.get("original_text") for doc in metadata]
        return output

    def get_metrics(self, reset: bool = False) -> dict[str, float]:
        """CoNLL-2012 scores and mention recall of the documents seen since the last reset."""
        return self._conll_coref_scores.get_metric(reset)

    def make_output_human_readable(self, output_dict: dict[str, Any]) -> dict[str, Any]:
        """Add ``clusters``: per document, lists of inclusive (start, end) token spans."""
        output_dict["clusters"] = decode_batch_clusters(
            output_dict["top_spans"],
            output_dict["antecedent_indices"],
            output_dict["predicted_antecedents"],
        )
        return output_dict

    def _update_metrics(self, output: dict[str, Any], metadata: list[dict[str, Any]]) -> None:
        """Score the decoded clusters, and the kept spans for mention recall."""
        gold_clusters = [doc.get("clusters") for doc in metadata]
        if any(clusters is None for clusters in gold_clusters):
            return
        predicted_clusters = decode_batch_clusters(
            output["top_spans"], output["antecedent_indices"], output["predicted_antecedents"]
        )
        self._conll_coref_scores(
            predicted_clusters,
            gold_clusters,
            top_spans=output["top_spans"],
            top_span_mask=output["top_span_mask"],
        )

    def _check_spans(self, spans: torch.Tensor, mask: torch.BoolTensor) -> torch.BoolTensor:
        """Refuse spans the span-width embedding or the document cannot hold; return their mask."""
        if spans.dim() != 3 or spans.size(-1) != 2 or spans.size(0) != mask.size(0):
            raise ValueError(
                f"coreference head: spans must be (batch={mask.size(0)}, num_spans, 2), "
                f"got {tuple(spans.shape)}"
            )
        span_mask = spans[..., 0] >= 0
        widths = spans[..., 1] - spans[..., 0] + 1
        lengths = mask.sum(-1, keepdim=True)
        bad = span_mask & (
            (widths < 1) | (widths > self.max_span_width) | (spans[..., 1] >= lengths)
        )
        if bad.any():
            document, index = (int(x) for x in bad.nonzero()[0])
            start, end = (int(x) for x in spans[document, index])
            raise ConfigurationError(
                f"coreference head: span ({start}, {end}) of document {document} in the batch "
                f"is not an inclusive span of width 1..{self.max_span_width} (max_span_width) "
                f"inside its {int(lengths[document])} tokens; the reader's max_span_width must "
                "not exceed the head's"
            )
        return span_mask

    @staticmethod
    def _gold_mention_mask(
        spans: torch.Tensor,
        span_mask: torch.BoolTensor,
        span_labels: torch.Tensor | None,
        metadata: list[dict[str, Any]] | None,
    ) -> torch.BoolTensor:
        """Which candidate spans are gold mentions, from the metadata clusters or the labels."""
        if metadata is not None and all(doc.get("clusters") is not None for doc in metadata):
            gold = torch.zeros_like(span_mask)
            for document, doc in enumerate(metadata):
                mentions = [tuple(span) for cluster in doc["clusters"] for span in cluster]
                if not mentions:
                    continue
                # Shape: (num_mentions, 2) compared against (num_spans, 1, 2)
                mention_tensor = spans.new_tensor(mentions)
                matches = (spans[document].unsqueeze(1) == mention_tensor).all(-1)
                gold[document] = matches.any(-1)
            return gold
        if span_labels is not None:
            return span_labels >= 0
        raise ValueError(
            "coreference head: evaluating on gold mentions needs the gold clusters "
            "(metadata 'clusters') or span_labels, and the batch has neither"
        )

    def _span_embeddings(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        spans: torch.LongTensor,
        mask: torch.BoolTensor,
        span_mask: torch.BoolTensor,
    ) -> torch.Tensor:
        """(batch, num_spans, span_dim): [encoded start; encoded end; width; attended input]."""
        return torch.cat(
            [
                self._endpoint_span_extractor(encoded, spans, mask, span_mask),
                self._attentive_span_extractor(encoder_input, spans, mask, span_mask),
            ],
            dim=-1,
        )

    def _mention_scores(
        self,
        encoder_input: torch.Tensor,
        encoded: torch.Tensor,
        spans: torch.LongTensor,
        span_mask: torch.BoolTensor,
    ) -> torch.Tensor:
        """(batch, num_spans): mention_scorer(mention_feedforward(``_span_embeddings``)).

        The feedforward's first linear layer is applied block by block, which is the same
        function as applying it to the span embeddings: every block of a span embedding is a
        token's vector (its start, its end), a width's embedding, or an attention-weighted sum of
        tokens, so each token and width is projected once and the projections are gathered per
        span. The (spans x span_dim) embeddings and the (spans x width x encoder input)
        attention tensor of the plain formulation are never built: the layer's output size (150
        in the original) takes the place of 2 x 400 + 20 + 1316 per span, and each token is
        projected once instead of once per span that holds it (up to ``max_span_width``). The
        kept spans get their embeddings afterwards (``_span_embeddings``).
        """
        feedforward = self._mention_feedforward._module
        first_layer = feedforward._linear_layers[0]
        endpoint, attentive = self._endpoint_span_extractor, self._attentive_span_extractor
        output_dim = encoded.size(-1)
        w_start, w_end, w_width, w_attended = first_layer.weight.split(
            [output_dim, output_dim, endpoint._span_width_embedding.get_output_dim(),
             encoder_input.size(-1)],
            dim=1,
        )
        starts, ends = (index.squeeze(-1) * span_mask for index in spans.split(1, dim=-1))
        widths = spans[..., 1] - spans[..., 0]
        # Shapes: (batch, num_spans, hidden)
        endpoints = (
            util.batched_index_select(torch.nn.functional.linear(encoded, w_start), starts)
            + util.batched_index_select(torch.nn.functional.linear(encoded, w_end), ends)
            + torch.nn.functional.linear(endpoint._span_width_embedding(widths), w_width)
        )
        # Each token's projection beside its attention logit, selected per span in one go.
        projected = torch.cat(
            [
                torch.nn.functional.linear(encoder_input, w_attended),
                attentive._global_attention(encoder_input),
            ],
            dim=-1,
        )
        selected, width_mask = util.batched_span_select(projected, spans)
        weights = util.masked_softmax(selected[..., -1], width_mask)
        attended = util.weighted_sum(selected[..., :-1], weights)
        hidden = (endpoints + attended) * span_mask.unsqueeze(-1) + first_layer.bias
        return self._mention_scorer(after_first_layer(feedforward, hidden)).squeeze(-1)

    @staticmethod
    def _keep_spans(
        mention_scores: torch.Tensor,
        candidate_mask: torch.BoolTensor,
        num_to_keep: torch.LongTensor,
        spans: torch.LongTensor,
    ) -> tuple[torch.Tensor, torch.BoolTensor, torch.LongTensor]:
        """The best ``num_to_keep`` candidates of each document, in (start, end) order."""
        top_scores, top_mask, top_indices = util.masked_topk(
            mention_scores, candidate_mask, num_to_keep
        )
        # Antecedents are earlier spans: order kept spans by (start, end), padding last, rather
        # than trusting the reader's span order.
        top_starts_ends = util.batched_index_select(spans, top_indices)
        order_key = top_starts_ends[..., 0] * (spans.max() + 1) + top_starts_ends[..., 1]
        order_key = order_key.masked_fill(~top_mask, torch.iinfo(order_key.dtype).max)
        order = order_key.argsort(dim=-1, stable=True)
        top_mask = top_mask.gather(1, order)
        top_scores = top_scores.gather(1, order).masked_fill(~top_mask, 0.0)
        return top_scores, top_mask, top_indices.gather(1, order)

    @staticmethod
    def _antecedent_candidates(
        top_mask: torch.BoolTensor, num_antecedents: int
    ) -> tuple[torch.LongTensor, torch.LongTensor, torch.BoolTensor]:
        """The ``num_antecedents`` kept spans before each kept span, nearest first."""
        device = top_mask.device
        num_kept = top_mask.size(1)
        offsets = torch.arange(1, num_antecedents + 1, device=device)
        raw_indices = torch.arange(num_kept, device=device).unsqueeze(1) - offsets.unsqueeze(0)
        antecedent_indices = raw_indices.clamp(min=0)
        pair_mask = (
            (raw_indices >= 0).unsqueeze(0)
            & top_mask.unsqueeze(-1)
            & top_mask[:, antecedent_indices]
        )
        return antecedent_indices, offsets, pair_mask

    def _coreference_scores(
        self,
        top_embeddings: torch.Tensor,
        top_scores: torch.Tensor,
        antecedent_indices: torch.LongTensor,
        offsets: torch.LongTensor,
        pair_mask: torch.BoolTensor,
    ) -> torch.Tensor:
        """(batch, num_kept, 1 + num_antecedents) scores; column 0 is the dummy antecedent."""
        antecedent_mention_scores = util.flattened_index_select(
            top_scores.unsqueeze(-1), antecedent_indices
        ).squeeze(-1)
        pair_scores = (
            self._antecedent_pair_scores(top_embeddings, antecedent_indices, offsets)
            + top_scores.unsqueeze(-1)
            + antecedent_mention_scores
        )
        pair_scores = util.replace_masked_values(
            pair_scores, pair_mask, util.min_value_of_dtype(pair_scores.dtype)
        )
        dummy_scores = pair_scores.new_zeros(*pair_scores.shape[:-1], 1)
        return torch.cat([dummy_scores, pair_scores], dim=-1)

    def _antecedent_pair_scores(
        self,
        top_embeddings: torch.Tensor,
        antecedent_indices: torch.LongTensor,
        offsets: torch.LongTensor,
    ) -> torch.Tensor:
        """antecedent_scorer(antecedent_feedforward([g_i; g_j; g_i * g_j; distance])).

        The feedforward's first linear layer is applied block by block, which is the same
        function as applying it to the concatenation: the g_i and g_j blocks are computed once
        per kept span and gathered, the distance block once per offset. Only g_i * g_j is
        materialised per pair, so the (kept x antecedents x 3 span_dim) concatenation never is:
        about 3 times less memory and arithmetic than the plain formulation.
        """
        feedforward = self._antecedent_feedforward
        first_layer = feedforward._linear_layers[0]
        span_dim = top_embeddings.size(-1)
        w_target, w_antecedent, w_product, w_distance = first_layer.weight.split(
            [span_dim, span_dim, span_dim, first_layer.in_features - 3 * span_dim], dim=1
        )
        # Shape: (num_antecedents, feature_size)
        distance_embeddings = self._distance_embedding(
            util.bucket_values(offsets, num_total_buckets=NUM_DISTANCE_BUCKETS)
        )
        # Shape: (batch, num_kept, num_antecedents, span_dim)
        antecedent_embeddings = util.flattened_index_select(top_embeddings, antecedent_indices)
        # Shape: (batch, num_kept, num_antecedents, hidden)
        hidden = (
            torch.nn.functional.linear(top_embeddings, w_target, first_layer.bias).unsqueeze(2)
            + util.flattened_index_select(
                torch.nn.functional.linear(top_embeddings, w_antecedent), antecedent_indices
            )
            + torch.nn.functional.linear(
                top_embeddings.unsqueeze(2) * antecedent_embeddings, w_product
            )
            + torch.nn.functional.linear(distance_embeddings, w_distance)
        )
        return self._antecedent_scorer(after_first_layer(feedforward, hidden)).squeeze(-1)

    @staticmethod
    def _loss(
        coreference_scores: torch.Tensor,
        span_labels: torch.LongTensor,
        top_indices: torch.LongTensor,
        top_mask: torch.BoolTensor,
        antecedent_indices: torch.LongTensor,
        pair_mask: torch.BoolTensor,
    ) -> torch.Tensor:
        """Negative marginal log-likelihood of the gold antecedents of the kept spans."""
        # Shape: (batch, num_kept); padding has cluster -1 (SequenceLabelField pads with 0).
        top_labels = span_labels.gather(1, top_indices).masked_fill(~top_mask, -1)
        # Shape: (batch, num_kept, num_antecedents)
        antecedent_labels = top_labels[:, antecedent_indices]
        same_cluster = (
            (antecedent_labels == top_labels.unsqueeze(-1))
            & (top_labels.unsqueeze(-1) >= 0)
            & pair_mask
        )
        no_gold_antecedent = ~same_cluster.any(-1, keepdim=True)
        gold_mask = torch.cat([no_gold_antecedent, same_cluster], dim=-1)
        log_probs = torch.log_softmax(coreference_scores, dim=-1)
        gold_log_probs = util.logsumexp(
            util.replace_masked_values(
                log_probs, gold_mask, util.min_value_of_dtype(log_probs.dtype)
            )
        )
        return -(gold_log_probs * top_mask).sum()


def decode_batch_clusters(
    top_spans: torch.Tensor,
    antecedent_indices: torch.Tensor,
    predicted_antecedents: torch.Tensor,
) -> list[list[list[tuple[int, int]]]]:
    """Per document of the batch, the clusters its predicted antecedents form."""
    return [
        document_clusters(spans, indices, choices)
        for spans, indices, choices in zip(
            top_spans.tolist(), antecedent_indices.tolist(), predicted_antecedents.tolist()
        )
    ]


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ConfigurationError(f"coreference head: {name} must be positive, got {value}")
    if math.isinf(values["spans_per_word"]):
        raise ConfigurationError("coreference head: spans_per_word must be finite")
