"""The worker's web server: dashboard at /, SSE, Prometheus /metrics and the ingestion API."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import faust
from faust.web import View

from streams.core import topics
from streams.runtime import metrics
from streams.runtime.agents.store import store as shared_store
from streams.runtime.lag import LagReader
from streams.runtime.topics import raw_topic
from streams.runtime.web.feed import Feed
from streams.runtime.web.follow import follow
from streams.runtime.web.guard import exposure_warning, guard, quiet_malformed_requests
from streams.runtime.web.stats import stage_totals
from streams.runtime.web.views import Handler, WebContext, handlers
from streams.settings import Settings, get_settings

log = logging.getLogger(__name__)

__all__ = ["Feed", "WebContext", "count_stored", "register", "update_lag"]

LAG_INTERVAL = 5.0
SAMPLE_INTERVAL = 2.0
COUNT_INTERVAL = 10.0
# faust's own index (and debug statistics) would claim "/"; warta's dashboard lives there.
_FAUST_ROOT_BLUEPRINTS = ("production_index", "apps.stats")


def _view(name: str, methods: dict[str, Handler]) -> type[View]:
    def bind(handler: Handler) -> Any:
        async def method(self: View, request: Any, **match: str) -> Any:
            return await handler(request, **match)

        return method

    return type(name, (View,), {m.lower(): bind(h) for m, h in methods.items()})


def _free_root(app: faust.App) -> None:
    manager = app.web.blueprints
    # BlueprintManager has no public removal; it is applied only when the server starts.
    manager._enabled = [  # noqa: SLF001
        (prefix, bp)
        for prefix, bp in manager._enabled  # noqa: SLF001
        if not any(part in str(bp) for part in _FAUST_ROOT_BLUEPRINTS)
    ]


def default_context(settings: Settings) -> WebContext:
    """The context of a worker: the store its agents share and its producer for articles.raw."""

    async def send(records: Sequence[tuple[bytes, bytes]]) -> None:
        pending = [await raw_topic.send(key=key, value=value) for key, value in records]
        await asyncio.gather(*pending)

    return WebContext(settings=settings, store=shared_store, send=send)


def register(app: faust.App, context: WebContext | None = None) -> WebContext:
    """Serve the dashboard, /metrics and the API from `app`, and start their timers."""
    ctx = context or default_context(get_settings())
    if (warning := exposure_warning(ctx.settings)) is not None:
        log.warning(warning)
    _free_root(app)
    by_path: dict[str, dict[str, Handler]] = {}
    for (method, path), handler in handlers(ctx).items():
        by_path.setdefault(path, {})[method] = handler
    for number, (path, methods) in enumerate(by_path.items()):
        name = f"warta_web_{number}"
        app.page(path, name=name)(_view(name, methods))
    # Open SSE streams end when the server stops, so a stop never waits on a browser tab.
    aiohttp_app: Any = getattr(app.web, "web_app", None)
    if aiohttp_app is not None:
        # Every request passes the guard first: own Host names only, no cross-site writes,
        # and faust's own pages (tables, router) are never served.
        aiohttp_app.middlewares.append(guard(ctx.settings, by_path))
        quiet_malformed_requests()
        aiohttp_app.on_shutdown.append(lambda _: _close(ctx))

    async def sample() -> None:
        ctx.feed.sample(time.time(), stage_totals())

    settings = ctx.settings
    # The embedded broker's admin replies make aiokafka log a traceback; skip straight past them.
    reader = LagReader(
        settings.bootstrap_servers,
        settings.app_id,
        list(topics.CONSUMED),
        admin=not settings.embedded,
        last_batch=settings.embedded,
    )

    async def lag() -> None:
        await update_lag(reader)

    async def feed() -> None:
        await follow(ctx.feed, ctx.settings.bootstrap_servers, ctx.settings.max_message_bytes)

    async def count() -> None:
        await count_stored(ctx)

    app.timer(SAMPLE_INTERVAL, name="warta_web_sample")(sample)
    app.timer(COUNT_INTERVAL, name="warta_web_count")(count)
    app.timer(LAG_INTERVAL, name="warta_web_lag")(lag)
    app.task(feed)
    return ctx


async def _close(ctx: WebContext) -> None:
    ctx.closing.set()


async def count_stored(ctx: WebContext) -> None:
    """Refresh how many articles and duplicates the database holds (what has landed)."""
    try:
        counts = await asyncio.to_thread(lambda: ctx.store().counts())
        # Table names arrive as SQLAlchemy's str subclass, which orjson refuses as keys.
        ctx.feed.stored = {str(name): int(n) for name, n in counts.items()}
    except Exception as exc:  # the dashboard shows the last known counts meanwhile
        log.debug("cannot count stored articles: %s", exc)


async def update_lag(reader: LagReader) -> None:
    """Set warta_consumer_lag from the group's committed offsets; a failure is only logged."""
    try:
        lag = await asyncio.wait_for(reader.read(), 15.0)
    except Exception as exc:  # lag is informative; never stop the worker for it
        log.debug("consumer lag unavailable: %s", exc)
        return
    for topic, value in lag.items():
        metrics.LAG.labels(topic).set(value)
