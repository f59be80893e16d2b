"""`warta eval enrich DATA_DIR`: language accuracy, NER P/R/F1, entity resolution, speed and
topic agreement.

Reads ../shared/data (never copied into the repository); skips cleanly when it is absent.
"""

from __future__ import annotations

import gzip
import importlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import track
from rich.table import Table

from schemas.models import CleanArticle
from streams.evaluate.resolution import resolution_scores
from streams.stages.enrich import enrich, language, ner, resolve
from streams.stages.enrich.ner_data import (
    Scores,
    Sentence,
    iter_files,
    read_conll,
    retokenize,
    spans,
)
from streams.stages.enrich.ner_spans import pieces

console = Console()
T = TypeVar("T")

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)
# Norwegian pages say "nb" where detectors say "no": the same language for this purpose.
_SAME = {"nb": "no", "nn": "no"}


def _progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    yield from track(items, description=label, total=total, console=console, transient=True)


def _detik(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "indonesian-news" / "detik_dev.jsonl"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _fundus(data_dir: Path) -> list[tuple[str, str, str]]:
    """(language from the page's <html lang>, body text, title) of each fundus page."""
    root = data_dir / "extraction" / "fundus"
    path = root / "expected.json"
    if not path.exists():
        return []
    out: list[tuple[str, str, str]] = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        page = root / str(item.get("local_file", ""))
        if not page.is_file():
            continue
        with gzip.open(page) as fh:
            m = _HTML_LANG.search(fh.read(20000))
        if m:
            code = m.group(1).decode().lower()
            out.append((code, str(item.get("body_text") or ""), str(item.get("title") or "")))
    return out


def language_samples(data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Named sets of (gold language, text): bodies and titles, detik (id) and fundus (many)."""
    detik = _detik(data_dir)
    fundus = _fundus(data_dir)
    return {
        "detik body (id)": [("id", r["text"]) for r in detik],
        "detik title (id)": [("id", r["title"]) for r in detik if r.get("title")],
        "fundus body": [(lang, body) for lang, body, _ in fundus if body],
        "fundus title": [(lang, title) for lang, _, title in fundus if title],
    }


def language_accuracy(samples: list[tuple[str, str]], label: str) -> tuple[float, float]:
    """(accuracy, ms per text) of the language detector."""
    ok = 0
    start = time.perf_counter()
    for gold, text in _progress(samples, label):
        code = language.detect(text).code
        ok += _SAME.get(code, code) == _SAME.get(gold, gold)
    elapsed = time.perf_counter() - start
    return ok / max(len(samples), 1), 1000 * elapsed / max(len(samples), 1)


def _char_spans(sent: Sentence, reader: bool = False) -> tuple[str, set[tuple[int, int, str]]]:
    """The sentence as text (tokens joined by spaces) and its gold entities as character spans.

    `reader`: gold as a reader marks it, the convention the enrich stage follows: the corpus's
    "Komisi Pemilihan Umum ( KPU )" is the name and its acronym, two entities.
    """
    starts: list[int] = []
    pos = 0
    for word in sent.words:
        starts.append(pos)
        pos += len(word) + 1
    text = " ".join(sent.words)
    gold_spans = sorted(spans(sent.tags))
    if reader:
        gold_spans = [p for a, b, t in gold_spans for p in pieces(sent.words, a, b, t)]
    gold = {(starts[a], starts[b - 1] + len(sent.words[b - 1]), t) for a, b, t in gold_spans}
    return text, gold


_LABEL = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}


def ner_scores(path: Path, label: str, reader: bool = False) -> Scores:
    """Exact-span, exact-type P/R/F1 of the full text path (tokenise, tag, offsets); `reader`:
    against the gold split as a reader marks names and acronyms (see `_char_spans`)."""
    scores = Scores()
    sentences = [retokenize(s) for s in read_conll(path)]
    for sent in _progress(sentences, label):
        text, gold = _char_spans(sent, reader)
        pred = {(e.start, e.end, _LABEL[e.type]) for e in ner.extract_entities(text, "id")}
        scores.add(gold, pred)
    return scores


def _article(row: dict[str, Any]) -> CleanArticle:
    paragraphs = [" ".join(p.split()) for p in str(row["text"]).split("\n") if p.strip()]
    return CleanArticle(
        id=str(row.get("id") or "x"),
        title=row.get("title"),
        text="\n\n".join(paragraphs),
        fingerprint="eval",
    )


def speed(rows: list[dict[str, Any]]) -> tuple[float, float, Counter[str]]:
    """Mean and 95th-percentile CPU ms per article of the whole enrich stage, and outcomes.

    CPU time, not wall time: on a shared machine the wall clock measures the neighbours too.
    """
    times: list[float] = []
    outcomes: Counter[str] = Counter()
    articles = [_article(r) for r in rows]
    enrich(articles[0]) if articles else None  # load the models outside the timing
    for art in _progress(articles, "enrich speed"):
        start = time.process_time()
        result = enrich(art)
        times.append(1000 * (time.process_time() - start))
        outcomes[type(result).__name__] += 1
    times.sort()
    if not times:
        return 0.0, 0.0, outcomes
    return sum(times) / len(times), times[int(0.95 * (len(times) - 1))], outcomes


def _topics(data_dir: Path) -> dict[str, Any] | None:
    """The tag stage's own topic evaluation, when it provides one."""
    try:
        module = importlib.import_module("streams.stages.tag")
    except ImportError:
        return None
    fn: Callable[[Path], dict[str, Any]] | None = getattr(module, "evaluate_topics", None)
    return fn(data_dir) if fn is not None else None


def _print_language(data_dir: Path) -> None:
    table = Table(title="Language identification")
    for col in ("set", "texts", "accuracy", "ms/text"):
        table.add_column(col)
    for name, samples in language_samples(data_dir).items():
        if samples:
            acc, ms = language_accuracy(samples, name)
            table.add_row(name, str(len(samples)), f"{acc:.3f}", f"{ms:.2f}")
    console.print(table)


def _print_ner(data_dir: Path) -> None:
    table = Table(title=f"Named entities ({ner.VERSION}), exact span and type")
    for col in ("file", "gold marks", "P", "R", "F1", "gold", "predicted"):
        table.add_column(col)
    # "corpus": the files' own spans; "reader": a name and its bracketed acronym as two names,
    # as the stage marks them (spans never end in a bracket).
    for (name, path), reader in itertools.product(iter_files(data_dir), (False, True)):
        s = ner_scores(path, name, reader)
        table.add_row(
            name,
            "reader" if reader else "corpus",
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            str(s.tp + s.fn),
            str(s.tp + s.fp),
        )
    console.print(table)


def _print_resolution() -> None:
    scores = resolution_scores()
    if scores is None:
        console.print("entity resolution: no annotated articles found; skipped")
        return
    table = Table(title=f"Entity resolution ({resolve.VERSION}), on articles we annotated")
    table.add_column("measure")
    table.add_column("value")
    for key, value in scores.figures().items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(table)


@click.command("enrich")
@click.argument("data_dir", type=click.Path(path_type=Path), default=Path("../shared/data"))
def command(data_dir: Path) -> None:
    """Evaluate the enrich stage (and the tag stage's topics, when present) on DATA_DIR."""
    if not data_dir.is_dir():
        console.print(f"[yellow]no evaluation data at {data_dir}; skipping[/yellow]")
        return
    _print_language(data_dir)
    _print_ner(data_dir)
    _print_resolution()
    rows = _detik(data_dir)
    if rows:
        mean, p95, outcomes = speed(rows)
        console.print(
            f"enrich speed on {len(rows)} detik articles: {mean:.1f} CPU ms mean, "
            f"{p95:.1f} CPU ms p95 per article; outcomes {dict(outcomes)}"
        )
    topics = _topics(data_dir)
    if topics is None:
        console.print("topics: streams.stages.tag.evaluate_topics not available; skipped")
    else:
        table = Table(title="Topics (from streams.stages.tag.evaluate_topics)")
        table.add_column("measure")
        table.add_column("value")
        for key, value in topics.items():
            table.add_row(str(key), f"{value:.3f}" if isinstance(value, float) else str(value))
        console.print(table)


if __name__ == "__main__":
    command()
