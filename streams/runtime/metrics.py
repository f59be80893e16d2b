"""Prometheus metrics of the worker (`warta_*`), updated by the agents, served at /metrics."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from schemas import CleanArticle
from streams.core.fingerprint import is_chrome

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES = Counter(
    "warta_messages",
    "Messages handled per stage and outcome (ok, rejected, dead_letter, unique, duplicate).",
    ["stage", "outcome"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "warta_stage_seconds",
    "Time spent in each stage's function per message.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "warta_dead_letters",
    "Dead letters by stage and reason.",
    ["stage", "reason"],
    registry=REGISTRY,
)
DUPLICATES = Counter(
    "warta_duplicates", "Duplicates found, by kind (exact, near).", ["kind"], registry=REGISTRY
)
LAG = Gauge(
    "warta_consumer_lag",
    "Messages not yet processed, per source topic.",
    ["topic"],
    registry=REGISTRY,
)
FIELD_FILLED = Counter(
    "warta_extraction_fields",
    "Clean articles per source and metadata field, by whether the field was found.",
    ["source", "field", "found"],
    registry=REGISTRY,
)
CHROME_LEFT = Counter(
    "warta_chrome_survived",
    "Known site-chrome lines that survived cleaning, per source (a template change shows here).",
    ["source"],
    registry=REGISTRY,
)
INGESTED = Counter(
    "warta_http_ingested",
    "Articles posted to /api/articles, by outcome (accepted, rejected, too_large).",
    ["outcome"],
    registry=REGISTRY,
)

# Producers choose `source`; a bound on distinct label values keeps a misbehaving producer from
# exhausting the worker's memory with label sets.
MAX_SOURCES = 500
_sources: set[str] = set()


def source_label(source: str | None) -> str:
    """A bounded label for an outlet: its lower-cased name, or `other` past MAX_SOURCES."""
    name = (source or "unknown").strip().lower()[:64] or "unknown"
    if name in _sources:
        return name
    if len(_sources) >= MAX_SOURCES:
        return "other"
    _sources.add(name)
    return name


def chrome_lines(text: str) -> int:
    """How many lines of `text` are known site chrome (teasers, ad slots, share bars, menus)."""
    return sum(1 for line in text.splitlines() if line.strip() and is_chrome(line.strip()))


def observe_clean(article: CleanArticle) -> None:
    """Count which metadata fields the clean stage found, and the chrome it left in the body."""
    source = source_label(article.source)
    found = {
        "title": bool(article.title),
        "date": article.published_at is not None,
        "author": bool(article.authors),
    }
    for field, ok in found.items():
        FIELD_FILLED.labels(source, field, "yes" if ok else "no").inc()
    left = chrome_lines(article.text)
    if left:
        CHROME_LEFT.labels(source).inc(left)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of every `warta_*` metric and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
