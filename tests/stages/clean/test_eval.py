"""Extraction benchmark metric: 4-token shingle precision/recall and snippet checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from streams.evaluate.extraction import Page, body_scores, date_right, snippets_right


def test_identical_bodies_score_one() -> None:
    text = "satu dua tiga empat lima enam tujuh"
    assert body_scores(text, text) == (1.0, 1.0)


def test_extra_text_lowers_precision_only() -> None:
    gold = "satu dua tiga empat lima enam"
    p, r = body_scores(gold, gold + " iklan promo diskon besar hari ini")
    assert r == 1.0
    assert 0 < p < 1


def test_missing_text_lowers_recall_only() -> None:
    gold = "satu dua tiga empat lima enam tujuh delapan sembilan"
    p, r = body_scores(gold, "satu dua tiga empat lima")
    assert p == 1.0
    assert 0 < r < 1


def test_snippets() -> None:
    page = Page(url="u", html="", with_snippets=("kopi gayo",), without_snippets=("iklan",))
    assert snippets_right(page, "Kopi  Gayo enak") == [1.0, 1.0]
    assert snippets_right(page, "iklan saja") == [0.0, 0.0]


@pytest.mark.parametrize(
    ("gold", "got", "right"),
    [
        (
            "2024-05-03 15:47:42+00:00",
            datetime(2024, 5, 3, 22, 47, tzinfo=timezone(timedelta(hours=7))),
            1.0,
        ),
        ("2024-05-03 15:47:42+00:00", datetime(2024, 5, 3, 15, 48, tzinfo=UTC), 0.0),
        ("2024-05-03", datetime(2024, 5, 3, 1, 0, tzinfo=UTC), 1.0),
    ],
)
def test_date_to_the_minute(gold: str, got: datetime, right: float) -> None:
    assert date_right(gold, got) == right
