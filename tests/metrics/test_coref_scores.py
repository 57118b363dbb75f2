"""MUC, B-cubed and CEAF-e on small documents, by hand and on the reference scorer's test cases."""

import random
from itertools import permutations

import pytest

from hmtl.metrics.coref_scores import (
    ZERO,
    Counts,
    align_clusters,
    b_cubed,
    ceaf_e,
    conll_f1,
    mention_identification,
    muc,
)


def letters(text: str) -> list[list[str]]:
    """'a bc def' -> [['a'], ['b', 'c'], ['d', 'e', 'f']]: one letter is one mention."""
    return [list(cluster) for cluster in text.split()]


def rpf(counts: Counts) -> tuple[float, float, float]:
    return counts.recall, counts.precision, counts.f1


def f1(recall: float, precision: float) -> float:
    return 2 * recall * precision / (recall + precision)


# Spans of a small document: key {A, B, C} {D, E}, response {A, B} {C, D} {X}.
A, B, C, D, E, X = (0, 0), (2, 3), (5, 5), (7, 8), (10, 10), (12, 12)
KEY = [[A, B, C], [D, E]]
RESPONSE = [[A, B], [C, D], [X]]


def test_muc_counts_links():
    # Key links: (3 - 1) + (2 - 1) = 3. Response links: (2 - 1) + (2 - 1) + (1 - 1) = 2.
    # Correct: {A, B} holds 2 mentions of the first key cluster -> 1 link; {C, D} holds one
    # mention of each key cluster -> 0 links; {X} is in no key cluster -> 0.
    assert muc(KEY, RESPONSE) == (1, 3, 1, 2)


def test_b_cubed_sums_per_mention_overlaps():
    # Recall over the response's key mentions (E is missed and adds 0):
    #   A, B: overlap {A, B} = 2 of |K| = 3 -> 2/3 each; C: 1/3; D: 1/2.
    #   2/3 + 2/3 + 1/3 + 1/2 = 13/6, over 5 key mentions.
    # Precision: A, B: 2/2 each; C: 1/2; D: 1/2; X: 0 -> 3, over 5 response mentions.
    counts = b_cubed(KEY, RESPONSE)
    assert counts.recall_numerator == pytest.approx(13 / 6)
    assert counts.recall_denominator == 5
    assert counts.precision_numerator == pytest.approx(3)
    assert counts.precision_denominator == 5


def test_ceaf_e_takes_the_best_one_to_one_alignment():
    # phi4 = 2|K n R| / (|K| + |R|):
    #   K1={A,B,C}: {A,B} 4/5, {C,D} 2/5, {X} 0;  K2={D,E}: {A,B} 0, {C,D} 2/4, {X} 0.
    # Best: K1-{A,B} + K2-{C,D} = 4/5 + 1/2 = 1.3; 2 key and 3 response entities.
    assert ceaf_e(KEY, RESPONSE) == pytest.approx((1.3, 2, 1.3, 3))


def test_ceaf_e_is_not_greedy():
    # K1={a,b,c}, K2={e}; R1={a,b,e}, R2={c}.
    #   phi(K1,R1) = 2*2/6 = 2/3, phi(K1,R2) = 2*1/4 = 1/2, phi(K2,R1) = 2*1/4 = 1/2,
    #   phi(K2,R2) = 0. Greedy takes K1-R1 first: 2/3 + 0. The optimum is 1/2 + 1/2 = 1.
    assert ceaf_e([["a", "b", "c"], ["e"]], [["a", "b", "e"], ["c"]]) == pytest.approx((1, 2, 1, 2))


def test_perfect_response_scores_one_everywhere():
    for metric in (muc, b_cubed, ceaf_e):
        assert rpf(metric(KEY, KEY)) == pytest.approx((1, 1, 1))


def test_empty_response_and_empty_key_score_zero_without_dividing_by_zero():
    assert muc(KEY, []) == (0, 3, 0, 0)
    assert rpf(b_cubed(KEY, [])) == (0, 0, 0)
    assert ceaf_e(KEY, []) == (0, 2, 0, 0)
    assert ceaf_e([], RESPONSE) == (0, 0, 0, 3)
    assert rpf(muc([], [])) == (0, 0, 0)


def test_singletons_count_for_b_cubed_and_ceaf_e_but_not_muc():
    key = [["a"], ["b", "c"]]
    response = [["a"], ["b"], ["c"]]
    # MUC: key links 0 + 1 = 1, response links 0, correct 0.
    assert muc(key, response) == (0, 1, 0, 0)
    # B3 recall: a 1/1, b 1/2, c 1/2 = 2 of 3; precision: 1 + 1 + 1 = 3 of 3.
    assert b_cubed(key, response) == pytest.approx((2, 3, 3, 3))
    # CEAF-e: {a}-{a} 1, {b,c}-{b} 2/3 -> 5/3, 2 key and 3 response entities.
    assert ceaf_e(key, response) == pytest.approx((5 / 3, 2, 5 / 3, 3))


def test_counts_add_over_documents_before_dividing():
    first = muc([["a", "b"]], [["a", "b"]])  # 1/1, 1/1
    second = muc([["a", "b", "c", "d"]], [["a", "b"], ["c", "d"]])  # 2/3, 2/2
    total = first + second
    assert total == (3, 4, 3, 3)
    # Micro-average 3/4, not the mean of per-document recalls (1 + 2/3) / 2 = 5/6.
    assert total.recall == pytest.approx(3 / 4)
    assert ZERO + first == first


def test_conll_f1_is_the_mean_of_the_three_f1():
    scores = {"muc": Counts(1, 2, 1, 2), "bcub": Counts(1, 1, 1, 1), "ceafe": Counts(0, 1, 0, 1)}
    assert conll_f1(scores) == pytest.approx((0.5 + 1 + 0) / 3)


def test_mention_identification_counts_distinct_exact_mentions():
    # Key mentions {a, b, c}; response lists a twice, x once: 1 of 3 found, 1 of 2 distinct.
    assert mention_identification([["a", "b"], ["c"]], [["a", "x"], ["a"]]) == (1, 3, 1, 2)


def test_alignment_drops_repeated_key_mentions_from_the_response_only():
    key = [["a", "b"], ["b", "c"], []]
    response = [["a", "x", "x"], ["a", "b"], ["a"]]
    # Key kept as given (minus the empty cluster). Response: the second and third 'a' are
    # dropped (first listing wins), which empties the last cluster; 'x' is no key mention and
    # stays repeated.
    assert align_clusters(key, response) == (
        [["a", "b"], ["b", "c"]],
        [["a", "x", "x"], ["b"]],
    )


def test_key_mention_in_two_key_clusters_belongs_to_the_last_for_lookups():
    key = [["a", "b"], ["b", "c"]]
    response = [["a", "b"], ["c"]]
    # MUC: 'b' counts as a mention of the last key cluster {b, c}, so {a, b} joins mentions
    # of two key clusters: correct 0. Key links 1 + 1 = 2, response links 1 + 0 = 1.
    assert muc(key, response) == (0, 2, 0, 1)
    # B3 from the response: a -> K1={a,b}: overlap |{a,b} in K1| = 2 -> P 2/2, R 2/2;
    # b -> K2={b,c}: overlap 1 -> P 1/2, R 1/2; c -> K2: overlap 1 -> P 1/1, R 1/2.
    # Recall 2 of 4 key mentions (b counted in both clusters); precision 2.5 of 3.
    assert b_cubed(key, response) == pytest.approx((2, 4, 2.5, 3))
    # CEAF-e: K1-{a,b} 2*2/4 = 1, K2-{c} 2*1/3: total 5/3 over 2 and 2 entities.
    assert ceaf_e(key, response) == pytest.approx((5 / 3, 2, 5 / 3, 2))


def test_response_mention_absent_from_the_key_stays_when_repeated():
    # {a, x, x}: precision denominators count x twice; x matches nothing.
    # MUC: links 2, correct 0 (one key mention). B3 precision: a 1/3, x 0, x 0 -> 1/3 of 3.
    assert muc([["a", "b"]], [["a", "x", "x"]]) == (0, 1, 0, 2)
    assert b_cubed([["a", "b"]], [["a", "x", "x"]]) == pytest.approx((0.5, 2, 1 / 3, 3))


# The reference scorer's own test cases (test/CorefMetricTestConfig.pm and TestCases.README of
# conll/reference-coreference-scorers), re-typed: one letter is one mention, an upper-case
# letter overlaps the lower-case one but is another mention, except where noted. Expected
# values are (recall, precision, F1) as published; None where none is published.
TC_A_KEY = "a bc def"
REFERENCE_CASES = {
    "A1": (TC_A_KEY, "a bc def", (1, 1, 1), (1, 1, 1), (1, 1, 1)),
    "A2": (
        TC_A_KEY,
        "a de",
        (1 / 3, 1, 0.5),
        ((7 / 3) / 6, 3 / 3, 14 / 25),
        (0.6, 0.9, 0.72),
    ),
    "A3": (
        TC_A_KEY,
        "a bcx defy z",
        (3 / 3, 3 / 5, 0.75),
        (6 / 6, (4 + 7 / 12) / 9, 110 / 163),
        (0.88571, 0.66429, 0.75918),
    ),
    "A4": (
        TC_A_KEY,
        "a bcx dy z",
        (1 / 3, 1 / 3, 1 / 3),
        ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, f1(5 / 9, 17 / 42)),
        (0.73333, 0.55, 0.62857),
    ),
    # A5: B overlaps b, in b's cluster.
    "A5": (
        TC_A_KEY,
        "a bcxB dy z",
        (1 / 3, 1 / 4, 2 / 7),
        ((3 + 1 / 3) / 6, 2.5 / 8, f1(5 / 9, 5 / 16)),
        (0.68889, 0.51667, 0.59048),
    ),
    # A6: B overlaps b, in another cluster.
    "A6": (
        TC_A_KEY,
        "a bcx dy Bz",
        (1 / 3, 1 / 4, 2 / 7),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 8, f1(5 / 9, 17 / 48)),
        (0.73333, 0.55, 0.62857),
    ),
    # A7: b listed twice in its cluster; A8: b listed again in another cluster;
    # A9: b listed ten more times in another cluster. Repeats are dropped.
    "A7": (
        TC_A_KEY,
        "a bcxb dy z",
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, f1(5 / 9, 17 / 42)),
        (0.73333, 0.55, 0.62857),
    ),
    "A8": (
        TC_A_KEY,
        "a bcx dy bz",
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, f1(5 / 9, 17 / 42)),
        (0.73333, 0.55, 0.62857),
    ),
    "A9": (
        TC_A_KEY,
        "a bcx dy " + "b" * 10 + "z",
        (1 / 3, 1 / 3, 1 / 3),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7, f1(5 / 9, 17 / 42)),
        (0.73333, 0.55, 0.62857),
    ),
    # A10-A13: CEAF-e not published; by hand: A10 {a}-{a} 1, {bc}-{b} 2/3, {def}-{d} 2/4
    # -> 13/6 over 3 and 6 entities. A11 {def}-{abcdef} 2*3/9 = 2/3 over 3 and 1.
    # A12 {a}-{a} 1, {bc}-{c} 2/3, {def}-{d} 1/2 -> 13/6 over 3 and 7.
    # A13 {def}-{axycdez}: 2*2/10 = 0.4 beats {a} 2/8 and {bc} 2/9 -> 0.4 over 3 and 1.
    "A10": (
        TC_A_KEY,
        "a b c d e f",
        (0, 0, 0),
        (3 / 6, 6 / 6, 2 / 3),
        ((13 / 6) / 3, (13 / 6) / 6, f1((13 / 6) / 3, (13 / 6) / 6)),
    ),
    "A11": (
        TC_A_KEY,
        "abcdef",
        (3 / 3, 3 / 5, 6 / 8),
        (6 / 6, (1 / 6 + 2 * 2 / 6 + 3 * 3 / 6) / 6, 14 / 25),
        ((2 / 3) / 3, (2 / 3) / 1, f1(2 / 9, 2 / 3)),
    ),
    "A12": (
        TC_A_KEY,
        "a x y c d e z",
        (0, 0, 0),
        ((1 + 1 / 2 + 2 / 3) / 6, 4 / 7, f1(13 / 36, 4 / 7)),
        ((13 / 6) / 3, (13 / 6) / 7, f1((13 / 6) / 3, (13 / 6) / 7)),
    ),
    "A13": (
        TC_A_KEY,
        "axycdez",
        (1 / 3, 1 / 6, 2 / 9),
        ((1 + 1 / 2 + 2 * 2 / 3) / 6, (1 / 7 + 1 / 7 + 2 * 2 / 7) / 7, f1(17 / 36, 6 / 49)),
        (0.4 / 3, 0.4 / 1, f1(0.4 / 3, 0.4)),
    ),
    # Bagga & Baldwin's examples (1..9 then A..C as mentions).
    "D1": (
        "12345 67 89ABC",
        "12345 6789ABC",
        (9 / 9, 9 / 10, f1(1, 9 / 10)),
        (12 / 12, 16 / 21, f1(1, 16 / 21)),
        None,
    ),
    "E1": (
        "12345 67 89ABC",
        "1234589ABC 67",
        (9 / 9, 9 / 10, f1(1, 9 / 10)),
        (1, 7 / 12, f1(1, 7 / 12)),
        None,
    ),
    # Vilain et al.'s examples.
    "F1": ("ABCD", "AB CD", (2 / 3, 2 / 2, f1(2 / 3, 1)), None, None),
    "G1": ("AB CD", "ABCD", (2 / 2, 2 / 3, f1(1, 2 / 3)), None, None),
    "H1": ("ABCD", "ABCD", (1, 1, 1), None, None),
    "I1": ("ABCD", "AB CD", (2 / 3, 2 / 2, f1(2 / 3, 1)), None, None),
    "J1": ("ABC", "AC", (1 / 2, 1 / 1, f1(1 / 2, 1)), None, None),
    "K1": ("BCDEGHJ", "ABC DEF GHI", (3 / 6, 3 / 6, 3 / 6), None, None),
    "L1": ("ABC DEFG", "AB CD FGH", (2 / 5, 2 / 4, f1(2 / 5, 2 / 4)), None, None),
    "M1": ("abcdef", "abcdef", (1, 1, 1), (1, 1, 1), (1, 1, 1)),
    "M2": ("abcdef", "a b c d e f", (0, 0, 0), None, None),
    "M5": ("abcdef", "a b c x y z", (0, 0, 0), None, None),
    # Only singletons in the key: MUC has no link to find, so 0.
    "N1": ("a b c d e f", "a b c d e f", (0, 0, 0), (1, 1, 1), (1, 1, 1)),
    "N2": ("a b c d e f", "abcdef", (0, 0, 0), None, None),
    "N4": ("a b c d e f", "a b c x y z", (0, 0, 0), None, None),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_reference_scorer_test_cases(case):
    key, response, expected_muc, expected_bcub, expected_ceafe = REFERENCE_CASES[case]
    expectations = ((muc, expected_muc), (b_cubed, expected_bcub), (ceaf_e, expected_ceafe))
    for metric, expected in expectations:
        if expected is not None:
            actual = rpf(metric(letters(key), letters(response)))
            assert actual == pytest.approx(expected, abs=1e-4), (case, metric.__name__)


def textbook_scores(key, response):
    """The published definitions, written directly, for clusters that partition their mentions.

    MUC recall: sum over K of |K| - |p(K)| over sum of |K| - 1, p(K) the parts of K cut by the
    response (a key mention the response lacks is a part of its own); precision symmetric.
    B3 recall: mean over key mentions of |K(m) n R(m)| / |K(m)| (R(m) empty when m is not in the
    response); precision symmetric. CEAF-e: best permutation, by brute force.
    """

    def muc_recall_counts(first, second):
        where = {m: i for i, cluster in enumerate(second) for m in cluster}
        numerator = sum(
            len(cluster) - len({where.get(m, ("alone", m)) for m in cluster}) for cluster in first
        )
        return numerator, sum(len(cluster) - 1 for cluster in first)

    def b3_recall(first, second):
        where = {m: set(cluster) for cluster in second for m in cluster}
        total = sum(
            len(set(cluster) & where.get(m, set())) / len(cluster)
            for cluster in first
            for m in cluster
        )
        return total / sum(len(cluster) for cluster in first)

    def phi4(k, r):
        return 2 * len(set(k) & set(r)) / (len(k) + len(r))

    small, large = (key, response) if len(key) <= len(response) else (response, key)
    best = max(
        sum(phi4(a, b) for a, b in zip(small, chosen)) for chosen in permutations(large, len(small))
    )
    muc_r, muc_p = muc_recall_counts(key, response), muc_recall_counts(response, key)
    return {
        "muc": (muc_r[0] / muc_r[1] if muc_r[1] else 0, muc_p[0] / muc_p[1] if muc_p[1] else 0),
        "bcub": (b3_recall(key, response), b3_recall(response, key)),
        "ceafe": (best / len(key), best / len(response)),
    }


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_the_textbook_definitions_on_partitions(seed):
    rng = random.Random(seed)
    mentions = list(range(8))
    key_mentions = rng.sample(mentions, rng.randint(1, 6))
    response_mentions = rng.sample(mentions, rng.randint(1, 6))

    def partition(items):
        clusters = {}
        for item in items:
            clusters.setdefault(rng.randint(0, 3), []).append(item)
        return list(clusters.values())

    key, response = partition(key_mentions), partition(response_mentions)
    expected = textbook_scores(key, response)
    for name, metric in (("muc", muc), ("bcub", b_cubed), ("ceafe", ceaf_e)):
        counts = metric(key, response)
        assert (counts.recall, counts.precision) == pytest.approx(expected[name]), name
