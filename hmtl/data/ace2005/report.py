"""What a conversion produced and what it could not convert: counts plus the first few cases.

Nothing the converter leaves out or changes goes unrecorded: every policy of
`hmtl.data.ace2005.document` that drops, merges or extends something files a problem here, and
`hmtl prepare-ace2005` prints them all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Problem:
    """How often one kind of problem occurred, and its first cases."""

    count: int = 0
    cases: list[str] = field(default_factory=list)


class ConversionReport:
    """Totals (documents, sentences, tokens, ...) and problems, in the order first seen."""

    def __init__(self, max_cases: int = 5) -> None:
        self.max_cases = max_cases
        self.totals: Counter[str] = Counter()
        self.problems: dict[str, Problem] = {}

    def add(self, name: str, amount: int = 1) -> None:
        """Count `amount` more of `name` (a total such as "tokens")."""
        self.totals[name] += amount

    def problem(self, kind: str, case: str) -> None:
        """Record one case of the problem `kind` (a sentence that says what happened)."""
        problem = self.problems.setdefault(kind, Problem())
        problem.count += 1
        if len(problem.cases) < self.max_cases:
            problem.cases.append(case)

    def lines(self) -> list[str]:
        """The report as text: one line per total, then each problem with its first cases."""
        lines = [f"{name}: {value}" for name, value in self.totals.items()]
        if not self.problems:
            lines.append("problems: none")
        for kind, problem in self.problems.items():
            lines.append(f"{kind}: {problem.count}")
            lines.extend(f"    {case}" for case in problem.cases)
        return lines
