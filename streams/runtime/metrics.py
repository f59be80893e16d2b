"""Prometheus metrics of the worker (`warta_*`), updated by the agents, served at /metrics.

`Metrics` holds one set of the `warta_*` metrics in its own registry, so that a test can fill a
fresh set and read exactly what it put in. The worker uses the one default set, `DEFAULT`, whose
metrics are also this module's names (`MESSAGES`, `LATENCY`, ...) and whose registry is `REGISTRY`.
"""

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
from streams.core.chrome import is_chrome

# Producers choose `source`; a bound on distinct label values keeps a misbehaving producer from
# exhausting the worker's memory with label sets.
MAX_SOURCES = 500
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Body confidence in tenths: the low buckets are the pages worth a look.
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Metrics:
    """The worker's `warta_*` metrics, registered in `registry` (a new one by default)."""

    def __init__(
        self, registry: CollectorRegistry | None = None, max_sources: int = MAX_SOURCES
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.max_sources = max_sources
        self._sources: set[str] = set()
        reg = self.registry
        self.messages = Counter(
            "warta_messages",
            "Messages handled per stage and outcome (ok, rejected, dead_letter, unique, duplicate).",
            ["stage", "outcome"],
            registry=reg,
        )
        self.latency = Histogram(
            "warta_stage_seconds",
            "Time spent in each stage's function per message.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        )
        self.dead_letters = Counter(
            "warta_dead_letters",
            "Dead letters by stage and reason.",
            ["stage", "reason"],
            registry=reg,
        )
        self.duplicates = Counter(
            "warta_duplicates", "Duplicates found, by kind (exact, near).", ["kind"], registry=reg
        )
        self.lag = Gauge(
            "warta_consumer_lag",
            "Messages not yet processed, per source topic.",
            ["topic"],
            registry=reg,
        )
        self.field_filled = Counter(
            "warta_extraction_fields",
            "Clean articles per source and metadata field, by whether the field was found.",
            ["source", "field", "found"],
            registry=reg,
        )
        self.chrome_left = Counter(
            "warta_chrome_survived",
            "Known site-chrome lines that survived cleaning, per source (a template change shows here).",
            ["source"],
            registry=reg,
        )
        self.body_confidence = Histogram(
            "warta_body_confidence",
            "Clean articles per source by body confidence (how likely the body is the whole article).",
            ["source"],
            buckets=CONFIDENCE_BUCKETS,
            registry=reg,
        )
        self.ingested = Counter(
            "warta_http_ingested",
            "Articles posted to /api/articles, by outcome (accepted, rejected, too_large).",
            ["outcome"],
            registry=reg,
        )

    def source_label(self, source: str | None) -> str:
        """A bounded label for an outlet: its lower-cased name, or `other` past `max_sources`."""
        name = (source or "unknown").strip().lower()[:64] or "unknown"
        if name in self._sources:
            return name
        if len(self._sources) >= self.max_sources:
            return "other"
        self._sources.add(name)
        return name

    def observe_clean(self, article: CleanArticle) -> None:
        """Count which metadata fields the clean stage found, and the chrome it left in the body."""
        source = self.source_label(article.source)
        found = {
            "title": bool(article.title),
            "date": article.published_at is not None,
            "author": bool(article.authors),
        }
        for field, ok in found.items():
            self.field_filled.labels(source, field, "yes" if ok else "no").inc()
        if article.body_confidence is not None:
            self.body_confidence.labels(source).observe(article.body_confidence)
        left = chrome_lines(article.text)
        if left:
            self.chrome_left.labels(source).inc(left)

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of every `warta_*` metric and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def chrome_lines(text: str) -> int:
    """How many lines of `text` are known site chrome (teasers, ad slots, share bars, menus)."""
    return sum(1 for line in text.splitlines() if line.strip() and is_chrome(line.strip()))


# The worker's metrics: what /metrics serves and the dashboard condenses.
DEFAULT = Metrics()
REGISTRY = DEFAULT.registry
MESSAGES = DEFAULT.messages
LATENCY = DEFAULT.latency
DEAD_LETTERS = DEFAULT.dead_letters
DUPLICATES = DEFAULT.duplicates
LAG = DEFAULT.lag
FIELD_FILLED = DEFAULT.field_filled
CHROME_LEFT = DEFAULT.chrome_left
INGESTED = DEFAULT.ingested
source_label = DEFAULT.source_label
observe_clean = DEFAULT.observe_clean
exposition = DEFAULT.exposition
