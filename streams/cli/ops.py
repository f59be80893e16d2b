"""Operator commands: search, show, replay, dlq list/redrive, schema asyncapi, completion."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import orjson
import sqlalchemy as sa
from click.shell_completion import get_completion_class
from rich.console import Console
from rich.progress import Progress

from schemas import RawArticle
from streams.cli.common import UserError, require_broker
from streams.cli.io import read_articles
from streams.ops import asyncapi as asyncapi_doc
from streams.ops import replay as rp
from streams.runtime.dlq import read_letters, redrive
from streams.settings import Settings, get_settings
from streams.stages.tag import RulesError, load_rules
from streams.store import Store, redact
from streams.store.search import MARK
from streams.store.search import search as run_search

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DB_HINT = "check WARTA_DATABASE_URL, or start `warta run` to create and fill the database"


def plain(value: Any) -> str:
    """Text safe for a terminal: control characters (escape sequences) removed."""
    return _CONTROL.sub("", "" if value is None else str(value))


def _json(data: Any) -> None:
    click.echo(orjson.dumps(data).decode())


def _progress() -> Progress:
    return Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty())


def open_store(settings: Settings) -> Store:
    """The configured database, checked readable; user errors become one line and a hint."""
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not path.exists():
            raise UserError(f"no database at {path}", DB_HINT)
    store = Store(url)
    try:
        with store.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1 FROM articles LIMIT 1"))
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise UserError(f"cannot read the database {redact(url)}: {reason}", DB_HINT) from None
    return store


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True, help="How many articles to show.")
@click.option("--lang", default=None, help="Only articles in this language (ISO 639-1, e.g. id).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search(query: tuple[str, ...], limit: int, lang: str | None, as_json: bool) -> None:
    """Search stored articles (full text; every word must match)."""
    store = open_store(get_settings())
    hits = run_search(store.engine, " ".join(query), limit, lang)
    for hit in hits:
        if as_json:
            _json(hit.as_dict())
            continue
        click.echo(click.style(plain(hit.title) or "(untitled)", bold=True) + f"  [{hit.id}]")
        click.echo(
            f"  {plain(hit.source) or '-'} | {hit.language or '-'} | {hit.published_at or '-'}"
        )
        snippet = plain(hit.snippet).replace(MARK[0], "\x1b[1m" if sys.stdout.isatty() else "")
        click.echo("  " + snippet.replace(MARK[1], "\x1b[0m" if sys.stdout.isatty() else ""))
    if not hits and not as_json:
        click.echo("no stored article matches", err=True)
        sys.exit(1)


def _article(word: str) -> str:
    """`word` with its indefinite article: an exact, a near."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _show_article(data: dict[str, Any]) -> Iterator[str]:
    language = data.get("language") or {}
    yield click.style(plain(data.get("title")) or "(untitled)", bold=True)
    meta = [data.get("source"), language.get("code"), data.get("published_at")]
    meta.append(", ".join(data.get("authors") or []))
    yield " | ".join(plain(m) for m in meta if m)
    if data.get("url"):
        yield plain(data["url"])
    for label, key, show in (
        ("topics", "topics", lambda t: f"{t['label']} ({t['score']:.2f})"),
        ("entities", "entities", lambda e: f"{e['text']} [{e['type']}]"),
        ("places", "places", lambda p: f"{p['name']} {p['country_code']}"),
        ("keywords", "keywords", lambda k: k["text"]),
        ("tags", "tags", str),
    ):
        items = data.get(key) or []
        if items:
            yield click.style(f"{label}: ", fg="cyan") + plain(", ".join(show(i) for i in items))
    if data.get("summary"):
        yield click.style("summary: ", fg="cyan") + plain(data["summary"])
    yield ""
    yield plain(data.get("text"))
    yield ""
    versions = data.get("versions") or {}
    yield click.style("versions: ", dim=True) + plain(
        ", ".join(f"{k} {v}" for k, v in versions.items())
    )


@click.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the stored message as JSON.")
def show(article_id: str, as_json: bool) -> None:
    """Show one stored article (or say which article it duplicates)."""
    store = open_store(get_settings())
    data = store.article(article_id)
    if data is None:
        dup = store.duplicate(article_id)
        if dup is None:
            raise UserError(f"no stored article {article_id!r}", "find ids with `warta search`")
        if as_json:
            _json({"duplicate": dup, "story": store.story(article_id)})
            return
        click.echo(
            f"{article_id} is {_article(dup['kind'])} duplicate of {dup['duplicate_of']} "
            f"(similarity {float(dup['similarity']):.2f}); `warta show {dup['duplicate_of']}`"
        )
        click.echo("\n".join(_show_story(store.story(article_id), article_id)))
        return
    story = store.story(article_id)
    if as_json:
        _json({**data, "story": story})
        return
    click.echo("\n".join([*_show_article(data), *_show_story(story, article_id)]))


def _show_story(story: dict[str, Any] | None, article_id: str) -> Iterator[str]:
    """The other outlets that ran the story: source, URL, kind, similarity and time."""
    others = [m for m in (story or {}).get("members", []) if m["id"] != article_id]
    if not others:
        return
    outlets = (story or {}).get("outlets", 0)
    yield click.style(f"story: {len(others) + 1} articles, {outlets} outlets", fg="cyan")
    for m in others:
        sim = "" if m["kind"] == "canonical" else f" {float(m['similarity']):.2f}"
        when = plain(m.get("published_at")) or ""
        yield f"  {plain(m.get('source')) or '?'}  {m['kind']}{sim}  {when}  {plain(m.get('url'))}"


@click.command()
@click.argument("raw", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-n", "--limit", type=int, default=None, help="Replay at most N stored articles.")
@click.option("--write", is_flag=True, help="Store the new versions of the changed articles.")
@click.option("--rules", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def replay(
    raw: Path | None, limit: int | None, write: bool, rules: Path | None, as_json: bool
) -> None:
    """Re-run the stages with the current versions and report what changes.

    Without RAW, enrich and tag run again over every stored article (their clean part);
    with RAW (JSONL of RawArticle), clean, enrich and tag run over it and each result is compared
    with the stored article of the same id.
    """
    settings = get_settings()
    store = open_store(settings)
    rules_path = rules or settings.rules_path
    try:
        rule_set = load_rules(rules_path) if rules_path is not None else None
    except RulesError as exc:
        raise UserError(str(exc), "fix the rules file") from None
    if raw is None:
        total = min(store.counts()["articles"], limit or sys.maxsize)
        items = rp.stored_items(rp.stored_rows(store.engine, limit), rule_set)
    else:
        articles = list(_raw_articles(raw))
        total = len(articles)
        items = rp.raw_items(articles, store.article, rule_set)
    with _progress() as progress:
        task = progress.add_task("replaying", total=total)
        report, changed = rp.replay(items, lambda: progress.advance(task))
    if write and changed:
        for start in range(0, len(changed), 200):
            store.upsert_articles(changed[start : start + 200])
    summary = report.as_dict()
    summary["written"] = len(changed) if write else 0
    if as_json:
        _json(summary)
    else:
        click.echo("\n".join(_report_lines(summary)))


def _raw_articles(path: Path) -> Iterator[RawArticle]:
    for where, item in read_articles(path):
        if isinstance(item, str):
            click.echo(f"skipped {where}: {item}", err=True)
        else:
            yield item


def _change_text(example: dict[str, Any]) -> str:
    if "added" in example:
        parts = [f"+ {v}" for v in example["added"]] + [f"- {v}" for v in example["removed"]]
        return "; ".join(parts) or "same items, new order"
    return f"{example['old']} -> {example['new']}"


def _report_lines(summary: dict[str, Any]) -> Iterator[str]:
    yield (
        f"replayed {summary['total']}: {summary['changed']} changed, "
        f"{summary['unchanged']} unchanged, {summary['not_stored']} not stored, "
        f"{len(summary['rejected'])} rejected"
    )
    for name, entry in summary["fields"].items():
        yield click.style(f"  {name}: {entry['count']}", bold=True)
        for example in entry["examples"]:
            yield f"    {plain(example['id'])}: {plain(_change_text(example))}"
    for item in summary["rejected"][:5]:
        yield f"  rejected {plain(item['id'])}: {item['reason']}"
    if summary["written"]:
        yield f"wrote {summary['written']} new version(s) to the database"
    elif summary["changed"]:
        yield "nothing written; add --write to store the new versions"


@click.group()
def schema() -> None:
    """Machine-readable descriptions of warta's topics and messages."""


@schema.command("asyncapi")
@click.option("--check", is_flag=True, help="Only report whether schemas/asyncapi.yaml is stale.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the document instead of writing.")
def asyncapi(check: bool, to_stdout: bool) -> None:
    """Write schemas/asyncapi.yaml (AsyncAPI 3.0) from the message models and topics."""
    if to_stdout:
        click.echo(asyncapi_doc.rendered(), nl=False)
    elif check:
        if asyncapi_doc.stale():
            raise UserError(f"{asyncapi_doc.OUT} is stale", "run `warta schema asyncapi`")
        click.echo(f"{asyncapi_doc.OUT} is up to date")
    else:
        changed = asyncapi_doc.write()
        click.echo(f"{'wrote' if changed else 'unchanged:'} {asyncapi_doc.OUT}")


@click.group()
def dlq() -> None:
    """Inspect and redrive the dead letters in articles.dlq."""


def _letters(settings: Settings, reason: str | None, stage: str | None) -> list[Any]:
    require_broker(settings)
    return asyncio.run(
        read_letters(settings.bootstrap_servers, reason, stage, settings.max_message_bytes + 65536)
    )


@dlq.command("list")
@click.option("--reason", default=None, help="Only this reason (e.g. no_content).")
@click.option("--stage", default=None, help="Only this stage (clean, enrich, tag, dedupe, store).")
@click.option("--json", "as_json", is_flag=True, help="One JSON dead letter per line.")
def dlq_list(reason: str | None, stage: str | None, as_json: bool) -> None:
    """List the dead letters now in articles.dlq, with a count per reason."""
    letters = _letters(get_settings(), reason, stage)
    counts: dict[str, int] = {}
    for item in letters:
        letter = item.letter
        counts[letter.reason] = counts.get(letter.reason, 0) + 1
        if as_json:
            _json(
                {
                    "partition": item.partition,
                    "offset": item.offset,
                    **letter.model_dump(mode="json"),
                }
            )
        else:
            click.echo(
                f"{item.partition}:{item.offset} {letter.received_at:%Y-%m-%d %H:%M:%S} "
                f"{letter.stage}/{letter.reason} key={plain(letter.key)} "
                f"{plain(letter.error)[:120]}"
            )
    if not as_json:
        summary = ", ".join(f"{r} {n}" for r, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        click.echo(f"{len(letters)} dead letter(s)" + (f": {summary}" if summary else ""), err=True)


@dlq.command("redrive")
@click.option("--reason", default=None, help="Only letters with this reason.")
@click.option("--stage", default=None, help="Only letters from this stage.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent, send nothing.")
def dlq_redrive(reason: str | None, stage: str | None, dry_run: bool) -> None:
    """Send dead letters' original messages back to articles.raw (after a fix), keys kept."""
    settings = get_settings()
    letters = _letters(settings, reason, stage)
    if dry_run or not letters:
        click.echo(
            f"would redrive {len(letters)} dead letter(s)" if dry_run else "no dead letters match"
        )
        return
    with _progress() as progress:
        task = progress.add_task("redriving", total=len(letters))
        done = asyncio.run(
            redrive(
                settings.bootstrap_servers,
                letters,
                settings.max_message_bytes,
                lambda: progress.advance(task),
                settings.data_dir,
            )
        )
    for item, why in done.refused:
        click.echo(
            f"refused {item.partition}:{item.offset} key={plain(item.letter.key)}: {why}; "
            "it was not sent (a truncated message would come back as invalid_json)",
            err=True,
        )
    click.echo(
        f"redrove {done.sent} message(s) to articles.raw"
        + (f", {done.skipped} had no payload" if done.skipped else "")
        + (f", refused {len(done.refused)} whose original is not whole" if done.refused else "")
    )
    if done.refused:
        sys.exit(1)


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script: eval "$(warta completion bash)"."""
    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click ships all three
        raise UserError(f"no completion for {shell}")
    # The root command is the `warta` group this command is registered on (no import of it).
    root = ctx.find_root().command
    click.echo(cls(root, {}, "warta", "_WARTA_COMPLETE").source())


COMMANDS = (search, show, replay, schema, dlq, completion)
