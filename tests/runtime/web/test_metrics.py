"""/metrics parses as Prometheus text and its counters move; the dashboard's condensed stats.

Each test fills a `Metrics` of its own (its own registry), so what it reads is exactly what it
put in, whatever other tests did to the worker's metrics.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from schemas import CleanArticle
from streams.core.fingerprint import fingerprint
from streams.runtime import metrics
from streams.runtime.metrics import Metrics
from streams.runtime.web.stats import condensed, quantile, stage_totals

NAMES = {
    "warta_messages",
    "warta_stage_seconds",
    "warta_dead_letters",
    "warta_duplicates",
    "warta_consumer_lag",
    "warta_extraction_fields",
    "warta_chrome_survived",
    "warta_body_confidence",
    "warta_http_ingested",
}
Key = tuple[str, tuple[tuple[str, str], ...]]


def _values(m: Metrics) -> dict[Key, float]:
    body, content_type = m.exposition()
    assert content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def _names(body: bytes) -> set[str]:
    """The metric families of an exposition, without prometheus_client's `*_created` series."""
    families = text_string_to_metric_families(body.decode())
    return {f.name for f in families if not f.name.endswith("_created")}


def _key(name: str, **labels: str) -> Key:
    return name, tuple(sorted(labels.items()))


def _clean(source: str, text: str, **extra: object) -> CleanArticle:
    return CleanArticle(id="c1", source=source, text=text, fingerprint=fingerprint(text), **extra)


CHROME_TEXT = "Isi berita yang cukup panjang.\n\nBaca juga: Judul lain\n\nADVERTISEMENT"


def test_the_worker_serves_every_warta_metric_from_its_registry() -> None:
    assert metrics.REGISTRY is metrics.DEFAULT.registry
    assert metrics.MESSAGES is metrics.DEFAULT.messages
    body, _ = metrics.exposition()
    assert _names(body) == NAMES


def test_exposition_parses_and_every_name_is_warta() -> None:
    m = Metrics()
    m.messages.labels("clean", "ok").inc()
    m.latency.labels("clean").observe(0.02)
    m.dead_letters.labels("clean", "no_content").inc()
    m.duplicates.labels("exact").inc()
    m.lag.labels("articles.raw").set(1)
    m.observe_clean(_clean("a.example", "Isi."))
    m.ingested.labels("accepted").inc()
    body, _ = m.exposition()
    assert _names(body) == NAMES


def test_counters_move_when_articles_flow() -> None:
    m = Metrics()
    assert _values(m) == {}
    m.messages.labels("clean", "ok").inc()
    m.latency.labels("clean").observe(0.02)
    m.observe_clean(
        _clean(
            "Kabar.Example",
            CHROME_TEXT,
            title="Judul",
            published_at=datetime(2024, 5, 1, tzinfo=UTC),
            body_confidence=0.85,
        )
    )
    values = _values(m)
    src = "kabar.example"
    assert values[_key("warta_messages_total", stage="clean", outcome="ok")] == 1
    assert values[_key("warta_stage_seconds_count", stage="clean")] == 1
    assert values[_key("warta_stage_seconds_sum", stage="clean")] == pytest.approx(0.02)
    assert (
        values[_key("warta_extraction_fields_total", source=src, field="title", found="yes")] == 1
    )
    assert values[_key("warta_extraction_fields_total", source=src, field="date", found="yes")] == 1
    assert (
        values[_key("warta_extraction_fields_total", source=src, field="author", found="no")] == 1
    )
    assert values[_key("warta_chrome_survived_total", source=src)] == 2
    assert values[_key("warta_body_confidence_bucket", source=src, le="0.8")] == 0
    assert values[_key("warta_body_confidence_bucket", source=src, le="0.9")] == 1
    assert values[_key("warta_body_confidence_sum", source=src)] == pytest.approx(0.85)
    counted = {k for k in values if not k[0].endswith("_created")}
    latency = 3 + len(metrics.LATENCY_BUCKETS) + 1
    confidence = len(metrics.CONFIDENCE_BUCKETS) + 1 + 2
    assert len(counted) == latency + 3 + 1 + confidence  # nothing else moved


def test_clean_body_without_chrome_counts_nothing() -> None:
    assert metrics.chrome_lines("Paragraf satu.\n\nParagraf dua tentang ekonomi.") == 0
    assert metrics.chrome_lines("Paragraf.\nSimak juga: video terbaru\nIklan") == 2
    m = Metrics()
    m.observe_clean(_clean("a.example", "Paragraf satu.\n\nParagraf dua tentang ekonomi."))
    assert not [k for k in _values(m) if k[0].startswith("warta_chrome_survived")]


def test_source_labels_are_bounded() -> None:
    m = Metrics(max_sources=2)
    assert m.source_label("A.example") == "a.example"
    assert m.source_label("b.example") == "b.example"
    assert m.source_label("c.example") == "other"
    assert m.source_label("a.example") == "a.example"
    assert m.source_label(None) == "other"
    assert Metrics(max_sources=2).source_label(None) == "unknown"  # each set counts its own


def test_two_sets_of_metrics_do_not_share_counts() -> None:
    one, two = Metrics(), Metrics(CollectorRegistry())
    one.messages.labels("clean", "ok").inc(5)
    assert stage_totals(one.registry) == {"clean": 5.0}
    assert stage_totals(two.registry) == {}


def test_condensed_stats_for_the_dashboard() -> None:
    m = Metrics()
    m.messages.labels("clean", "ok").inc(3)
    m.messages.labels("clean", "dead_letter").inc(2)
    m.messages.labels("dedupe", "unique").inc(2)
    m.messages.labels("dedupe", "duplicate").inc(1)
    for seconds in (0.02, 0.02, 0.2):
        m.latency.labels("clean").observe(seconds)
    m.dead_letters.labels("clean", "no_content").inc(2)
    m.dead_letters.labels("enrich", "no_content").inc(1)
    m.dead_letters.labels("clean", "invalid_json").inc(1)
    m.duplicates.labels("exact").inc(1)
    m.lag.labels("articles.raw").set(7)
    m.ingested.labels("accepted").inc(4)
    m.observe_clean(
        _clean("Kabar.Example", CHROME_TEXT, title="Judul", authors=["Ani"], body_confidence=0.9)
    )
    m.observe_clean(_clean("kabar.example", "Isi saja.", body_confidence=0.3))

    stats = condensed(m.registry)

    assert stats["messages"] == {
        "clean": {"ok": 3.0, "dead_letter": 2.0},
        "dedupe": {"unique": 2.0, "duplicate": 1.0},
    }
    assert stage_totals(m.registry) == {"clean": 5.0, "dedupe": 3.0}
    assert stats["dead_letters"] == {"no_content": 3.0, "invalid_json": 1.0}
    assert stats["duplicates"] == {"exact": 1.0}
    assert stats["lag"] == {"articles.raw": 7.0}
    assert stats["ingested"] == {"accepted": 4.0}
    # Buckets: 2 at <= 0.025 (0 at <= 0.01), 3 at <= 0.25 (2 at <= 0.1), interpolated within.
    assert stats["latency"] == {
        "clean": {
            "count": 3.0,
            "mean": pytest.approx(0.08),
            "p50": pytest.approx(0.01 + 0.015 * 1.5 / 2),
            "p95": pytest.approx(0.1 + 0.15 * 0.85),
        }
    }
    assert stats["quality"] == [
        {
            "source": "kabar.example",
            "chrome": 2.0,
            "title": 0.5,
            "date": 0.0,
            "author": 0.5,
            "articles": 2.0,
            "confidence": 0.6,
            "low_confidence": 0.5,
        }
    ]


def test_condensed_stats_of_nothing_are_empty() -> None:
    assert condensed(Metrics().registry) == {
        "messages": {},
        "latency": {},
        "dead_letters": {},
        "duplicates": {},
        "lag": {},
        "quality": [],
        "ingested": {},
    }


def test_the_dashboard_reads_the_worker_metrics_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    m = Metrics()
    m.messages.labels("tag", "ok").inc(2)
    monkeypatch.setattr(metrics, "REGISTRY", m.registry)
    assert stage_totals() == {"tag": 2.0}
    assert condensed()["messages"] == {"tag": {"ok": 2.0}}


def test_quantile_interpolates_within_buckets() -> None:
    buckets = [(0.1, 0.0), (0.2, 10.0), (float("inf"), 10.0)]
    assert quantile(0.5, buckets) == pytest.approx(0.15)
    assert quantile(0.5, []) is None
