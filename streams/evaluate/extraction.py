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
    confidence: float | None = None
    refused: str | None = None


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
    # per page: its body score (F1, or the share of snippets right) and the extractor's confidence
    page_scores: list[float] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)

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

    def ranking(self) -> dict[str, float | None]:
        """How the confidence ranks pages: Pearson r with the page score, and the mean page
        score of the lowest-confidence tenth beside that of all pages (None without confidences)."""
        pairs = [(c, s) for c, s in zip(self.confidences, self.page_scores, strict=True)]
        if len(pairs) < 10:
            return {"r": None, "low_decile": None, "all": None}
        pairs.sort(key=lambda cs: cs[0])
        low = pairs[: max(1, len(pairs) // 10)]
        return {
            "r": pearson([c for c, _ in pairs], [s for _, s in pairs]),
            "low_decile": sum(s for _, s in low) / len(low),
            "all": sum(s for _, s in pairs) / len(pairs),
        }


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation coefficient (None when either side is constant)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else None


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
    page_score = None
    if got.refused:
        tally.refused[got.refused] += 1
    if page.body is not None:
        p, r = body_scores(page.body, got.body)
        tally.precision.append(p)
        tally.recall.append(r)
        page_score = 2 * p * r / (p + r) if p + r else 0.0
    if page.with_snippets or page.without_snippets:
        right = snippets_right(page, got.body)
        tally.snippets.extend(right)
        page_score = sum(right) / len(right) if page_score is None else page_score
    if page_score is not None and got.confidence is not None:
        tally.page_scores.append(page_score)
        tally.confidences.append(got.confidence)
    if page.title:
        tally.title.append(1.0 if _norm(page.title) == _norm(got.title or "") else 0.0)
    if page.date:
        tally.date.append(date_right(page.date, got.published))
    if page.authors:
        tally.author.append(authors_right(page.authors, got.authors))


def ours(page: Page) -> Extracted:
    """Our clean stage on the page, as the stream runs it: the HTML screen first."""
    from schemas.models import RawArticle, Rejection
    from streams.stages.pipeline import clean_stage

    out = clean_stage(RawArticle(id="eval", url=page.url, html=page.html))
    if isinstance(out, Rejection):
        return Extracted("", None, (), None, confidence=0.0, refused=out.reason)
    return Extracted(out.text, out.title, tuple(out.authors), out.published_at, out.body_confidence)


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
    for col in [*cols, "refused"]:
        table.add_column(col, justify="right")
    for name, tally in tallies.items():
        s = tally.summary()
        refused = ", ".join(f"{n} {r}" for r, n in tally.refused.most_common()) or "0"
        table.add_row(name, *[_fmt(s[c], 1 if c == "cpu_ms" else 3) for c in cols], refused)
    console = Console(width=130)
    console.print(table)
    for name, tally in tallies.items():
        rank = tally.ranking()
        if rank["r"] is None:
            continue
        what = "F1" if tally.precision else "snippets right"
        console.print(
            f"  {name} confidence vs page {what}: r = {_fmt(rank['r'])}; lowest-confidence tenth"
            f" {_fmt(rank['low_decile'])} against {_fmt(rank['all'])} for all pages"
        )


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
    if not only:
        report_fixtures()


# Our own pages (tests/fixtures/clean): Indonesian and Malaysian outlet styles with their publish
# minute, and pages that are no articles. Read here only when the source tree is at hand.
_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "clean"


def fixture_figures(folder: Path = _FIXTURES) -> dict[str, tuple[int, int]]:
    """(right, of) for: publish time to the minute and title exact on the outlet pages, article
    pages wrongly refused, and non-article pages refused as `not_an_article`."""
    from schemas.models import RawArticle, Rejection
    from streams.stages.pipeline import clean_stage

    expected = json.loads((folder / "outlets" / "expected.json").read_text("utf-8"))
    minute = title = wrongly = 0
    for name, want in expected.items():
        html = (folder / "outlets" / name).read_text("utf-8")
        out = clean_stage(RawArticle(id=name, url=want["url"], html=html))
        if isinstance(out, Rejection):
            wrongly += 1
            continue
        published = datetime.fromisoformat(want["published"])
        got = out.published_at
        minute += got == published and got is not None and got.utcoffset() == published.utcoffset()
        title += out.title == want["title"]
    urls = json.loads((folder / "not_articles" / "urls.json").read_text("utf-8"))
    refused = 0
    for name, url in urls.items():
        html = (folder / "not_articles" / name).read_text("utf-8")
        out = clean_stage(RawArticle(id=name, url=url, html=html))
        refused += isinstance(out, Rejection) and out.reason == "not_an_article"
    n = len(expected)
    return {
        "publish time to the minute": (minute, n),
        "title exact": (title, n),
        "article pages refused": (wrongly, n),
        "non-article pages refused as not_an_article": (refused, len(urls)),
    }


def report_fixtures() -> None:
    """Print the figures on our own fixture pages, when the source tree is at hand."""
    if not (_FIXTURES / "outlets" / "expected.json").is_file():
        return
    click.echo("\nour Indonesian/Malaysian outlet-style pages (tests/fixtures/clean):")
    for what, (right, of) in fixture_figures().items():
        click.echo(f"  {what}: {right} of {of}")


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
