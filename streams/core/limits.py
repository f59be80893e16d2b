"""Limits for pathological input: a cheap HTML screen before parsing, a time limit on a stage."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from schemas import CleanArticle, RawArticle, Rejection
from streams.settings import Settings

T = TypeVar("T")
R = TypeVar("R")

# One tag, up to the next `<` or `>`: `[^<>]` keeps the scan linear on hostile input.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,31})[^<>]*")
# Elements that never hold children, and those whose end tag pages routinely omit: neither
# may count as an open level, or ordinary old-style pages would look deep.
_NO_DEPTH = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "rt",
        "rp",
    ]
)


@dataclass(frozen=True)
class HtmlLimits:
    """What a page may have before it is refused as `pathological_html`."""

    max_depth: int = 256
    max_tags: int = 50_000
    max_tag_bytes: int = 256 * 1024


def limits_of(settings: Settings) -> HtmlLimits:
    """The HTML limits the `WARTA_HTML_*` settings ask for."""
    return HtmlLimits(
        max_depth=settings.html_max_depth,
        max_tags=settings.html_max_tags,
        max_tag_bytes=settings.html_max_tag_bytes,
    )


def screen_html(html: str, limits: HtmlLimits) -> Rejection | None:
    """A rejection when the page is too deep, has too many tags or a giant tag; else None.

    libxml2 stops building the tree at depth 256 (the body is silently lost), and the
    extractor's time grows fast with tag count and tag size, so such pages are refused up front.
    """
    depth = deepest = tags = 0
    for match in _TAG.finditer(html):
        tags += 1
        if tags > limits.max_tags:
            return _refuse(f"more than {limits.max_tags} tags")
        size = match.end() - match.start()
        if size > limits.max_tag_bytes:
            return _refuse(f"a tag of {size} bytes (limit {limits.max_tag_bytes})")
        name = match.group(2).lower()
        if name in _NO_DEPTH or match.group(0).endswith("/"):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest > limits.max_depth:
        return _refuse(f"elements nested {deepest} deep (limit {limits.max_depth})")
    return None


def screen(raw: RawArticle, limits: HtmlLimits) -> Rejection | None:
    """Screen a raw article's HTML (text-only articles always pass)."""
    return screen_html(raw.html, limits) if raw.html else None


# Markup that must not reach stored or served text, whatever the stage before let through.
_BLOCK = re.compile(
    r"<\s*(script|style|iframe|object|template)\b.*?(?:<\s*/\s*\1\s*>|$)", re.I | re.S
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)", re.S)
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_OPEN = re.compile(r"</?(?:script|style|iframe|object|svg|img)\b", re.I)


def plain(text: str) -> str:
    """The text with any HTML element, comment or script block removed, and NUL bytes."""
    if "<" not in text and "\x00" not in text:
        return text
    text = _COMMENT.sub("", _BLOCK.sub("", text))
    return _OPEN.sub("", _MARKUP.sub("", text)).replace("\x00", "")


def plain_article(article: CleanArticle) -> CleanArticle | Rejection:
    """The clean article with plain-text fields only (defence in depth after the clean stage)."""
    text = plain(article.text).strip()
    if not text:
        return Rejection(reason="no_content", error="nothing but markup in the body")
    fields = {
        "text": text,
        "title": plain(article.title).strip() or None if article.title else article.title,
        "authors": [a for a in (plain(a).strip() for a in article.authors) if a],
        "captions": [
            c.model_copy(update={"text": plain(c.text).strip()})
            for c in article.captions
            if plain(c.text).strip()
        ],
    }
    changed = {k: v for k, v in fields.items() if v != getattr(article, k)}
    return article.model_copy(update=changed) if changed else article


def _refuse(what: str) -> Rejection:
    return Rejection(reason="pathological_html", error=f"the page has {what}")


class TimeLimit:
    """Runs a blocking function in a daemon thread and gives up on it after `seconds`.

    A thread cannot be killed: one that runs over is abandoned (it ends on its own when its
    work does) and the stream moves on. Daemon threads never hold up the process's exit.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.abandoned = 0

    async def run(self, fn: Callable[[T], R], item: T) -> R | Rejection:
        """`fn(item)`, or a `timeout` rejection when it takes longer than the limit."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[R] = loop.create_future()

        def work() -> None:
            try:
                result = fn(item)
            except BaseException as exc:  # handed to the awaiting coroutine, not lost
                _hand_back(loop, done, None, exc)
            else:
                _hand_back(loop, done, result, None)

        threading.Thread(target=work, name="warta-stage", daemon=True).start()
        try:
            return await asyncio.wait_for(asyncio.shield(done), self.seconds)
        except TimeoutError:
            self.abandoned += 1
            return Rejection(reason="timeout", error=f"gave up after {self.seconds:g} s")


def _hand_back(
    loop: asyncio.AbstractEventLoop,
    fut: asyncio.Future[R],
    result: R | None,
    exc: BaseException | None,
) -> None:
    # An abandoned run can outlive its event loop: then nobody is waiting for it any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, fut, result, exc)


def _settle(fut: asyncio.Future[R], result: R | None, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)  # type: ignore[arg-type]
