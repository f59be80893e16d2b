"""Keywords and the lead summary (streams.stages.enrich.keywords, summary) on our own fixtures."""

from __future__ import annotations

from streams.stages.enrich.keywords import extract_keywords
from streams.stages.enrich.ner import extract_entities
from streams.stages.enrich.summary import summarize
from streams.stages.enrich.words import stopwords
from tests.conftest import FIXTURES

HERE = FIXTURES / "enrich"


def body(name: str) -> str:
    return (HERE / name).read_text("utf-8").split("\n\n", 1)[1]


def test_keywords_are_ranked_scored_and_free_of_stopwords() -> None:
    text = body("id_diplomasi.txt")
    keywords = extract_keywords(text, "id", extract_entities(text))
    assert 3 <= len(keywords) <= 10
    scores = [k.score for k in keywords]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 1.0
    assert all(0.0 < s <= 1.0 for s in scores)
    stop = stopwords("id")
    assert not any(k.text.lower() in stop for k in keywords)
    texts = {k.text for k in keywords}
    assert "Jerman" in texts
    assert "Kirana Wulandari" in texts  # short mentions count towards the full name


def test_keywords_in_english() -> None:
    text = body("en_summit.txt")
    keywords = [k.text for k in extract_keywords(text, "en", extract_entities(text, "en"))]
    assert "Elena Marquez" in keywords
    assert not {"the", "said", "Minister"} & set(keywords)


def test_keywords_of_empty_text() -> None:
    assert extract_keywords("", "id") == []


def test_summary_is_the_lead_without_dateline() -> None:
    text = body("id_diplomasi.txt")
    summary = summarize(text)
    assert summary is not None
    assert summary.startswith("Presiden Kirana Wulandari bertemu")
    assert "Pertemuan itu berlangsung" in summary
    assert len(summary) <= 600


def test_summary_skips_short_heading_lines() -> None:
    text = "FOTO\n\nWarga memadati alun-alun kota untuk menyaksikan pawai budaya tahunan itu."
    assert (
        summarize(text)
        == "Warga memadati alun-alun kota untuk menyaksikan pawai budaya tahunan itu."
    )
    assert summarize("...") is None
