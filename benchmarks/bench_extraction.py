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
    from streams.stages.clean import clean

    return clean(RawArticle(id="bench", url=page.url, html=page.html))


def _trafilatura(page: Page) -> object:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url)


def cpu_ms_per_page(
    fns: list[Callable[[Page], object]], pages: list[Page], rounds: int
) -> list[float]:
    """Per function, the best of `rounds` CPU-time totals over the pages, in ms per page.
    The functions take turns on each page so that a busy machine slows them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        totals = [0.0] * len(fns)
        for page in pages:
            for i, fn in enumerate(fns):
                start = time.process_time()
                fn(page)
                totals[i] += time.process_time() - start
        best = [min(b, t) for b, t in zip(best, totals, strict=True)]
    return [1000 * b / max(1, len(pages)) for b in best]


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
    for page in pages[:10]:  # imports, caches and stoplists out of the timing
        _ours(page), _trafilatura(page)
    ours, bare = cpu_ms_per_page([_ours, _trafilatura], pages, args.rounds)
    print(f"pages: {len(pages)}")
    print(f"warta clean:          {ours:6.1f} ms CPU/page")
    print(f"trafilatura.extract:  {bare:6.1f} ms CPU/page")
    print(f"ratio warta/trafilatura: {ours / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
