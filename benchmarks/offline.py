"""Offline figures: `warta process` in a subprocess, CPU per stage, bare trafilatura, dedupe.

`python -m benchmarks.offline CORPUS.jsonl` is the stage profiler: it prints one JSON object.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("decode", "clean", "enrich", "tag", "dedupe", "encode")


@dataclass(frozen=True)
class ProcessRun:
    """One `warta process` run measured from outside."""

    articles: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


def _clean_env() -> dict[str, str]:
    """None of the developer's WARTA_* settings. (Imported here: the stage profiler, which is
    this module run as a script, should not load the Kafka clients.)"""
    from streams.runtime.harness import clean_env

    return clean_env()


def run_process(corpus: Path, out: Path, articles: int) -> ProcessRun:
    """`warta process --dedupe` on the corpus, in a subprocess, with its own rusage."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "process", str(corpus), "-o", str(out), "--dedupe"],
        env=_clean_env(),
        cwd=out.parent,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"warta process exited with {proc.returncode}")
    return ProcessRun(articles, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def profile_stages(corpus: Path) -> dict[str, Any]:
    """Run the stage profiler below in a fresh interpreter and return its JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.offline", str(corpus)],
        env=_clean_env(),
        cwd=ROOT,  # `benchmarks` is importable from the repository root only
        check=True,
        capture_output=True,
    )
    result: dict[str, Any] = orjson.loads(out.stdout.splitlines()[-1])
    return result


def _profile(corpus: Path) -> dict[str, Any]:
    """CPU seconds per stage for HTML and text articles, and trafilatura on the same pages."""
    started = time.perf_counter()
    from benchmarks.bench_extraction import _trafilatura, cpu_ms_per_page
    from schemas import RawArticle, Rejection, codec
    from streams.core.decode import decode
    from streams.core.ids import identify
    from streams.evaluate.extraction import Page
    from streams.stages.dedupe import DedupeIndex
    from streams.stages.pipeline import clean_stage, enrich_stage, tag_stage

    imported = time.perf_counter() - started
    lines = [line for line in corpus.read_bytes().splitlines() if line.strip()]
    warm_started = time.perf_counter()
    _warm_up(lines)
    warm = time.perf_counter() - warm_started
    totals: dict[str, dict[str, float]] = {k: dict.fromkeys(STAGES, 0.0) for k in ("html", "text")}
    counts = {"html": 0, "text": 0}
    trafilatura_ms: list[float] = []
    index = DedupeIndex()

    def timed(kind: str, stage: str, fn: Any, *args: Any) -> Any:
        start = time.process_time()
        result = fn(*args)
        totals[kind][stage] += time.process_time() - start
        return result

    for line in lines:
        start = time.process_time()
        raw = decode(RawArticle, line, 1 << 30)
        if isinstance(raw, Rejection):
            continue
        raw = identify(raw)
        kind = "html" if raw.html else "text"
        totals[kind]["decode"] += time.process_time() - start
        counts[kind] += 1
        item: Any = timed(kind, "clean", clean_stage, raw)
        for stage, fn in (("enrich", enrich_stage), ("tag", tag_stage)):
            if not isinstance(item, Rejection):
                item = timed(kind, stage, fn, item)
        if not isinstance(item, Rejection):
            timed(kind, "dedupe", index.check_and_add, item)
            timed(kind, "encode", codec.dumps, item)
        if raw.html:
            # Interleaved page by page, so that load from other processes hits both alike.
            page = Page(url=raw.url or "", html=raw.html)
            trafilatura_ms.extend(cpu_ms_per_page([_trafilatura], [page], 1))
    return {
        "import_s": imported,
        "warm_up_s": warm,
        "counts": counts,
        "cpu_s": totals,
        "trafilatura_ms": trafilatura_ms,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _warm_up(lines: list[bytes]) -> None:
    """One HTML and one text article through the pipeline: lazy model loads out of the timing."""
    from schemas import RawArticle, Rejection
    from streams.core.decode import decode
    from streams.core.ids import identify
    from streams.stages.pipeline import process

    seen: set[bool] = set()
    for line in lines:
        raw = decode(RawArticle, line, 1 << 30)
        if not isinstance(raw, Rejection) and bool(raw.html) not in seen:
            seen.add(bool(raw.html))
            process(identify(raw))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class DedupeFigures:
    """Dedupe index throughput and memory, from benchmarks/bench_dedupe.py."""

    articles_per_s: float
    bytes_per_article: float
    articles: int
    entries: int

    @property
    def gib_per_million(self) -> float:
        """Memory of one million indexed articles."""
        return self.bytes_per_article * 1e6 / 2**30


def dedupe_figures(articles: int, entries: int) -> DedupeFigures:
    """Signature + judge + insert throughput, and bytes per indexed article."""
    from benchmarks import bench_dedupe as bd

    rate = bd.ours(bd.corpus(articles))
    sigs = bd.random_signatures(entries)
    used = bd.measure(lambda: bd.fill_ours(sigs))
    return DedupeFigures(rate, used / entries, articles, entries)


if __name__ == "__main__":
    sys.stdout.buffer.write(orjson.dumps(_profile(Path(sys.argv[1]))) + b"\n")


# Where a sample's time goes: (label, substring of a py-spy frame "function (path:line)").
WORKER_LAYERS = (
    ("import", "_find_and_load"),
    ("clean stage", "clean_stage (streams/pipeline.py"),
    ("enrich stage", "enrich_stage (streams/pipeline.py"),
    ("tag stage", "tag_stage (streams/pipeline.py"),
    ("dedupe agents", "streams/dedupe_agents.py"),
    ("input guards", "streams/guards.py"),
    ("store (SQLite write)", "streams/store/"),
    ("decode + validate", "decode (streams/pipeline.py"),
    ("encode (orjson)", "schemas/codec.py"),
    ("metrics", "prometheus_client/"),
    ("web", "aiohttp/"),
    ("aiokafka client", "aiokafka/"),
    ("faust + mode", "faust/"),
    ("faust + mode", "mode/"),
    ("asyncio loop", "asyncio/"),
)
# Leaf frames that wait rather than work: py-spy cannot always tell a blocked thread is idle.
IDLE = (
    "EpollSelector.select",
    "_worker (concurrent/futures/thread.py",
    "Condition.wait",
    "Event.wait",
    "lock.acquire",
)
LIBRARIES = (
    ("lxml (parse, clean, xpath)", "lxml"),
    ("trafilatura", "trafilatura/"),
    ("htmldate", "htmldate/"),
    ("dateparser", "dateparser/"),
    ("ftfy", "ftfy/"),
    ("python-crfsuite", "pycrfsuite"),
    ("yake", "yake/"),
    ("scikit-learn", "sklearn/"),
    ("numpy", "numpy/"),
    ("pydantic", "pydantic"),
    ("regex / re", "re/"),
    ("streams/stages/clean", "streams/stages/clean/"),
    ("streams/stages/enrich", "streams/stages/enrich/"),
    ("streams/stages/tag", "streams/stages/tag/"),
    ("streams/dedupe", "streams/stages/dedupe/"),
    ("import", "_find_and_load"),
)


def shares(
    collapsed: Path, layers: tuple[tuple[str, str], ...], innermost: bool
) -> dict[str, float]:
    """Fraction of py-spy samples per label, from a raw (collapsed) profile.

    By default a sample counts for the first label (in the order given) that any of its frames
    matches: the part of the worker that spent the time. With `innermost`, it counts for the
    frame nearest the leaf that matches a label: the library that did the work.
    """
    counts: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frames[-1] for marker in IDLE):
            continue
        label = _innermost(frames, layers) if innermost else _first_rule(frames, layers)
        counts[label] = counts.get(label, 0) + int(n)
        total += int(n)
    return {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])} if total else {}


def _innermost(frames: list[str], layers: tuple[tuple[str, str], ...]) -> str:
    for frame in reversed(frames):
        for label, needle in layers:
            if needle in frame:
                return label
    return "other"


def _first_rule(frames: list[str], layers: tuple[tuple[str, str], ...]) -> str:
    stack = ";".join(frames)
    return next((label for label, needle in layers if needle in stack), "other")


def py_spy(out: Path, target: list[str] | int) -> subprocess.Popen[bytes]:
    """py-spy recording a command or a live pid into a raw collapsed-stack file."""
    exe = Path(sys.executable).with_name("py-spy")
    where = ["--pid", str(target)] if isinstance(target, int) else ["--", *target]
    return subprocess.Popen(
        [str(exe), "record", "--format", "raw", "--rate", "50", "-o", str(out), *where],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_clean_env(),
        cwd=ROOT,
    )


def profile_offline(corpus: Path, out: Path) -> dict[str, dict[str, float]]:
    """The stage profiler under py-spy: shares per stage and per library."""
    py_spy(out, [sys.executable, "-m", "benchmarks.offline", str(corpus)]).wait()
    stages = (*WORKER_LAYERS[:4], ("dedupe", "check_and_add"), ("bare trafilatura", "_trafilatura"))
    return {"stage": shares(out, stages, False), "library": shares(out, LIBRARIES, True)}
