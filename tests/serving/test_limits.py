"""Limits must be positive: a zero limit would refuse every request."""

from __future__ import annotations

import pytest

from hmtl.serving.limits import ServingLimits


@pytest.mark.parametrize(
    ("field", "value"), [("max_text_chars", 0), ("max_body_bytes", -1), ("timeout_s", 0.0)]
)
def test_non_positive_limits_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"{field} must be positive"):
        ServingLimits(**{field: value})


def test_defaults_allow_a_long_article() -> None:
    limits = ServingLimits()
    # A 3,000-word article of ~6 characters per word and space: 18,000 characters, in its JSON.
    assert limits.max_text_chars >= 3000 * 6
    assert limits.max_body_bytes >= limits.max_text_chars * 2
