"""Extraction benchmark: our clean stage vs bare trafilatura on ../shared/data/extraction."""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import click

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Page:
    """One evaluation page with whatever gold its data set gives."""

    url: str
    html: str
    body: str | None = None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class Extracted:
    """What an extractor returned for one page."""

    body: str
    title: str | None
    authors: tuple[str, ...]
    published: datetime | None


@dataclass
class Tally:
    """Running sums of one extractor on one data set."""

    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    snippets: list[float] = field(default_factory=list)
    title: list[float] = field(default_factory=list)
    date: list[float] = field(default_factory=list)
    author: list[float] = field(default_factory=list)
    cpu: float = 0.0
    pages: int = 0

    def summary(self) -> dict[str, float | None]:
        """Mean figures; None where the data set has no gold for them."""

        def mean(xs: list[float]) -> float | None:
            return sum(xs) / len(xs) if xs else None

        p, r = mean(self.precision), mean(self.recall)
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None
        return {
            "f1": f1,
            "precision": p,
            "recall": r,
            "snippets": mean(self.snippets),
            "title": mean(self.title),
            "date": mean(self.date),
            "author": mean(self.author),
            "cpu_ms": 1000 * self.cpu / self.pages if self.pages else None,
        }


def decode(blob: bytes) -> str:
    """HTML bytes to text, as a producer would push them."""
    from trafilatura.utils import decode_file

    text: str = decode_file(blob)
    return text


def load_fundus(root: Path) -> Iterator[Page]:
    """The fundus pages with their gold body, title, authors and date."""
    folder = root / "extraction" / "fundus"
    for item in json.loads((folder / "expected.json").read_text("utf-8")):
        html = decode(gzip.decompress((folder / item["local_file"]).read_bytes()))
        yield Page(
            url=item["url"],
            html=html,
            body=item.get("body_text") or "",
            title=item.get("title"),
            authors=tuple(item.get("authors") or ()),
            date=item.get("publishing_date"),
        )


def load_trafilatura_eval(root: Path) -> Iterator[Page]:
    """The trafilatura evaluation pages with their must/must-not snippets."""
    folder = root / "extraction" / "trafilatura_eval"
    gold = json.loads((folder / "evaldata_subset.json").read_text("utf-8"))
    for url, item in gold.items():
        html = decode(gzip.decompress((folder / item["local_file"]).read_bytes()))
        author = item.get("author") or ""
        names = author if isinstance(author, list) else re.split(r";|,| and ", author)
        yield Page(
            url=url,
            html=html,
            with_snippets=tuple(item.get("with") or ()),
            without_snippets=tuple(item.get("without") or ()),
            title=item.get("title") or None,
            authors=tuple(a.strip() for a in names if a.strip()),
            date=item.get("date") or None,
        )


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Multiset of 4-token shingles (tokens are \\w+), as in the public benchmark."""
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def body_scores(gold: str, predicted: str) -> tuple[float, float]:
    """Per-document precision and recall with tp+fp+fn normalised to 1."""
    g, p = shingles(gold), shingles(predicted)
    tp = sum((g & p).values())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 1.0, 1.0
    tp_, fp_, fn_ = tp / total, fp / total, fn / total
    precision = tp_ / (tp_ + fp_) if tp_ + fp_ else 0.0
    recall = tp_ / (tp_ + fn_) if tp_ + fn_ else 0.0
    return precision, recall


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def snippets_right(page: Page, body: str) -> list[float]:
    """Per snippet, 1 when it is right: a `with` snippet present, a `without` snippet absent."""
    norm = _norm(body)
    right = [1.0 if _norm(s) in norm else 0.0 for s in page.with_snippets]
    right += [0.0 if _norm(s) in norm else 1.0 for s in page.without_snippets]
    return right


def date_right(gold: str, predicted: datetime | None) -> float:
    """Same minute in UTC when gold has a time; same local day when gold gives only a day."""
    if predicted is None:
        return 0.0
    if len(gold.strip()) <= 10:
        return 1.0 if predicted.date().isoformat() == gold.strip() else 0.0
    want = datetime.fromisoformat(gold.strip())
    if want.tzinfo is None or predicted.tzinfo is None:
        return (
            1.0
            if want.replace(tzinfo=None, second=0, microsecond=0)
            == predicted.replace(tzinfo=None, second=0, microsecond=0)
            else 0.0
        )
    a = want.astimezone(UTC).replace(second=0, microsecond=0)
    b = predicted.astimezone(UTC).replace(second=0, microsecond=0)
    return 1.0 if a == b else 0.0


def authors_right(gold: tuple[str, ...], predicted: tuple[str, ...]) -> float:
    """1 when the sets of names agree, ignoring case and spacing."""
    return 1.0 if {_norm(a) for a in gold} == {_norm(a) for a in predicted} else 0.0


def score(page: Page, got: Extracted, tally: Tally) -> None:
    """Add one page's figures to the tally."""
    if page.body is not None:
        p, r = body_scores(page.body, got.body)
        tally.precision.append(p)
        tally.recall.append(r)
    if page.with_snippets or page.without_snippets:
        tally.snippets.extend(snippets_right(page, got.body))
    if page.title:
        tally.title.append(1.0 if _norm(page.title) == _norm(got.title or "") else 0.0)
    if page.date:
        tally.date.append(date_right(page.date, got.published))
    if page.authors:
        tally.author.append(authors_right(page.authors, got.authors))


def ours(page: Page) -> Extracted:
    """Our clean stage on the page."""
    from schemas.models import CleanArticle, RawArticle
    from streams.stages.clean import clean

    out = clean(RawArticle(id="eval", url=page.url, html=page.html))
    if not isinstance(out, CleanArticle):
        return Extracted("", None, (), None)
    return Extracted(out.text, out.title, tuple(out.authors), out.published_at)


def bare_trafilatura(page: Page) -> Extracted:
    """trafilatura 2.3 in its default mode, with metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None or isinstance(doc, dict):
        return Extracted("", None, (), None)
    published = None
    if doc.date:
        try:
            published = datetime.fromisoformat(doc.date)
        except ValueError:
            published = None
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Extracted(doc.text or "", doc.title, authors, published)


Extractor = Callable[[Page], Extracted]
# bare trafilatura runs with its metadata extraction so that titles, dates and authors compare;
# benchmarks/bench_extraction.py times plain trafilatura.extract for the CPU budget.
EXTRACTORS: dict[str, Extractor] = {"warta": ours, "trafilatura 2.3": bare_trafilatura}
DATASETS: dict[str, Callable[[Path], Iterator[Page]]] = {
    "fundus": load_fundus,
    "trafilatura_eval": load_trafilatura_eval,
}


def timed(extractor: Extractor, page: Page) -> tuple[Extracted, float]:
    """The extractor's result and the CPU seconds it took."""
    start = time.process_time()
    got = extractor(page)
    return got, time.process_time() - start


def evaluate(
    pages: list[Page], extractors: dict[str, Extractor], progress: Callable[[], None] | None = None
) -> dict[str, Tally]:
    """Run each extractor on each page and tally the figures."""
    tallies = {name: Tally() for name in extractors}
    for page in pages:
        for name, extractor in extractors.items():
            got, cpu = timed(extractor, page)
            tallies[name].cpu += cpu
            tallies[name].pages += 1
            score(page, got, tallies[name])
        if progress:
            progress()
    return tallies


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(dataset: str, tallies: dict[str, Tally]) -> None:
    """Print one data set's figures side by side."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{dataset} ({next(iter(tallies.values())).pages} pages)")
    table.add_column("extractor")
    cols = ["f1", "precision", "recall", "snippets", "title", "date", "author", "cpu_ms"]
    for col in cols:
        table.add_column(col, justify="right")
    for name, tally in tallies.items():
        s = tally.summary()
        table.add_row(name, *[_fmt(s[c], 1 if c == "cpu_ms" else 3) for c in cols])
    Console(width=120).print(table)


def run(data_dir: Path, limit: int | None = None, only: str | None = None) -> None:
    """Evaluate both extractors on every data set found under data_dir."""
    from rich.progress import Progress

    for dataset, loader in DATASETS.items():
        if only and dataset != only:
            continue
        if not (data_dir / "extraction" / dataset).is_dir():
            click.echo(f"{dataset}: not found under {data_dir}, skipped")
            continue
        pages = list(loader(data_dir))[:limit]
        with Progress(transient=True) as bar:
            task = bar.add_task(dataset, total=len(pages))
            tallies = evaluate(pages, EXTRACTORS, partial(bar.advance, task))
        report(dataset, tallies)


@click.command("extraction")
@click.argument("data_dir", type=click.Path(path_type=Path), default=Path("../shared/data"))
@click.option("--limit", type=int, default=None, help="Only the first N pages of each data set.")
@click.option("--dataset", "only", type=click.Choice(list(DATASETS)), default=None)
def command(data_dir: Path, limit: int | None, only: str | None) -> None:
    """Body F1/precision/recall, snippets, title, date and author rates vs bare trafilatura."""
    if not (data_dir / "extraction").is_dir():
        click.echo(f"no extraction data under {data_dir}: nothing to evaluate")
        sys.exit(0)
    run(data_dir, limit, only)


if __name__ == "__main__":
    command()
