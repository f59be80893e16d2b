"""The worker's Prometheus counters condensed for the dashboard: latency, lag, fill rates."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry

from streams.runtime import metrics


def _samples(registry: CollectorRegistry | None) -> list[tuple[str, dict[str, str], float]]:
    return [
        (s.name, dict(s.labels), float(s.value))
        for family in (metrics.REGISTRY if registry is None else registry).collect()
        for s in family.samples
    ]


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """A quantile from cumulative (upper bound, count) buckets, as histogram_quantile does."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 0.0)
        lower, below = bound, count
    return lower


def stage_totals(registry: CollectorRegistry | None = None) -> dict[str, float]:
    """Messages handled so far by each stage, all outcomes together (the worker's by default)."""
    totals: dict[str, float] = defaultdict(float)
    for name, labels, value in _samples(registry):
        if name == "warta_messages_total":
            totals[labels["stage"]] += value
    return dict(totals)


def condensed(registry: CollectorRegistry | None = None) -> dict[str, Any]:
    """Counters by stage and outcome, latency per stage, dead letters, duplicates, lag, quality.

    Read from `registry`, the worker's (`metrics.REGISTRY`) by default.
    """
    tally = _Tally()
    for name, labels, value in _samples(registry):
        read = _READERS.get(name)
        if read is not None:
            read(tally, labels, value)
    sums, counts = tally.sums, tally.counts
    latency = {
        stage: {
            "count": counts.get(stage, 0.0),
            "mean": sums.get(stage, 0.0) / counts[stage] if counts.get(stage) else None,
            "p50": quantile(0.5, sorted(b)),
            "p95": quantile(0.95, sorted(b)),
        }
        for stage, b in tally.buckets.items()
    }
    return {
        "messages": dict(tally.messages),
        "latency": latency,
        "dead_letters": dict(tally.letters),
        "duplicates": tally.duplicates,
        "lag": tally.lag,
        "quality": _quality(tally.fields, tally.chrome, tally.confidence),
        "ingested": tally.ingested,
    }


class _Tally:
    """The samples `condensed` keeps, gathered by metric; one reader method per metric."""

    def __init__(self) -> None:
        self.messages: dict[str, dict[str, float]] = defaultdict(dict)
        self.buckets: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.sums: dict[str, float] = {}
        self.counts: dict[str, float] = {}
        self.letters: dict[str, float] = defaultdict(float)
        self.duplicates: dict[str, float] = {}
        self.lag: dict[str, float] = {}
        self.fields: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        self.chrome: dict[str, float] = {}
        self.confidence: dict[str, dict[str, float]] = defaultdict(dict)
        self.ingested: dict[str, float] = {}

    def message(self, labels: dict[str, str], value: float) -> None:
        self.messages[labels["stage"]][labels["outcome"]] = value

    def bucket(self, labels: dict[str, str], value: float) -> None:
        self.buckets[labels["stage"]].append((float(labels["le"]), value))

    def seconds(self, labels: dict[str, str], value: float) -> None:
        self.sums[labels["stage"]] = value

    def count(self, labels: dict[str, str], value: float) -> None:
        self.counts[labels["stage"]] = value

    def letter(self, labels: dict[str, str], value: float) -> None:
        self.letters[labels["reason"]] += value

    def duplicate(self, labels: dict[str, str], value: float) -> None:
        self.duplicates[labels["kind"]] = value

    def topic_lag(self, labels: dict[str, str], value: float) -> None:
        self.lag[labels["topic"]] = value

    def field(self, labels: dict[str, str], value: float) -> None:
        self.fields[labels["source"]][labels["field"]][labels["found"]] = value

    def chrome_left(self, labels: dict[str, str], value: float) -> None:
        self.chrome[labels["source"]] = value

    def confidence_sum(self, labels: dict[str, str], value: float) -> None:
        self.confidence[labels["source"]]["sum"] = value

    def confidence_count(self, labels: dict[str, str], value: float) -> None:
        self.confidence[labels["source"]]["count"] = value

    def confidence_low(self, labels: dict[str, str], value: float) -> None:
        # the share at 0.5 or below: the cumulative bucket up to 0.5
        if labels["le"] == "0.5":
            self.confidence[labels["source"]]["low"] = value

    def ingest(self, labels: dict[str, str], value: float) -> None:
        self.ingested[labels["outcome"]] = value


# Sample name -> the `_Tally` method that keeps it; other samples are not shown.
_READERS: dict[str, Callable[[_Tally, dict[str, str], float], None]] = {
    "warta_messages_total": _Tally.message,
    "warta_stage_seconds_bucket": _Tally.bucket,
    "warta_stage_seconds_sum": _Tally.seconds,
    "warta_stage_seconds_count": _Tally.count,
    "warta_dead_letters_total": _Tally.letter,
    "warta_duplicates_total": _Tally.duplicate,
    "warta_consumer_lag": _Tally.topic_lag,
    "warta_extraction_fields_total": _Tally.field,
    "warta_chrome_survived_total": _Tally.chrome_left,
    "warta_body_confidence_sum": _Tally.confidence_sum,
    "warta_body_confidence_count": _Tally.confidence_count,
    "warta_body_confidence_bucket": _Tally.confidence_low,
    "warta_http_ingested_total": _Tally.ingest,
}


def _quality(
    fields: dict[str, dict[str, dict[str, float]]],
    chrome: dict[str, float],
    confidence: dict[str, dict[str, float]],
) -> list[dict[str, Any]]:
    rows = []
    for source in sorted(set(fields) | set(chrome)):
        row: dict[str, Any] = {"source": source, "chrome": chrome.get(source, 0.0)}
        # body confidence: the mean, and the share of articles at 0.5 or below
        conf = confidence.get(source, {})
        n = conf.get("count", 0.0)
        row["confidence"] = round(conf.get("sum", 0.0) / n, 3) if n else None
        row["low_confidence"] = round(conf.get("low", 0.0) / n, 3) if n else None
        seen = 0.0
        for field in ("title", "date", "author"):
            found = fields[source][field].get("yes", 0.0)
            total = found + fields[source][field].get("no", 0.0)
            seen = max(seen, total)
            row[field] = round(found / total, 3) if total else None
        row["articles"] = seen
        rows.append(row)
    return rows
