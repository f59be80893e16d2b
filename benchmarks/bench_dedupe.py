"""Dedupe benchmark: throughput of signature + judge and memory per million indexed articles,
side by side with datasketch's in-memory MinHashLSH on the same input.

    .venv/bin/python benchmarks/bench_dedupe.py [--articles 3000] [--entries 100000]
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from streams.core.fingerprint import fingerprint, tokens
from streams.stages.dedupe import BANDS, NUM_PERM, ROWS, SHINGLE, Config, DedupeIndex, Signature
from streams.stages.dedupe import variants as v

SYLLABLES = ("ka", "ma", "ta", "pa", "ra", "sa", "na", "ba", "di", "ke", "lu", "ngo", "an", "per")
T0 = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    published_at: datetime


def corpus(n: int, seed: int = 11) -> list[Doc]:
    """Synthetic stories of about 400 words (Zipf vocabulary), one in five a trimmed or edited
    copy of an earlier one."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(20_000)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    docs: list[Doc] = []
    for i in range(n):
        when = T0 + timedelta(minutes=10 * i)
        if docs and rng.random() < 0.2:
            base = rng.choice(docs[-500:]).text
            text = v.trimmed(base, rng) if rng.random() < 0.5 else v.edited(base, rng, vocab)
        else:
            paras = [
                ". ".join(
                    " ".join(rng.choices(vocab, weights, k=rng.randint(8, 20))).capitalize()
                    for _ in range(3)
                )
                + "."
                for _ in range(rng.randint(4, 9))
            ]
            text = "\n".join(paras)
        docs.append(Doc(f"a{i}", text, when))
    return docs


def ours(docs: list[Doc]) -> float:
    index = DedupeIndex()
    start = time.perf_counter()
    for doc in docs:
        index.check_and_add(doc)
    return len(docs) / (time.perf_counter() - start)


def theirs(docs: list[Doc]) -> float:
    """datasketch doing the same job: shingle, MinHash, query, verify, insert if unique."""
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    kept: dict[str, LeanMinHash] = {}
    start = time.perf_counter()
    for doc in docs:
        words = tokens(doc.text)
        shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - 1)}
        mh = MinHash(num_perm=NUM_PERM)
        mh.update_batch(list(shingles))
        if not any(mh.jaccard(kept[key]) >= 0.5 for key in lsh.query(mh)):
            lean = LeanMinHash(mh)
            kept[doc.id] = lean
            lsh.insert(doc.id, lean)
    return len(docs) / (time.perf_counter() - start)


def measure(build: Callable[[], object]) -> int:
    """Bytes still allocated by what `build` returns."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = build()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del keep
    return used


def random_signatures(n: int, seed: int = 5) -> list[Signature]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 65536, size=(n, NUM_PERM), dtype=np.uint16)
    return [Signature(values[i].astype("<u2").tobytes(), 300) for i in range(n)]


def fill_ours(sigs: list[Signature]) -> DedupeIndex:
    index = DedupeIndex(Config(window=timedelta(days=36500)))
    for i, sig in enumerate(sigs):
        # Ids like ours: 20 hex digits, and a real fingerprint per article.
        article_id = f"{i:020x}"
        index.check_and_add_signature(article_id, sig, fingerprint(article_id), 1.7e9 + i)
    return index


def fill_bands(sigs: list[Signature]) -> object:
    return fill_theirs(sigs, with_signatures=False)


def fill_theirs(sigs: list[Signature], with_signatures: bool = True) -> object:
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    kept = {}
    for i, sig in enumerate(sigs):
        mh = LeanMinHash(seed=1, hashvalues=sig.array().astype(np.uint64), scheme="legacy")
        lsh.insert(f"{i:020x}", mh, check_duplication=False)
        if with_signatures:
            kept[f"{i:020x}"] = mh
    return (lsh, kept)


@click.command()
@click.option("--articles", default=3000, show_default=True, help="texts for throughput")
@click.option("--entries", default=100_000, show_default=True, help="entries for memory")
@click.option(
    "--their-entries",
    default=30_000,
    show_default=True,
    help="entries for datasketch's memory (linear per article, and slow under tracemalloc)",
)
def main(articles: int, entries: int, their_entries: int) -> None:
    """Print articles/s and bytes per indexed article, ours vs datasketch MinHashLSH."""
    docs = corpus(articles)
    print(f"throughput on {articles} synthetic articles (~20% copies), signature + judge + index")
    a, b = ours(docs), theirs(docs)
    print(f"  warta dedupe        {a:8.0f} articles/s")
    print(f"  datasketch LSH      {b:8.0f} articles/s   (warta / datasketch = {a / b:.2f}x)")
    sigs = random_signatures(max(entries, their_entries))
    mine, others = sigs[:entries], sigs[:their_entries]
    print(f"memory per indexed article ({BANDS} bands x {ROWS} rows, {NUM_PERM} permutations)")
    rows = [
        ("warta DedupeIndex (exact + bands + signatures)", entries, fill_ours, mine),
        ("datasketch MinHashLSH (bands only)", their_entries, fill_bands, others),
        ("datasketch MinHashLSH + LeanMinHash kept", their_entries, fill_theirs, others),
    ]
    base = 0.0
    for name, n, fill, data in rows:
        per = measure(lambda f=fill, d=data: f(d)) / n  # type: ignore[misc]
        base = base or per
        print(
            f"  {name:48} {n:7d} entries {per:7.0f} B/article"
            f"  {per * 1e6 / 2**30:6.2f} GiB per million  ({per / base:.2f}x warta)"
        )


if __name__ == "__main__":
    main()
