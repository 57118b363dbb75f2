"""The coreference metrics of CoNLL-2012: MUC, B-cubed and entity-based CEAF, for one document.

Each metric returns the four counts (recall numerator, recall denominator, precision numerator,
precision denominator) of one document, so that a corpus score is the micro-average the
reference scorer (v8.01) reports: sum every count over the documents, then divide.

A cluster is a sequence of mentions; a mention is any hashable value ((start, end) spans in this
project). Degenerate input is treated the way the reference scorer treats it, since our numbers
must agree with it:

- Key: a mention listed twice (in one cluster or in two) stays wherever it is listed; where a
  mention's key cluster is needed, the last key cluster that lists it is the one used.
- Response: a key mention listed again after its first occurrence is dropped from the later
  places, and a cluster left empty by that is dropped. A response mention that is not a key
  mention stays wherever it is listed.
- Empty clusters are ignored, on both sides.

With clusters that partition their mentions, every metric is exactly the published definition:
MUC (Vilain et al., 1995), B-cubed (Bagga & Baldwin, 1998) and CEAF with the entity similarity
phi4 and the optimal one-to-one alignment of entities (Luo, 2005).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import NamedTuple

from hmtl.metrics.assignment import max_weight_matching

Mention = Hashable
Clusters = Sequence[Sequence[Mention]]


class Counts(NamedTuple):
    """The four counts of one metric; add them over documents, then read recall/precision/F1."""

    recall_numerator: float
    recall_denominator: float
    precision_numerator: float
    precision_denominator: float

    def __add__(self, other: object) -> Counts:  # type: ignore[override]
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(*(a + b for a, b in zip(self, other)))

    @property
    def recall(self) -> float:
        """0 when nothing was expected, as the reference scorer prints it."""
        return _ratio(self.recall_numerator, self.recall_denominator)

    @property
    def precision(self) -> float:
        """0 when nothing was predicted, as the reference scorer prints it."""
        return _ratio(self.precision_numerator, self.precision_denominator)

    @property
    def f1(self) -> float:
        """Harmonic mean of recall and precision; 0 when both are 0."""
        recall, precision = self.recall, self.precision
        if recall + precision == 0:
            return 0.0
        return 2 * recall * precision / (recall + precision)


ZERO = Counts(0, 0, 0, 0)


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else 0.0


def align_clusters(
    key: Clusters, response: Clusters
) -> tuple[list[list[Mention]], list[list[Mention]]]:
    """Key and response clusters as every metric sees them (see the module docstring)."""
    key_clusters = [list(cluster) for cluster in key if len(cluster) > 0]
    key_mentions = {mention for cluster in key_clusters for mention in cluster}
    seen: set[Mention] = set()
    response_clusters = []
    for cluster in response:
        kept = []
        for mention in cluster:
            if mention in key_mentions:
                if mention in seen:
                    continue
                seen.add(mention)
            kept.append(mention)
        if kept:
            response_clusters.append(kept)
    return key_clusters, response_clusters


def _home_cluster(clusters: list[list[Mention]]) -> dict[Mention, int]:
    """Mention -> index of the last cluster that lists it."""
    return {mention: index for index, cluster in enumerate(clusters) for mention in cluster}


def muc(key: Clusters, response: Clusters) -> Counts:
    """MUC: links. A cluster of n mentions has n - 1 links; a singleton has none.

    Correct links: a response cluster that holds m mentions of one key cluster recovers m - 1
    of its links (Vilain et al.'s |K| - |p(K)| summed over the key, seen from the response).
    """
    key_clusters, response_clusters = align_clusters(key, response)
    home = _home_cluster(key_clusters)
    correct = 0
    for cluster in response_clusters:
        per_key_cluster = Counter(home[mention] for mention in cluster if mention in home)
        correct += sum(count - 1 for count in per_key_cluster.values())
    key_links = sum(len(cluster) - 1 for cluster in key_clusters)
    response_links = sum(len(cluster) - 1 for cluster in response_clusters)
    return Counts(correct, key_links, correct, response_links)


def b_cubed(key: Clusters, response: Clusters) -> Counts:
    """B-cubed: per mention, the overlap of its key and response clusters.

    For a response mention m of response cluster R whose key cluster is K, the overlap is the
    number of mentions of R that K lists; m adds overlap/|R| to precision and overlap/|K| to
    recall. Denominators are the numbers of key and response mentions, so a key mention the
    response misses adds nothing to recall and a response mention absent from the key adds
    nothing to precision.
    """
    key_clusters, response_clusters = align_clusters(key, response)
    home = _home_cluster(key_clusters)
    key_sets = [set(cluster) for cluster in key_clusters]
    recall_numerator = 0.0
    precision_numerator = 0.0
    for cluster in response_clusters:
        overlap_with: dict[int, int] = {}
        for mention in cluster:
            index = home.get(mention)
            if index is None:
                continue
            if index not in overlap_with:
                overlap_with[index] = sum(1 for other in cluster if other in key_sets[index])
            overlap = overlap_with[index]
            precision_numerator += overlap / len(cluster)
            recall_numerator += overlap / len(key_clusters[index])
    return Counts(
        recall_numerator,
        sum(len(cluster) for cluster in key_clusters),
        precision_numerator,
        sum(len(cluster) for cluster in response_clusters),
    )


def ceaf_e(key: Clusters, response: Clusters) -> Counts:
    """Entity-based CEAF: best one-to-one alignment of key and response entities.

    Similarity phi4(K, R) = 2 |K n R| / (|K| + |R|); the alignment maximising the summed
    similarity (Hungarian method, ``hmtl.metrics.assignment``) gives the numerator of both
    recall and precision, divided by the number of key and of response entities.
    """
    key_clusters, response_clusters = align_clusters(key, response)
    total = 0.0
    if key_clusters and response_clusters:
        # After alignment a key mention sits in at most one response cluster.
        response_of = {
            mention: index for index, cluster in enumerate(response_clusters) for mention in cluster
        }
        common: Counter[tuple[int, int]] = Counter()
        for row, cluster in enumerate(key_clusters):
            for mention in cluster:
                column = response_of.get(mention)
                if column is not None:
                    common[row, column] += 1
        similarity = {
            (row, column): 2 * count / (len(key_clusters[row]) + len(response_clusters[column]))
            for (row, column), count in common.items()
        }
        total = float(sum(similarity[pair] for pair in max_weight_matching(similarity)))
    return Counts(total, len(key_clusters), total, len(response_clusters))


def mention_identification(key: Clusters, response: Clusters) -> Counts:
    """How many distinct key mentions the response lists (exact boundaries), both ways."""
    key_mentions = {mention for cluster in key for mention in cluster}
    response_mentions = {mention for cluster in response for mention in cluster}
    found = len(key_mentions & response_mentions)
    return Counts(found, len(key_mentions), found, len(response_mentions))


METRICS = {"muc": muc, "bcub": b_cubed, "ceafe": ceaf_e}
"""The three metrics of the CoNLL-2012 score, under the reference scorer's names."""


def conll_f1(scores: dict[str, Counts]) -> float:
    """The CoNLL-2012 score: the mean of the MUC, B-cubed and CEAF-e F1."""
    return sum(scores[name].f1 for name in METRICS) / len(METRICS)
