"""The benchmark corpus: real HTML pages and Indonesian text articles, or our own fixtures."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "streams" / "samples" / "articles.jsonl"
FIXTURES = ROOT / "tests" / "fixtures"

# (HTML pages per extraction data set, Indonesian text articles)
SIZES = {"quick": (10, 20), "full": (50, 100)}


@dataclass(frozen=True)
class Corpus:
    """RawArticle JSON objects (ids set, unique per corpus) and where they came from."""

    origin: str
    articles: tuple[dict[str, Any], ...]

    @property
    def html(self) -> list[dict[str, Any]]:
        """The articles that are HTML pages."""
        return [a for a in self.articles if a.get("html")]

    @property
    def text(self) -> list[dict[str, Any]]:
        """The articles that are extracted text."""
        return [a for a in self.articles if not a.get("html")]

    def payloads(self) -> list[bytes]:
        """Each article as the bytes a producer sends to articles.raw."""
        return [orjson.dumps(a) for a in self.articles]

    def mean_bytes(self) -> float:
        """Mean message size."""
        sizes = [len(p) for p in self.payloads()]
        return sum(sizes) / max(1, len(sizes))

    def write_jsonl(self, path: Path) -> Path:
        """The corpus as JSONL input for `warta process`."""
        path.write_bytes(b"".join(p + b"\n" for p in self.payloads()))
        return path


def load_corpus(data_dir: Path | None, quick: bool = False) -> Corpus:
    """Shared data when `data_dir` holds it, else our own fixtures, interleaved HTML/text."""
    per_set, texts = SIZES["quick" if quick else "full"]
    if data_dir is not None and _has_data(data_dir):
        html = list(_shared_html(data_dir, per_set))
        text = list(itertools.islice(_detik(data_dir), texts))
        origin = f"{data_dir} ({len(html)} HTML pages, {len(text)} detik text articles)"
    else:
        html, text = _fixture_html(), _fixture_text()
        origin = f"our fixtures ({len(html)} HTML pages, {len(text)} text articles)"
    return Corpus(origin, tuple(_numbered(_interleave(html, text))))


def _has_data(data_dir: Path) -> bool:
    return (data_dir / "extraction").is_dir() or (
        data_dir / "indonesian-news" / "detik_dev.jsonl"
    ).is_file()


def _interleave(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    # HTML and text alternate so that any prefix of the corpus (and the stream) is a fair mix.
    for x, y in itertools.zip_longest(a, b):
        yield from (item for item in (x, y) if item is not None)


def _numbered(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for i, item in enumerate(items):
        yield {**item, "id": f"bench-{i:05d}"}


def _shared_html(data_dir: Path, per_set: int) -> Iterator[dict[str, Any]]:
    from streams.evaluate.extraction import DATASETS

    for name, loader in DATASETS.items():
        if (data_dir / "extraction" / name).is_dir():
            for page in itertools.islice(loader(data_dir), per_set):
                yield {"url": page.url, "html": page.html}


def _detik(data_dir: Path) -> Iterator[dict[str, Any]]:
    path = data_dir / "indonesian-news" / "detik_dev.jsonl"
    if not path.is_file():
        return
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                row = orjson.loads(line)
                yield {
                    "url": row.get("url"),
                    "source": row.get("source"),
                    "title": row.get("title"),
                    "published_at": row.get("published_local_wib"),
                    "text": row["text"],
                }


def _fixture_html() -> list[dict[str, Any]]:
    pages = sorted((FIXTURES / "clean").glob("*.html"))
    return [
        {"url": f"https://fixtures.example/{p.stem}", "html": p.read_text("utf-8")} for p in pages
    ]


def _fixture_text() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if SAMPLES.is_file():
        for line in SAMPLES.read_bytes().splitlines():
            if line.strip():
                row = orjson.loads(line)
                rows.append({k: v for k, v in row.items() if k != "id"})
    for path in sorted(FIXTURES.glob("*/*.txt")):
        rows.append({"url": f"https://fixtures.example/{path.stem}", "text": path.read_text()})
    return [row for row in rows if row.get("text") or row.get("html")]
