"""`python -m benchmarks DATA_DIR [--quick]`: every performance figure of warta in one table."""

from __future__ import annotations

import argparse
import io
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks.corpus import Corpus, load_corpus

RELAY_BYTES = 96 * 1024 * 1024  # keep the memory-only broker well under a few hundred MB
# Articles pushed at once into one worker (the corpus cycled): the first stored, memory.
BACKLOGS = {"quick": (2000,), "full": (2000, 20000)}


@dataclass
class Runner:
    """Runs the steps in order, with a progress line each, collecting their results."""

    progress: Progress
    results: dict[str, Any]

    @contextmanager
    def step(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A progress line for one step; yields a callback that sets how much is done."""
        task = self.progress.add_task(name, total=total)
        started = time.perf_counter()
        yield lambda done: self.progress.update(task, completed=done)
        self.progress.update(task, completed=total or 1, total=total or 1)
        self.progress.log(f"{name}: {time.perf_counter() - started:.0f} s")


def run(corpus: Corpus, quick: bool, progress: Progress, workdir: Path) -> dict[str, Any]:
    """Measure everything, in an order that keeps earlier steps' processes out of later ones."""
    from benchmarks import offline, relay, stream

    r = Runner(progress, {"corpus": corpus.origin, "quick": quick})
    articles = [dict(a) for a in corpus.articles]
    path = corpus.write_jsonl(workdir / "corpus.jsonl")
    one = Corpus("first article", tuple(corpus.text[:1]) or corpus.articles[:1])
    with r.step("offline: warta process, one article (start-up)"):
        r.results["startup"] = offline.run_process(
            one.write_jsonl(workdir / "one.jsonl"), workdir / "one.out", 1
        )
    with r.step(f"offline: warta process --dedupe, {len(articles)} articles"):
        r.results["process"] = offline.run_process(path, workdir / "corpus.out", len(articles))
    with r.step("offline: CPU per stage, bare trafilatura on the same pages"):
        r.results["stages"] = offline.profile_stages(path)
    with r.step("dedupe index: throughput and memory"):
        r.results["dedupe"] = offline.dedupe_figures(*((150, 5_000) if quick else (400, 10_000)))
    payloads = _relay_payloads(corpus, 300 if quick else 2000)
    name = f"transport: aiokafka relay, {len(payloads)} messages"
    with r.step(name, len(payloads)) as tick, stream.cluster(workdir / "relay", 0) as c:
        r.results["relay"] = relay.relay_ceiling(c.bootstrap, payloads, tick)
    warm = [{**a, "id": f"warm-{i:03d}"} for i, a in enumerate(load_corpus(None).articles)]
    for workers in (1, 2):
        with r.step(f"streamed: {workers} worker(s), {len(articles)} articles", len(articles)) as t:
            r.results[f"stream{workers}"] = stream.throughput(
                workdir / f"stream{workers}", workers, articles, warm, t
            )
    rate = r.results["stream1"].per_s / 2
    paced = articles[: 30 if quick else 100]
    with r.step(f"latency: {len(paced)} articles at {rate:.1f}/s, 1 worker", len(paced)) as t:
        r.results["latency"] = stream.latency(workdir / "latency", paced, warm, rate, t)
    for count in BACKLOGS["quick" if quick else "full"]:
        with r.step(f"backlog: {count} articles at once, 1 worker", count) as t:
            r.results[f"backlog{count}"] = stream.backlog(
                workdir / f"backlog{count}", articles, warm, count, t
            )
    return r.results


def profile(corpus: Corpus, progress: Progress, workdir: Path, out: Path) -> dict[str, Any]:
    """py-spy over the stage profiler, and over one worker during a burst of the corpus."""
    import asyncio
    import signal

    from benchmarks import offline, relay, stream

    r = Runner(progress, {})
    out.mkdir(parents=True, exist_ok=True)
    path = corpus.write_jsonl(workdir / "corpus.jsonl")
    with r.step("profile: stage profiler under py-spy"):
        r.results["offline"] = offline.profile_offline(path, out / "offline.txt")
    articles = [{**a, "id": f"prof-{a['id']}"} for a in corpus.articles]
    warm = [{**a, "id": f"warm-{i:03d}"} for i, a in enumerate(load_corpus(None).articles)]
    name = "profile: 1 worker under py-spy"
    with r.step(name, len(articles)) as tick, stream.cluster(workdir / "profile", 1) as c:
        stream.wait_ready(c)
        stream.warm_up(c, warm)
        spy = offline.py_spy(out / "worker.txt", c.workers[0].pid)
        time.sleep(2)  # py-spy attached before the first message
        asyncio.run(stream.send_all(c.bootstrap, articles, 900.0, tick))
        spy.send_signal(signal.SIGINT)
        spy.wait(120)
        r.results["volumes"] = relay.topic_volumes(c.bootstrap)
    worker = out / "worker.txt"
    r.results["worker"] = {
        "layer": offline.shares(worker, offline.WORKER_LAYERS, innermost=False),
        "library": offline.shares(worker, offline.LIBRARIES, innermost=True),
    }
    return r.results


def profile_table(
    shares: dict[str, dict[str, dict[str, float]]],
    volumes: dict[str, tuple[int, int]],
    articles: int,
) -> Table:
    """Shares of py-spy samples, largest first, and what each topic carried per article."""
    table = Table(title="where the time goes (py-spy samples)", title_justify="left")
    for name in ("profile", "view", "share"):
        table.add_column(name)
    for where, views in shares.items():
        for view, parts in views.items():
            text = ", ".join(f"{k} {100 * v:.0f}%" for k, v in parts.items() if v >= 0.01)
            table.add_row(where, view, text)
    per = sorted(volumes.items(), key=lambda kv: -kv[1][1])
    text = ", ".join(
        f"{t} {n / articles:.1f} msg {b / articles / 1024:.0f} KB" for t, (n, b) in per
    )
    total = sum(b for _, b in volumes.values()) / max(1, articles) / 1024
    table.add_row("broker", f"per article ({total:.0f} KB in all)", text)
    return table


def _relay_payloads(corpus: Corpus, at_most: int) -> list[bytes]:
    # The corpus's own messages, cycled: the same sizes as the streamed runs.
    payloads = corpus.payloads()
    count = min(at_most, max(len(payloads), int(RELAY_BYTES / max(1.0, corpus.mean_bytes()))))
    return list(itertools.islice(itertools.cycle(payloads), count))


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, and the target it is held to when there is one."""

    section: str
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None


def render(rows: list[Row]) -> Table:
    """The rows as one rich table, targets marked met or missed."""
    table = Table(title="warta performance (one run, same corpus)", title_justify="left")
    for name, justify in (("", "left"), ("metric", "left"), ("value", "right"), ("target", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    section = None
    for row in rows:
        mark = {True: " [green]met", False: " [red]MISSED", None: ""}[row.ok]
        table.add_row(
            row.section if row.section != section else "", row.metric, row.value, row.target + mark
        )
        section = row.section
    return table


def table_text(rows: list[Row], width: int = 120) -> str:
    """The table as plain text (for the docs and the tests)."""
    buffer = io.StringIO()
    Console(width=width, file=buffer).print(render(rows))
    return buffer.getvalue()


def _target(section: str, metric: str, ratio: float, limit: float, at_least: bool) -> Row:
    ok = ratio >= limit if at_least else ratio <= limit
    return Row(section, metric, f"{ratio:.2f}", f"{'>=' if at_least else '<='} {limit:g}", ok)


def rows_for(results: dict[str, Any]) -> list[Row]:
    """Every figure of a run, with the targets as ratios of figures from the same run."""
    return [
        *_offline_rows(results),
        *_reference_rows(results),
        *_stream_rows(results, *offline_rates(results)),
        *_backlog_rows(results),
        *_other_rows(results),
    ]


def _backlog_rows(results: dict[str, Any]) -> list[Row]:
    rows = []
    for key in sorted((k for k in results if k.startswith("backlog")), key=len):
        b = results[key]
        first = b.first_stored_s
        rows.append(
            Row(
                "backlog",
                f"{b.articles:,} at once, 1 worker: first stored after (raw done by then)",
                f"{first:.1f} s ({b.raw_done_at_first:,})",
                "<= 5 s",
                first <= 5.0,
            )
        )
        rows.append(
            Row(
                "backlog",
                f"{b.articles:,} at once: worker peak RSS ({b.stored} stored)",
                f"{b.worker_rss_mb:.0f} MB",
                "<= 600 MB",
                b.worker_rss_mb <= 600,
            )
        )
    return rows


def offline_rates(results: dict[str, Any]) -> tuple[float, float]:
    """Offline articles/s (wall) and CPU ms per article, the one-article run subtracted."""
    start, full = results["startup"], results["process"]
    n = max(1, full.articles - start.articles)
    wall, cpu = full.wall_s - start.wall_s, full.cpu_s - start.cpu_s
    # On a tiny corpus the start-up run's noise exceeds the articles' own time: keep it then.
    wall = wall if wall > 0.2 * full.wall_s else full.wall_s
    cpu = cpu if cpu > 0.2 * full.cpu_s else full.cpu_s
    return n / wall, 1000 * cpu / n


def _offline_rows(results: dict[str, Any]) -> list[Row]:
    start, full, stages = results["startup"], results["process"], results["stages"]
    per_s, cpu_ms = offline_rates(results)
    s = "offline"
    rows = [
        Row(
            s, "throughput, warta process --dedupe (wall, start-up excluded)", f"{per_s:.2f} art/s"
        ),
        Row(s, "CPU per article, whole process", f"{cpu_ms:.1f} ms"),
        Row(s, "start-up + first article (wall)", f"{start.wall_s:.2f} s"),
        Row(s, "peak RSS", f"{full.peak_rss_mb:.0f} MB"),
    ]
    counts, cpu_s = stages["counts"], stages["cpu_s"]
    for stage in ("decode", "clean", "enrich", "tag", "dedupe", "encode"):
        parts = [1000 * cpu_s[k][stage] / max(1, counts[k]) for k in ("html", "text")]
        both = 1000 * (cpu_s["html"][stage] + cpu_s["text"][stage]) / max(1, sum(counts.values()))
        rows.append(
            Row(
                s,
                f"CPU {stage} (HTML / text / all)",
                "{:.1f} / {:.1f} / {:.1f} ms".format(*parts, both),
            )
        )
    return rows


def _reference_rows(results: dict[str, Any]) -> list[Row]:
    stages = results["stages"]
    pages, traf = stages["counts"]["html"], stages["trafilatura_ms"]
    if not pages or not traf:
        return []
    html = stages["cpu_s"]["html"]
    ours = 1000 * sum(html[k] for k in ("clean", "enrich", "tag")) / pages
    bare = sum(traf) / len(traf)
    s = "reference"
    return [
        Row(s, f"bare trafilatura.extract, CPU per HTML page ({pages} pages)", f"{bare:.1f} ms"),
        Row(s, "pipeline clean+enrich+tag, CPU per HTML page", f"{ours:.1f} ms"),
        _target(s, "pipeline / trafilatura", ours / bare, 1.3, at_least=False),
    ]


def _stream_rows(results: dict[str, Any], offline_per_s: float, offline_ms: float) -> list[Row]:
    relay, one, two, lat = (results[k] for k in ("relay", "stream1", "stream2", "latency"))
    s = "streamed"
    rows = [
        Row(
            "transport",
            f"aiokafka relay consume->produce ({relay.mean_bytes / 1024:.0f} KB msgs)",
            f"{relay.relay_per_s:.0f} msg/s",
        ),
        Row("transport", "aiokafka produce only", f"{relay.produce_per_s:.0f} msg/s"),
        Row(
            "transport",
            "messages written per article in the stream (all topics)",
            f"{one.messages / one.articles:.1f}",
        ),
    ]
    for t in (one, two):
        rows.append(
            Row(s, f"{t.workers} worker(s): first produce -> last stored", f"{t.per_s:.2f} art/s")
        )
        rows.append(
            Row(
                s,
                f"{t.workers} worker(s): worker / broker CPU per article",
                f"{1000 * t.worker_cpu_s / t.articles:.1f} / {1000 * t.broker_cpu_s / t.articles:.1f} ms",
            )
        )
    rows += [
        Row(
            s,
            "outcome, 1 worker (unique / duplicates / dlq)",
            " / ".join(str(v) for v in one.outcome.values()),
        ),
        _target(s, "1 worker / offline throughput", one.per_s / offline_per_s, 0.8, at_least=True),
        _target(s, "2 workers / 1 worker", two.per_s / one.per_s, 1.8, at_least=True),
        Row(
            s,
            "steady view (middle 80 % of arrivals): 1 worker, 2 workers, ratio",
            f"{one.steady_per_s:.1f}, {two.steady_per_s:.1f} art/s, "
            f"{two.steady_per_s / max(1e-9, one.steady_per_s):.2f}",
        ),
        _target(
            s,
            "1-worker CPU / offline CPU per article (1.00 = free machinery)",
            1000 * one.worker_cpu_s / one.articles / offline_ms,
            1.25,
            at_least=False,
        ),
        Row(
            s,
            "CPU view: 1-worker CPU / 2-worker CPU per article (1.00 = perfect scaling)",
            f"{one.worker_cpu_s / max(1e-9, two.worker_cpu_s):.2f}",
        ),
        Row(
            s,
            f"latency p50 / p99 at {lat.rate:.2f} art/s ({lat.measured} unique)",
            f"{lat.p50_ms:.0f} / {lat.p99_ms:.0f} ms",
        ),
        _target(s, "p99 / p50 at half load", lat.p99_ms / lat.p50_ms, 3.0, at_least=False),
    ]
    rss = max([*one.worker_rss_mb, *two.worker_rss_mb])
    rows.append(
        Row(s, "worker peak RSS, all models loaded", f"{rss:.0f} MB", "<= 600 MB", rss <= 600)
    )
    return rows


def _other_rows(results: dict[str, Any]) -> list[Row]:
    d = results["dedupe"]
    s = "dedupe"
    return [
        Row(
            s,
            f"index check_and_add ({d.articles} synthetic articles)",
            f"{d.articles_per_s:.0f} art/s",
        ),
        Row(
            s, f"memory per million indexed ({d.entries} measured)", f"{d.gib_per_million:.2f} GiB"
        ),
    ]


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(type(value).__name__)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run every step, print the table (and save the figures as JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("data_dir", nargs="?", type=Path, help="../shared/data (optional)")
    parser.add_argument("--quick", action="store_true", help="small corpus, about 2 minutes")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--profile", type=Path, help="only profile (py-spy), files into this folder"
    )
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    data_dir = args.data_dir if args.data_dir and args.data_dir.is_dir() else None
    if args.data_dir and data_dir is None:
        err.print(f"[yellow]{args.data_dir} not found: measuring on our own fixtures instead")
    corpus = load_corpus(data_dir, quick=args.quick)
    err.print(f"corpus: {corpus.origin}")
    columns = (SpinnerColumn(), *Progress.get_default_columns(), TimeElapsedColumn())
    with (
        tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp,
        Progress(*columns, console=err, transient=False) as progress,
    ):
        if args.profile:
            results = profile(corpus, progress, Path(tmp), args.profile)
        else:
            results = run(corpus, args.quick, progress, Path(tmp))
    if args.json:
        args.json.write_bytes(orjson.dumps(results, default=_jsonable, option=orjson.OPT_INDENT_2))
    if args.profile:
        volumes = results.pop("volumes", {})
        table = profile_table(results, volumes, len(corpus.articles))
    else:
        table = render(rows_for(results))
    Console(width=max(120, Console().width)).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
