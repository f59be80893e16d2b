"""/metrics parses as Prometheus text and its counters move; the dashboard's condensed stats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from schemas import CleanArticle
from streams.core.fingerprint import fingerprint
from streams.runtime import metrics
from streams.runtime.web.stats import condensed, quantile, stage_totals


def _values() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def _clean(source: str, text: str, **extra: object) -> CleanArticle:
    return CleanArticle(id="c1", source=source, text=text, fingerprint=fingerprint(text), **extra)  # type: ignore[arg-type]


def test_exposition_parses_and_every_name_is_warta() -> None:
    body, _ = metrics.exposition()
    names = {family.name for family in text_string_to_metric_families(body.decode())}
    assert {"warta_messages", "warta_stage_seconds", "warta_consumer_lag"} <= names
    assert all(n.startswith("warta_") for n in names)


def test_counters_move_when_articles_flow() -> None:
    before = _values()
    metrics.MESSAGES.labels("clean", "ok").inc()
    metrics.LATENCY.labels("clean").observe(0.02)
    metrics.observe_clean(
        _clean(
            "Kabar.Example",
            "Isi berita yang cukup panjang.\n\nBaca juga: Judul lain\n\nADVERTISEMENT",
            title="Judul",
            published_at=datetime(2024, 5, 1, tzinfo=UTC),
        )
    )
    after = _values()

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("warta_messages_total", stage="clean", outcome="ok") == 1
    assert moved("warta_stage_seconds_count", stage="clean") == 1
    src = "kabar.example"
    assert moved("warta_extraction_fields_total", source=src, field="title", found="yes") == 1
    assert moved("warta_extraction_fields_total", source=src, field="date", found="yes") == 1
    assert moved("warta_extraction_fields_total", source=src, field="author", found="no") == 1
    assert moved("warta_chrome_survived_total", source=src) == 2


def test_clean_body_without_chrome_counts_nothing() -> None:
    assert metrics.chrome_lines("Paragraf satu.\n\nParagraf dua tentang ekonomi.") == 0
    assert metrics.chrome_lines("Paragraf.\nSimak juga: video terbaru\nIklan") == 2


def test_source_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_sources", set())
    monkeypatch.setattr(metrics, "MAX_SOURCES", 2)
    assert metrics.source_label("A.example") == "a.example"
    assert metrics.source_label("b.example") == "b.example"
    assert metrics.source_label("c.example") == "other"
    assert metrics.source_label("a.example") == "a.example"
    assert metrics.source_label(None) == "other"


def test_condensed_stats_for_the_dashboard() -> None:
    metrics.DEAD_LETTERS.labels("clean", "no_content").inc(3)
    metrics.LAG.labels("articles.raw").set(7)
    stats = condensed()
    assert stats["dead_letters"]["no_content"] >= 3
    assert stats["lag"]["articles.raw"] == 7
    assert stage_totals()["clean"] >= 1
    assert stats["latency"]["clean"]["p95"] is not None
    rows = {r["source"]: r for r in stats["quality"]}
    assert rows["kabar.example"]["title"] == 1.0


def test_quantile_interpolates_within_buckets() -> None:
    buckets = [(0.1, 0.0), (0.2, 10.0), (float("inf"), 10.0)]
    assert quantile(0.5, buckets) == pytest.approx(0.15)
    assert quantile(0.5, []) is None
