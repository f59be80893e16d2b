"""The benchmark's corpus loader and table printer, on our own fixtures (fast, no broker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from benchmarks.__main__ import Row, offline_rates, rows_for, table_text
from benchmarks.corpus import load_corpus
from benchmarks.offline import DedupeFigures, ProcessRun
from benchmarks.relay import RelayFigures
from benchmarks.state import Run, report
from benchmarks.stream import Backlog, Latency, Throughput, percentile
from schemas import RawArticle


def test_fixture_corpus_mixes_html_and_text_with_unique_ids(tmp_path: Path) -> None:
    corpus = load_corpus(tmp_path / "absent")
    assert "fixtures" in corpus.origin
    assert corpus.html
    assert corpus.text
    ids = [a["id"] for a in corpus.articles]
    assert len(ids) == len(set(ids))
    # HTML and text alternate at the head, so a short prefix is already a mix.
    assert {bool(a.get("html")) for a in corpus.articles[:2]} == {True, False}
    lines = corpus.write_jsonl(tmp_path / "c.jsonl").read_bytes().splitlines()
    assert len(lines) == len(corpus.articles)
    for line in lines:
        RawArticle.model_validate(orjson.loads(line))
    assert corpus.mean_bytes() == sum(map(len, lines)) / len(lines)


def _stages(html_clean: float) -> dict[str, Any]:
    zero = dict.fromkeys(("decode", "clean", "enrich", "tag", "dedupe", "encode"), 0.0)
    return {
        "counts": {"html": 10, "text": 10},
        "cpu_s": {
            "html": {**zero, "clean": html_clean, "enrich": 0.1, "tag": 0.02},
            "text": {**zero, "clean": 0.01, "enrich": 0.1, "tag": 0.02},
        },
        "trafilatura_ms": [20.0, 40.0],
    }


def _results(one_s: float, two_s: float, p99: float) -> dict[str, Any]:
    def burst(workers: int, seconds: float) -> Throughput:
        outcome = {"articles.unique": 19, "articles.duplicates": 1, "articles.dlq": 0}
        return Throughput(workers, 20, 5.0, seconds, seconds, 2.0, 0.2, [300.0], outcome, 400)

    return {
        "startup": ProcessRun(1, 5.0, 3.0, 200.0),
        "process": ProcessRun(21, 15.0, 5.0, 250.0),  # 20 articles in 10 s: 2 art/s, 100 ms
        "stages": _stages(html_clean=0.3),  # HTML: 30 + 10 + 2 = 42 ms vs trafilatura 30 ms
        "dedupe": DedupeFigures(500.0, 1000.0, 100, 1000),
        "relay": RelayFigures(100, 2048.0, 900.0, 400.0),
        "stream1": burst(1, one_s),
        "stream2": burst(2, two_s),
        "latency": Latency(1.0, 20, 19, 100.0, p99),
    }


def _by_metric(rows: list[Row]) -> dict[str, Row]:
    return {row.metric: row for row in rows}


def test_table_ratios_and_verdicts_come_from_the_same_run() -> None:
    results = _results(one_s=12.5, two_s=10.0, p99=400.0)
    assert offline_rates(results) == (2.0, 100.0)
    rows = _by_metric(rows_for(results))
    assert rows["1 worker / offline throughput"].value == "0.80"  # 1.6 art/s / 2 art/s
    assert rows["1 worker / offline throughput"].ok is True
    assert rows["2 workers / 1 worker"].value == "1.25"
    assert rows["2 workers / 1 worker"].ok is False
    assert rows["pipeline / trafilatura"].value == "1.40"
    assert rows["pipeline / trafilatura"].ok is False  # issue 14: at most 1.3
    cpu = rows["1-worker CPU / offline CPU per article (1.00 = free machinery)"]
    assert (cpu.value, cpu.ok) == ("1.00", True)  # 2 s / 20 articles against 100 ms offline
    assert rows["p99 / p50 at half load"].ok is False  # 400 / 100 = 4 > 3
    text = table_text(rows_for(results), width=160)
    assert "MISSED" in text
    assert "met" in text
    assert "1.25" in text
    assert "0.80" in text


def test_offline_rate_stays_positive_when_start_up_noise_exceeds_the_work() -> None:
    results = {"startup": ProcessRun(1, 5.0, 3.0, 200.0), "process": ProcessRun(3, 4.5, 3.1, 210.0)}
    per_s, cpu_ms = offline_rates(results)
    assert per_s == 2 / 4.5  # the whole run's wall time, start-up included
    assert cpu_ms == 1000 * 3.1 / 2


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0


def test_steady_rate_leaves_out_the_fill_and_the_drain() -> None:
    from benchmarks.stream import steady_rate

    # 100 arrivals one per 0.1 s, after a 5 s fill and before a 5 s drain tail.
    times = [5.0] + [5.0 + 0.1 * i for i in range(1, 99)] + [20.0]
    assert abs(steady_rate(times) - 10.0) < 0.2
    assert steady_rate([1.0, 2.0]) == 0.0


def test_backlog_rows_hold_first_stored_and_memory_to_their_targets() -> None:
    results = {
        **_results(one_s=12.5, two_s=10.0, p99=150.0),
        "backlog2000": Backlog(2000, 3.0, 2.5, 40, 301, 380.0),
        "backlog20000": Backlog(20000, 30.0, 6.5, 30, 301, 640.0),
    }
    rows = [row for row in rows_for(results) if row.section == "backlog"]
    assert [(row.value, row.ok) for row in rows] == [
        ("2.5 s (40)", True),
        ("380 MB", True),
        ("6.5 s (30)", False),
        ("640 MB", False),
    ]


def test_the_state_report_counts_growth_from_the_start_and_once_warm(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = Run("rocksdb", 300_000, {20_000: 400.0, 100_000: 431.0, 300_000: 455.0}, 96.0, 10, 455.0)
    report(run, None)
    out = capsys.readouterr().out
    assert "RSS growth per 100,000 articles: 19.6 MiB" in out  # (455 - 400) / 280,000
    assert "counted from 100,000 on: 12.0 MiB per 100,000" in out  # (455 - 431) / 200,000
