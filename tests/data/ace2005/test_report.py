"""Totals and problems of a conversion, with the first few cases of each problem."""

from hmtl.data.ace2005.report import ConversionReport


def test_problems_keep_their_count_and_only_the_first_cases():
    report = ConversionReport(max_cases=2)
    report.add("tokens", 10)
    report.add("tokens", 5)
    for case in ("a", "b", "c"):
        report.problem("left out", case)
    assert report.totals["tokens"] == 15
    assert report.problems["left out"].count == 3
    assert report.problems["left out"].cases == ["a", "b"]
    assert report.lines() == ["tokens: 15", "left out: 3", "    a", "    b"]


def test_a_clean_conversion_says_so():
    report = ConversionReport()
    report.add("documents")
    assert report.lines() == ["documents: 1", "problems: none"]
