"""Turning antecedent choices into coreference clusters.

Kept apart from the head (and free of torch) so the decoding rule can be tested on hand-made
choices and reused by anything that has predicted antecedents, e.g. a demo or a predictor.
"""

from collections.abc import Sequence

Span = tuple[int, int]


def decode_clusters(spans: Sequence[Span], antecedents: Sequence[int]) -> list[list[Span]]:
    """Group spans into clusters by following each span's chosen antecedent.

    ``spans`` are the kept spans of one document in document order (inclusive ``(start, end)``);
    ``antecedents[i]`` is the position in ``spans`` of the antecedent chosen for span ``i``, or
    -1 when it chose the dummy antecedent (no antecedent). Antecedents must come earlier, so one
    left-to-right pass suffices: a span joins its antecedent's cluster, or opens a new cluster
    with it. Spans that neither choose nor are chosen belong to no cluster. Clusters come out in
    order of their first mention, mentions in document order.
    """
    if len(spans) != len(antecedents):
        raise ValueError(
            f"decode_clusters: {len(spans)} spans but {len(antecedents)} antecedent choices"
        )
    cluster_of: dict[int, int] = {}
    clusters: list[list[int]] = []
    for i, antecedent in enumerate(antecedents):
        if antecedent < 0:
            continue
        if antecedent >= i:
            raise ValueError(
                f"decode_clusters: span {i} {tuple(spans[i])} chose antecedent {antecedent}, "
                "expected an earlier span (an index below its own) or -1"
            )
        if antecedent not in cluster_of:
            cluster_of[antecedent] = len(clusters)
            clusters.append([antecedent])
        cluster_of[i] = cluster_of[antecedent]
        clusters[cluster_of[i]].append(i)
    return [[_as_span(spans[index]) for index in cluster] for cluster in clusters]


def document_clusters(
    top_spans: Sequence[Sequence[int]],
    antecedent_indices: Sequence[Sequence[int]],
    predicted_antecedents: Sequence[int],
) -> list[list[Span]]:
    """Clusters of one document from the head's output (as nested lists).

    ``predicted_antecedents[i]`` is a column of row ``antecedent_indices[i]`` (or -1 for the
    dummy), and that row holds positions in ``top_spans``; padding spans have start -1 and are
    never part of a cluster.
    """
    antecedents = []
    for i, choice in enumerate(predicted_antecedents):
        if choice < 0 or top_spans[i][0] < 0:
            antecedents.append(-1)
        else:
            antecedents.append(antecedent_indices[i][choice])
    return decode_clusters([_as_span(span) for span in top_spans], antecedents)


def _as_span(span: Sequence[int]) -> Span:
    return (int(span[0]), int(span[1]))
