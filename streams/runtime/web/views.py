"""HTTP handlers of the worker: dashboard, SSE, /metrics, ingestion, article lookup and search."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson
import sqlalchemy as sa
from aiohttp import web

from schemas import codec
from streams import __version__
from streams.runtime import metrics
from streams.runtime.web.feed import Feed
from streams.runtime.web.ingest import parse_body
from streams.runtime.web.stats import condensed
from streams.settings import Settings
from streams.store import Store
from streams.store.search import entity_facets, search

log = logging.getLogger(__name__)
Sender = Callable[[Sequence[tuple[bytes, bytes]]], Awaitable[None]]
Handler = Callable[..., Awaitable[web.StreamResponse]]

# Scripts and styles only from this server: a title that smuggles markup still cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
STATIC = {"app.js": "text/javascript", "style.css": "text/css", "index.html": "text/html"}
SSE_INTERVAL = 2.0


@dataclass
class WebContext:
    """What the handlers need: settings, the database, a way to produce, the dashboard feed."""

    settings: Settings
    store: Callable[[], Store]
    send: Sender
    feed: Feed = field(default_factory=Feed)
    closing: asyncio.Event = field(default_factory=asyncio.Event)


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response (orjson) with the security headers."""
    return web.Response(
        body=orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS),
        status=status,
        content_type="application/json",
        headers=SECURITY_HEADERS,
    )


def snapshot(ctx: WebContext) -> dict[str, Any]:
    """Everything the dashboard shows, in one JSON-able object."""
    return {**ctx.feed.snapshot(time.time()), "metrics": condensed(), "version": __version__}


def handlers(ctx: WebContext) -> dict[tuple[str, str], Handler]:
    """(method, path) -> handler of every route warta serves."""

    async def index(request: web.Request) -> web.StreamResponse:
        return _asset("index.html")

    async def asset(request: web.Request, name: str = "") -> web.StreamResponse:
        if name not in STATIC or name == "index.html":
            return json_response({"error": "not found"}, 404)
        return _asset(name)

    async def metrics_text(request: web.Request) -> web.StreamResponse:
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def summary(request: web.Request) -> web.StreamResponse:
        return json_response(snapshot(ctx))

    async def events(request: web.Request) -> web.StreamResponse:
        return await _events(ctx, request)

    async def ingest(request: web.Request) -> web.StreamResponse:
        return await _ingest(ctx, request)

    async def article(request: web.Request, id: str = "") -> web.StreamResponse:
        return await _database(_article(ctx, id))

    async def find(request: web.Request) -> web.StreamResponse:
        return await _database(_search(ctx, request))

    return {
        ("GET", "/"): index,
        ("GET", "/static/{name}"): asset,
        ("GET", "/metrics"): metrics_text,
        ("GET", "/api/summary"): summary,
        ("GET", "/api/events"): events,
        ("POST", "/api/articles"): ingest,
        ("GET", "/api/articles/{id}"): article,
        ("GET", "/api/search"): find,
    }


async def _database(handler: Awaitable[web.StreamResponse]) -> web.StreamResponse:
    """Run a handler that reads the database; an unreachable database is a 503, not a crash."""
    try:
        return await handler
    except sa.exc.SQLAlchemyError as exc:
        log.warning("database unavailable for the web API: %s", exc)
        return json_response({"error": "the database is unavailable; try again shortly"}, 503)


def _asset(name: str) -> web.Response:
    body = resources.files("streams.runtime.web").joinpath("static", name).read_bytes()
    return web.Response(
        body=body,
        content_type=STATIC[name],
        charset="utf-8",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )


async def _events(ctx: WebContext, request: web.Request) -> web.StreamResponse:
    """Server-sent events: one `snapshot` event every two seconds until the client leaves."""
    response = web.StreamResponse(
        headers={
            **SECURITY_HEADERS,
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        await response.write(b"retry: 2000\n\n")
        while not ctx.closing.is_set():
            payload = orjson.dumps(snapshot(ctx), option=orjson.OPT_NON_STR_KEYS)
            await response.write(b"event: snapshot\ndata: " + payload + b"\n\n")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.closing.wait(), SSE_INTERVAL)
    return response


async def _read_limited(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is longer than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _ingest(ctx: WebContext, request: web.Request) -> web.StreamResponse:
    """POST /api/articles: validate everything first, then produce to articles.raw; 202 + ids."""
    limit = ctx.settings.max_message_bytes
    body = await _read_limited(request, limit)
    if body is None:
        metrics.INGESTED.labels("too_large").inc()
        error = f"the body exceeds {limit} bytes (WARTA_MAX_MESSAGE_BYTES); send fewer articles"
        return json_response({"error": error}, 413)
    parsed = parse_body(body, limit)
    if parsed.errors:
        metrics.INGESTED.labels("rejected").inc(len(parsed.errors))
        return json_response({"accepted": [], "errors": parsed.errors}, 400)
    records = [((a.id or "").encode(), codec.dumps(a)) for a in parsed.articles]
    try:
        await ctx.send(records)
    except Exception as exc:  # the broker is down: say so, the client may retry
        log.warning("ingestion failed: %s", exc)
        return json_response({"error": f"could not produce to articles.raw: {exc}"}, 503)
    metrics.INGESTED.labels("accepted").inc(len(records))
    return json_response({"accepted": [a.id for a in parsed.articles]}, 202)


async def _article(ctx: WebContext, article_id: str) -> web.StreamResponse:
    """GET /api/articles/{id}: the stored article with its story (every outlet that ran it);
    404 for a duplicate, naming the story's canonical article and listing the story."""
    store = ctx.store()
    data = await asyncio.to_thread(store.article, article_id)
    story = await asyncio.to_thread(store.story, article_id)
    if data is not None:
        return json_response({**data, "story": story})
    duplicate = await asyncio.to_thread(store.duplicate, article_id)
    body: dict[str, Any] = {"error": f"no stored article {article_id!r}"}
    if duplicate is not None:
        body["duplicate_of"] = duplicate.get("duplicate_of")
        body["story"] = story
    return json_response(body, 404)


async def _search(ctx: WebContext, request: web.Request) -> web.StreamResponse:
    """GET /api/search?q=...&limit=&lang=: stored articles matching every word."""
    query = request.query.get("q", "").strip()
    if not query:
        return json_response({"error": "give a query: /api/search?q=words"}, 400)
    try:
        limit = int(request.query.get("limit", "20"))
    except ValueError:
        return json_response({"error": "limit must be a number"}, 400)
    language = request.query.get("lang") or None
    engine = ctx.store().engine
    hits = await asyncio.to_thread(search, engine, query, limit, language)
    # The canonical entities of the hits: one count per person or body however it is written.
    entities = await asyncio.to_thread(entity_facets, engine, [h.id for h in hits])
    body = {"query": query, "hits": [h.as_dict() for h in hits], "entities": entities}
    return json_response(body)
