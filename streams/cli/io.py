"""`warta produce`, `warta tail` and `warta process`: articles in and out."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import Progress

from schemas import RawArticle, Rejection, TaggedArticle, codec
from streams.cli.common import UserError, create_topics, require_broker, summary_line
from streams.core import topics
from streams.core.decode import decode
from streams.core.ids import identify
from streams.core.limits import limits_of
from streams.runtime import clients
from streams.settings import Settings, get_settings
from streams.stages.dedupe import Config, DedupeIndex
from streams.stages.pipeline import process as process_article
from streams.stages.tag import RuleSet, load_rules

SUFFIXES = {".jsonl", ".ndjson", ".json", ".html", ".htm", ".txt"}


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder", "check the path")
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    return found


def read_articles(path: Path) -> Iterator[tuple[str, RawArticle | str]]:
    """(where, article or error) for each article in a JSONL, HTML or text file."""
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        yield str(path), RawArticle(html=path.read_text("utf-8", "replace"))
    elif suffix == ".txt":
        yield str(path), RawArticle(text=path.read_text("utf-8", "replace"))
    else:
        with path.open("rb") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    item = decode(RawArticle, line, 1 << 40)
                    where = f"{path}:{number}"
                    yield (
                        where,
                        f"{item.reason}: {item.error}" if isinstance(item, Rejection) else item,
                    )


def produce_paths(
    settings: Settings, paths: list[Path], show_progress: bool = True
) -> tuple[int, int]:
    """Push every article found in `paths` into articles.raw; returns (sent, refused)."""
    files = _files(paths)
    return asyncio.run(_produce(settings, files, show_progress))


async def _produce(settings: Settings, files: list[Path], show_progress: bool) -> tuple[int, int]:
    producer = clients.producer(settings)
    await producer.start()
    sent = refused = 0
    try:
        # A disabled rich Progress still hides and shows the cursor: skip it entirely.
        console = None if show_progress else Console(file=io.StringIO())
        with Progress(transient=True, console=console) as progress:
            task = progress.add_task("producing", total=len(files))
            for path in files:
                for where, item in read_articles(path):
                    if isinstance(item, str):
                        refused += 1
                        click.echo(f"skipped {where}: {item}", err=True)
                        continue
                    article = identify(item)
                    await producer.send(
                        topics.RAW, key=(article.id or "").encode(), value=codec.dumps(article)
                    )
                    sent += 1
                progress.advance(task)
        await producer.flush()
    finally:
        await producer.stop()
    return sent, refused


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def produce(paths: tuple[Path, ...]) -> None:
    """Push articles (JSONL of RawArticle, .html or .txt files, or folders) into articles.raw."""
    settings = get_settings()
    require_broker(settings)
    create_topics(settings)
    sent, refused = produce_paths(settings, list(paths))
    click.echo(
        f"produced {sent} article(s) to {topics.RAW}" + (f", skipped {refused}" if refused else "")
    )
    if refused:
        sys.exit(1)


@click.command()
@click.argument("topic", default=topics.UNIQUE)
@click.option("--json", "as_json", is_flag=True, help="Print each message as one JSON line.")
@click.option("--from-beginning/--from-now", default=True, show_default=True)
@click.option("-n", "--limit", type=int, default=None, help="Stop after N messages.")
@click.option(
    "--idle-exit", type=float, default=None, help="Stop after N seconds without messages."
)
def tail(
    topic: str, as_json: bool, from_beginning: bool, limit: int | None, idle_exit: float | None
) -> None:
    """Follow TOPIC (default articles.unique) and print its messages readably."""
    settings = get_settings()
    require_broker(settings)
    if topic not in topics.PUBLIC and topic not in topics.INTERNAL:
        raise UserError(f"unknown topic {topic!r}", "one of: " + ", ".join(topics.PUBLIC))
    asyncio.run(_tail(settings, topic, as_json, from_beginning, limit, idle_exit))


async def _tail(
    settings: Settings,
    topic: str,
    as_json: bool,
    from_beginning: bool,
    limit: int | None,
    idle: float | None,
) -> None:
    consumer = clients.follower(settings, topic, from_beginning=from_beginning)
    await consumer.start()
    seen, quiet = 0, 0.0
    try:
        while limit is None or seen < limit:
            batch = await consumer.getmany(timeout_ms=500)
            quiet = 0.0 if batch else quiet + 0.5
            if idle is not None and quiet >= idle:
                break
            for messages in batch.values():
                for m in messages:
                    value = m.value or b""
                    click.echo(
                        value.decode("utf-8", "replace")
                        if as_json
                        else summary_line(topic, value, m.key)
                    )
                    seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        await consumer.stop()


@click.command()
@click.argument("source", default="-", type=click.File("rb"))
@click.option(
    "-o", "--output", default="-", type=click.File("wb"), help="Output JSONL (default stdout)."
)
@click.option("--dedupe", is_flag=True, help="Judge each article against the lines before it.")
def process(source: IO[bytes], output: IO[bytes], dedupe: bool) -> None:
    """Clean, enrich and tag JSONL offline: one output line per input line, in order."""
    settings = get_settings()
    index = _dedupe_index(settings) if dedupe else None
    rules = load_rules(settings.rules_path) if settings.rules_path else None
    for line in source:
        if not line.strip():
            continue
        output.write(codec.dumps(process_line(line, settings, index, rules)) + b"\n")
    output.flush()


def _dedupe_index(settings: Settings) -> DedupeIndex:
    return DedupeIndex(Config(window=timedelta(days=settings.dedupe_window_days)))


def process_line(
    line: bytes,
    settings: Settings,
    index: DedupeIndex | None = None,
    rules: RuleSet | None = None,
) -> dict[str, Any]:
    """The output object for one input line: the tagged article or its rejection."""
    raw = decode(RawArticle, line, settings.max_message_bytes)
    article_id = None
    if not isinstance(raw, Rejection):
        raw = identify(raw)
        article_id = raw.id
        result: TaggedArticle | Rejection = process_article(raw, rules, limits_of(settings))
    else:
        result = raw
    if isinstance(result, Rejection):
        return {"id": article_id, "rejected": {"reason": result.reason, "error": result.error}}
    if index is None:
        return result.model_dump(mode="json")
    verdict = index.check_and_add(result)
    out = result.model_copy(update={"cluster_id": verdict.cluster_id}).model_dump(mode="json")
    out["duplicate"] = (
        None
        if verdict.duplicate_of is None
        else {
            "duplicate_of": verdict.duplicate_of,
            "kind": verdict.kind,
            "similarity": verdict.similarity,
        }
    )
    return out
