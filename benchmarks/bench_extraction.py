"""CPU per page of the clean stage vs bare trafilatura.extract on the same HTML pages."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from streams.evaluate.extraction import DATASETS, Page


def _ours(page: Page) -> object:
    from schemas.models import RawArticle
    from streams.clean import clean

    return clean(RawArticle(id="bench", url=page.url, html=page.html))


def _trafilatura(page: Page) -> object:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url)


def cpu_ms_per_page(fn: Callable[[Page], object], pages: list[Page], rounds: int) -> float:
    """Best of `rounds` CPU-time passes over the pages, in ms per page."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for page in pages:
            fn(page)
        best = min(best, time.process_time() - start)
    return 1000 * best / max(1, len(pages))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("data_dir", nargs="?", type=Path, default=default)
    parser.add_argument("--limit", type=int, default=80, help="pages per data set")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not (args.data_dir / "extraction").is_dir():
        print(f"no extraction data under {args.data_dir}: nothing to benchmark")
        return 0
    pages: list[Page] = []
    for loader in DATASETS.values():
        pages.extend(list(loader(args.data_dir))[: args.limit])
    _ours(pages[0]), _trafilatura(pages[0])  # imports and caches out of the timing
    ours = cpu_ms_per_page(_ours, pages, args.rounds)
    bare = cpu_ms_per_page(_trafilatura, pages, args.rounds)
    print(f"pages: {len(pages)}")
    print(f"warta clean:          {ours:6.1f} ms CPU/page")
    print(f"trafilatura.extract:  {bare:6.1f} ms CPU/page")
    print(f"ratio warta/trafilatura: {ours / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
