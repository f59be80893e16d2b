"""The worker's Prometheus counters condensed for the dashboard: latency, lag, fill rates."""

from __future__ import annotations

import math
from collections import defaultdict
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
    messages: dict[str, dict[str, float]] = defaultdict(dict)
    buckets: dict[str, list[tuple[float, float]]] = defaultdict(list)
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    letters: dict[str, float] = defaultdict(float)
    duplicates: dict[str, float] = {}
    lag: dict[str, float] = {}
    fields: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    chrome: dict[str, float] = {}
    confidence: dict[str, dict[str, float]] = defaultdict(dict)
    ingested: dict[str, float] = {}
    for name, labels, value in _samples(registry):
        if name == "warta_messages_total":
            messages[labels["stage"]][labels["outcome"]] = value
        elif name == "warta_stage_seconds_bucket":
            buckets[labels["stage"]].append((float(labels["le"]), value))
        elif name == "warta_stage_seconds_sum":
            sums[labels["stage"]] = value
        elif name == "warta_stage_seconds_count":
            counts[labels["stage"]] = value
        elif name == "warta_dead_letters_total":
            letters[labels["reason"]] += value
        elif name == "warta_duplicates_total":
            duplicates[labels["kind"]] = value
        elif name == "warta_consumer_lag":
            lag[labels["topic"]] = value
        elif name == "warta_extraction_fields_total":
            fields[labels["source"]][labels["field"]][labels["found"]] = value
        elif name == "warta_chrome_survived_total":
            chrome[labels["source"]] = value
        elif name in ("warta_body_confidence_sum", "warta_body_confidence_count"):
            confidence[labels["source"]][name.rsplit("_", 1)[1]] = value
        elif name == "warta_body_confidence_bucket" and labels["le"] == "0.5":
            confidence[labels["source"]]["low"] = value
        elif name == "warta_http_ingested_total":
            ingested[labels["outcome"]] = value
    latency = {
        stage: {
            "count": counts.get(stage, 0.0),
            "mean": sums.get(stage, 0.0) / counts[stage] if counts.get(stage) else None,
            "p50": quantile(0.5, sorted(b)),
            "p95": quantile(0.95, sorted(b)),
        }
        for stage, b in buckets.items()
    }
    return {
        "messages": dict(messages),
        "latency": latency,
        "dead_letters": dict(letters),
        "duplicates": duplicates,
        "lag": lag,
        "quality": _quality(fields, chrome, confidence),
        "ingested": ingested,
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
