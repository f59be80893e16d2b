"""Dedupe evaluation: generated copies and hard negatives of DATA_DIR/indonesian-news stories."""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import track
from rich.table import Table

from streams.core.fingerprint import tokens
from streams.stages.dedupe import Config, DedupeIndex, Thresholds, Verdict, match, signature
from streams.stages.dedupe import variants as v

WIB = timezone(timedelta(hours=7))
POSITIVE = ("exact", "chrome", "trimmed", "edited")
NEGATIVE = ("original", "rewrite", "followup")
HOUR = 3600.0
# Natural pairs this close are ambiguous (republished with a new headline, or sharing whole
# background paragraphs): we cannot say if they are one story, so only the first is kept.
AMBIGUOUS_JACCARD = 0.2
AMBIGUOUS_CONTAINMENT = 0.5
Row = dict[str, Any]


@dataclass(frozen=True)
class Item:
    """One article of the evaluation stream, with its gold story and how it was made."""

    id: str
    text: str
    published_at: datetime
    cluster: str
    kind: str
    order: float


@dataclass
class Counts:
    """Item-level tallies: a duplicate counts as found only if it names its own story."""

    n: int = 0
    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _shingles(text: str) -> set[tuple[str, ...]]:
    w = tokens(text)
    return {tuple(w[i : i + 3]) for i in range(max(len(w) - 2, 1))}


def base_pool(rows: list[Row]) -> tuple[list[Row], list[Row], list[tuple[Row, Row]]]:
    """First occurrence of each URL that is not ambiguous, the same-URL repeats, and the
    (kept, left out) pairs of stories that overlap too much to have a gold answer."""
    firsts: dict[str, dict[str, Any]] = {}
    repeats: list[dict[str, Any]] = []
    for row in rows:
        if row["url"] in firsts:
            repeats.append({**row, "of": firsts[row["url"]]["id"]})
        else:
            firsts[row["url"]] = row
    kept: list[tuple[dict[str, Any], set[tuple[str, ...]]]] = []
    left_out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in firsts.values():
        mine = _shingles(row["text"])
        near = next((other for other, theirs in kept if _ambiguous(mine, theirs)), None)
        if near is None:
            kept.append((row, mine))
        else:
            left_out.append((near, row))
    bases = [row for row, _ in kept]
    ids = {row["id"] for row in bases}
    return bases, [r for r in repeats if r["of"] in ids], left_out


def _ambiguous(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> bool:
    inter = len(a & b)
    if not inter:
        return False
    jaccard = inter / len(a | b)
    return jaccard >= AMBIGUOUS_JACCARD or inter / min(len(a), len(b)) >= AMBIGUOUS_CONTAINMENT


def build_stream(
    bases: Sequence[dict[str, Any]],
    repeats: Sequence[dict[str, Any]],
    donors: Sequence[dict[str, Any]],
    seed: int,
    harder: float = 1.0,
) -> list[Item]:
    """Originals in random order, each copy somewhere after its original (fixed seed).

    `harder` scales the damage: the share of words edited (7%) and of sentences dropped
    (15-25%), to see how much room the thresholds leave.
    """
    rng = random.Random(seed)
    vocabulary = sorted({w for row in bases for w in tokens(row["text"]) if len(w) > 3})
    titles = [row["title"] for row in donors]
    pools = _desks(donors, rng)
    items: list[Item] = []
    by_id: dict[str, Item] = {}
    for row in bases:
        item = Item(row["id"], row["text"], _when(row), row["id"], "original", rng.random())
        items.append(item)
        by_id[row["id"]] = item
    for row in repeats:
        base = by_id[row["of"]]
        items.append(replace(base, id=row["id"], kind="exact", order=_later(base, rng)))
    for row in bases:
        base = by_id[row["id"]]
        made: dict[str, Callable[[str], str]] = {
            "chrome": lambda t: v.reprint_with_chrome(t, rng, titles),
            "trimmed": lambda t: v.trimmed(t, rng, 0.15 * harder, 0.25 * harder),
            "edited": lambda t: v.edited(t, rng, vocabulary, 0.07 * harder),
        }
        for kind, make in made.items():
            if rng.random() < 0.5:
                text = make(base.text)
                items.append(_copy(base, f"{base.id}~{kind}", text, kind, rng, base.cluster))
        items += _rewrites(base, pools.get(row["topic_label"], []), rng)
    return sorted(items, key=lambda item: item.order)


def _desks(donors: Sequence[dict[str, Any]], rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """The donor stories by topic, each topic's in random order."""
    pools: dict[str, list[dict[str, Any]]] = {}
    for row in donors:
        pools.setdefault(row["topic_label"], []).append(row)
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def _rewrites(base: Item, desk: list[dict[str, Any]], rng: random.Random) -> list[Item]:
    """A rewrite and a follow-up of `base`, each half the time, from donor bodies of its topic."""
    items: list[Item] = []
    for kind, keep in (("rewrite", 0.0), ("followup", 1 / 3)):
        if desk and rng.random() < 0.5:
            # Each donor body is used once: two rewrites sharing one would be true copies.
            rewritten = v.rewrite(base.text, desk.pop()["text"], rng, keep)
            if rewritten is not None:
                rid = f"{base.id}~{kind}"
                items.append(_copy(base, rid, rewritten, kind, rng, rid))
    return items


def _when(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["published_local_wib"]).replace(tzinfo=WIB)


def _later(base: Item, rng: random.Random) -> float:
    return base.order + rng.random() * (1.0 - base.order)


def _copy(base: Item, new_id: str, text: str, kind: str, rng: random.Random, cluster: str) -> Item:
    published = base.published_at + timedelta(seconds=rng.uniform(0.5 * HOUR, 72 * HOUR))
    return Item(new_id, text, published, cluster, kind, _later(base, rng))


def through_clean(items: Sequence[Item]) -> tuple[list[Item], int]:
    """Each item's text as the clean stage leaves it (kept raw when refused), and refusals."""
    from schemas.models import RawArticle
    from streams.stages.clean import clean

    out, refused = [], 0
    for item in track(items, description="   clean", transient=True, console=_err):
        raw = RawArticle(id=item.id, text=item.text, published_at=item.published_at.isoformat())
        result = clean(raw)
        refused += not hasattr(result, "fingerprint")
        out.append(replace(item, text=getattr(result, "text", item.text)))
    return out, refused


def run(items: Sequence[Item], config: Config, label: str) -> list[Verdict]:
    """Judge each item against those before it, as `warta process --dedupe` does."""
    index = DedupeIndex(config)
    return [
        index.check_and_add(item)
        for item in track(items, description=f"{label:>8}", transient=True, console=_err)
    ]


def score(items: Sequence[Item], verdicts: Sequence[Verdict]) -> dict[str, Counts]:
    """Tallies per kind of item and overall ("all")."""
    cluster = {item.id: item.cluster for item in items}
    seen: set[str] = set()
    out: dict[str, Counts] = {}
    for item, verdict in zip(items, verdicts, strict=True):
        gold = item.cluster in seen
        seen.add(item.cluster)
        right = verdict.duplicate_of is not None and cluster[verdict.duplicate_of] == item.cluster
        for key in (item.kind, "all"):
            c = out.setdefault(key, Counts())
            c.n += 1
            c.positives += gold
            c.tp += gold and right
            c.fn += gold and not right
            c.fp += verdict.is_duplicate and not right
    return out


_err = Console(stderr=True)


def scenarios(items: Sequence[Item]) -> Iterable[tuple[str, list[Item]]]:
    """One stream per kind of copy among all originals and rewrites, then everything at once."""
    for kind in POSITIVE:
        yield kind, [i for i in items if i.kind in (kind, *NEGATIVE)]
    yield "all", list(items)


def report(split: str, items: Sequence[Item], config: Config, console: Console) -> bool:
    """Print per-scenario precision/recall/F1 and false alarms; True when targets hold."""
    table = Table(title=f"dedupe on {split}: {len(items)} items", title_justify="left")
    for col in ("stream", "items", "dups", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(col, justify="right" if col != "stream" else "left")
    ok = True
    last: tuple[list[Item], list[Verdict]] = ([], [])
    for name, stream in scenarios(items):
        verdicts = run(stream, config, name)
        c = score(stream, verdicts)["all"]
        ok = ok and c.precision >= 0.98 and c.recall >= 0.95
        table.add_row(name, *map(str, (c.n, c.positives, c.tp, c.fp, c.fn)), *_pct(c))
        last = (stream, verdicts)
    console.print(table)
    by_kind = score(*last)
    kinds = Counter((i.kind, vd.kind) for i, vd in zip(*last, strict=True))
    for kind in (*POSITIVE, *NEGATIVE):
        c = by_kind.get(kind, Counts())
        verdict_mix = ", ".join(f"{k}={kinds[(kind, k)]}" for k in ("unique", "exact", "near"))
        console.print(f"  {kind:>8}: n={c.n} TP={c.tp} FP={c.fp} FN={c.fn}  ({verdict_mix})")
    return ok


def _score_all(items: Sequence[Item], verdicts: Sequence[Verdict]) -> Counts:
    return score(items, verdicts)["all"]


def _pct(c: Counts) -> list[str]:
    return [f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"]


def splits(
    bases: list[dict[str, Any]], seed: int
) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Half the stories for tuning (dev), half for reporting (test); donors from the other half."""
    shuffled = sorted(bases, key=lambda r: r["id"])
    random.Random(seed).shuffle(shuffled)
    half = len(shuffled) // 2
    dev, test = shuffled[:half], shuffled[half:]
    return {"dev": (dev, test), "test": (test, dev)}


_DEFAULT = Config()


@click.command("dedupe")
@click.argument("data_dir", type=click.Path(path_type=Path), default=Path("../shared/data"))
@click.option(
    "--split",
    "which",
    type=click.Choice(["dev", "test", "both"]),
    default="test",
    show_default=True,
)
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--harder",
    default=1.0,
    show_default=True,
    help="Scale the edits (7% of words) and the cuts (15-25% of sentences) of the copies.",
)
@click.option("--clean", "use_clean", is_flag=True, help="Run the clean stage on each text first.")
@click.option(
    "--stream",
    "on_stream",
    is_flag=True,
    help="Also push the set (all kinds at once) through the real embedded broker as one "
    "shuffled burst, with each --workers count, beside the offline figures.",
)
@click.option("--workers", default="1,2,4", show_default=True, help="Worker counts for --stream.")
@click.option("--limit", type=int, default=None, help="Only the first N items (--stream).")
@click.option(
    "--paced", is_flag=True, help="--stream one item at a time, each after the last verdict."
)
@click.option("--shingle", default=_DEFAULT.shingle, show_default=True)
@click.option("--num-perm", default=_DEFAULT.num_perm, show_default=True)
@click.option("--bands", default=_DEFAULT.bands, show_default=True)
@click.option("--rows", default=_DEFAULT.rows, show_default=True)
@click.option("--jaccard", default=_DEFAULT.thresholds.jaccard, show_default=True)
@click.option("--containment", default=_DEFAULT.thresholds.containment, show_default=True)
@click.option("--floor", default=_DEFAULT.thresholds.floor, show_default=True)
@click.option("--ratio", default=_DEFAULT.thresholds.ratio, show_default=True)
def command(
    data_dir: Path,
    which: str,
    seed: int,
    harder: float,
    use_clean: bool,
    on_stream: bool,
    workers: str,
    limit: int | None,
    paced: bool,
    **shape: Any,
) -> None:
    """Precision, recall and F1 of dedupe on generated copies of DATA_DIR's Indonesian news."""
    path = data_dir / "indonesian-news" / "detik_dev.jsonl"
    if not path.is_file():
        click.echo(f"dedupe evaluation skipped: {path} not found")
        sys.exit(0)
    limits = Thresholds(**{k: shape.pop(k) for k in ("jaccard", "containment", "floor", "ratio")})
    config = Config(thresholds=limits, **shape)
    console = Console()
    rows = load(path)
    bases, repeats, left_out = base_pool(rows)
    console.print(
        f"{len(rows)} lines: {len(bases)} stories, {len(repeats)} same-URL repeats, "
        f"{len(left_out)} left out as ambiguous near copies of an earlier story; {config}"
    )
    flagged = sum(
        match(
            signature(a["text"], shingle=config.shingle),
            signature(b["text"], shingle=config.shingle),
            limits,
        )
        is not None
        for a, b in left_out
    )
    console.print(
        f"  of those {len(left_out)} natural pairs (no gold), {flagged} judged duplicates"
    )
    ok = True
    for name, (mine, donors) in splits(bases, seed).items():
        if which in (name, "both"):
            ids = {r["id"] for r in mine}
            own = [r for r in repeats if r["of"] in ids]
            items = build_stream(mine, own, donors, seed + (name == "test"), harder)
            if on_stream:
                from streams.evaluate.dedupe_stream import report_stream

                counts = [int(w) for w in workers.split(",")]
                raw = items[:limit]
                cleaned, _ = through_clean(raw)
                offline = score(cleaned, run(cleaned, config, "offline"))["all"]
                ok = (
                    report_stream(
                        f"{name}, {'paced' if paced else 'one burst'}: {len(raw)} items",
                        raw,
                        offline,
                        partial(_score_all, cleaned),
                        counts,
                        seed,
                        console,
                        paced,
                    )
                    and ok
                )
                continue
            if use_clean:
                items, refused = through_clean(items)
                console.print(f"clean stage: {refused} of {len(items)} texts refused (kept raw)")
            ok = report(name, items, config, console) and ok
    console.print("targets (precision >= 0.98, recall >= 0.95):", "met" if ok else "NOT met")


if __name__ == "__main__":
    command()
