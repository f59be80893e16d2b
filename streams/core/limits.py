"""Limits for pathological input: a cheap HTML screen before parsing, a time limit on a stage."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from schemas import CleanArticle, RawArticle, Rejection
from streams.settings import Settings

T = TypeVar("T")
R = TypeVar("R")

# One tag, up to the next `<` or `>`: `[^<>]` keeps the scan linear on hostile input.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,31})[^<>]*|<!--")
# Elements libxml2 builds empty: they open no level. (It does not know the newer void elements:
# `<source>`, `<track>`, `<wbr>`, `<embed>` stay open and nest like any unknown tag.)
_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "br",
        "col",
        "frame",
        "hr",
        "img",
        "input",
        "isindex",
        "link",
        "meta",
        "param",
    ]
)
# Elements whose text the parser reads as text up to their end tag, never as markup: what a
# script writes (`document.write("<div>")`) opens nothing.
_RAW = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"])
_DATA_ATTR = re.compile(r"""\sdata-[\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*')""")
_IMPLIED = frozenset(["html", "head", "body"])
# libxml2's end tag priorities: an end tag closes the elements opened after its match only when
# none of them ranks higher (a stray `</section>` cannot close a `<div>`; other tags rank 100).
_END_PRIORITY = {"div": 150, "td": 160, "th": 160, "tr": 170, "thead": 180, "tbody": 180}
_END_PRIORITY |= {"tfoot": 180, "table": 190, "head": 200, "body": 200, "html": 220}
# libxml2's implied end tags, measured on the parser: an open element (key) is closed by the
# start of any of these, as `<p>` is by a `<div>` or `<li>` by the next `<li>`. Only the element on
# top is checked, again and again, as the parser does.
_CLOSED_BY: dict[str, frozenset[str]] = {
    "a": frozenset(["a", "fieldset", "table", "td", "th"]),
    "address": frozenset(["dd", "dl", "dt", "form", "li", "ul"]),
    "b": frozenset(["center", "p", "td", "th"]),
    "big": frozenset(["p"]),
    "caption": frozenset(["col", "colgroup", "tbody", "tfoot", "thead", "tr"]),
    "colgroup": frozenset(["colgroup", "tbody", "tfoot", "thead", "tr"]),
    "dd": frozenset(["dt"]),
    "dir": frozenset(["dd", "dl", "dt", "form", "ul"]),
    "dl": frozenset(["form", "li"]),
    "dt": frozenset(["dd", "dl"]),
    "font": frozenset(["center", "td", "th"]),
    "form": frozenset(["form"]),
    "h1": frozenset(["fieldset", "form", "li", "p", "table"]),
    "h2": frozenset(["fieldset", "form", "li", "p", "table"]),
    "h3": frozenset(["fieldset", "form", "li", "p", "table"]),
    "h4": frozenset(["fieldset", "form", "li", "p", "table"]),
    "h5": frozenset(["fieldset", "form", "li", "p", "table"]),
    "h6": frozenset(["fieldset", "form", "li", "p", "table"]),
    "i": frozenset(["center", "p", "td", "th"]),
    "legend": frozenset(["fieldset"]),
    "li": frozenset(["li"]),
    "menu": frozenset(["dd", "dl", "dt", "form", "ul"]),
    "ol": frozenset(["form"]),
    "option": frozenset(["optgroup", "option"]),
    "p": frozenset(
        [
            "address",
            "blockquote",
            "caption",
            "center",
            "col",
            "colgroup",
            "dd",
            "dir",
            "div",
            "dl",
            "dt",
            "fieldset",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "li",
            "menu",
            "ol",
            "p",
            "pre",
            "table",
            "tbody",
            "td",
            "tfoot",
            "th",
            "tr",
            "ul",
        ]
    ),
    "pre": frozenset(["dd", "dl", "dt", "fieldset", "form", "li", "table", "ul"]),
    "s": frozenset(["p"]),
    "small": frozenset(["p"]),
    "span": frozenset(["td", "th"]),
    "strike": frozenset(["p"]),
    "tbody": frozenset(["tbody", "tfoot"]),
    "td": frozenset(["tbody", "td", "tfoot", "th", "tr"]),
    "tfoot": frozenset(["tbody"]),
    "th": frozenset(["tbody", "td", "tfoot", "th", "tr"]),
    "thead": frozenset(["tbody", "tfoot"]),
    "tr": frozenset(["tbody", "tfoot", "tr"]),
    "tt": frozenset(["p"]),
    "u": frozenset(["p", "td", "th"]),
    "ul": frozenset(["address", "form", "menu", "pre"]),
}


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

    libxml2 stops building the tree at depth 256 (the rest of the page is silently lost), and the
    extractor's time grows fast with tag count and tag size, so such pages are refused up front.
    Depth is counted as the parser builds the tree, not tag by tag: script and style text, comments
    and void elements open nothing, an end tag closes every element opened after its match, an
    unmatched one closes nothing, and implied end tags (`<p>`, `<li>`, table cells) are applied.
    """
    open_names: dict[str, int] = {}
    stack: list[str] = []
    # html and body: the parser builds them whether or not the page writes them
    implied = 2
    tags = 0
    pos = 0
    ignored: tuple[str, int] | None = None
    while (match := _TAG.search(html, pos)) is not None:
        pos = match.end()
        if match.group(2) is None:  # a comment, up to its end
            pos = _comment_end(html, pos)
            continue
        tags += 1
        if tags > limits.max_tags:
            return _refuse(f"more than {limits.max_tags} tags")
        size = pos - match.start()
        if size > limits.max_tag_bytes and _read_bytes(match.group(0)) > limits.max_tag_bytes:
            return _refuse(f"a tag of {size} bytes (limit {limits.max_tag_bytes})")
        name = match.group(2).lower()
        if match.group(1):
            ignored = _end_tag(name, stack, open_names, ignored)
        elif name not in _VOID and name not in _IMPLIED:
            _close_implied(name, stack, open_names)
            if name in _RAW:
                pos = _raw_end_of(html, name, pos)
            elif not match.group(0).endswith("/"):
                stack.append(name)
                open_names[name] = open_names.get(name, 0) + 1
                if len(stack) + implied > limits.max_depth:
                    return _refuse(f"elements nested more than {limits.max_depth} deep")
    return None


def _comment_end(html: str, pos: int) -> int:
    """Where the scan goes on after a comment: past its `-->`, or the page's end if none comes."""
    end = html.find("-->", pos)
    return len(html) if end < 0 else end + 3


def _raw_end_of(html: str, name: str, pos: int) -> int:
    """Where the scan goes on after a script's or style's text: past its end tag, or the page's
    end if none comes."""
    end_tag = _raw_end(name).search(html, pos)
    return len(html) if end_tag is None else end_tag.end()


def _end_tag(
    name: str, stack: list[str], open_names: dict[str, int], ignored: tuple[str, int] | None
) -> tuple[str, int] | None:
    """Apply an end tag to the open elements; the misplaced end tag now ignored, if any."""
    if open_names.get(name) and (name, len(stack)) != ignored:
        if not _closes(name, stack):
            # the same misplaced end tag again need not walk the stack again
            return (name, len(stack))
        while (top := stack.pop()) != name:
            open_names[top] -= 1
        open_names[name] -= 1
    return ignored


def _close_implied(name: str, stack: list[str], open_names: dict[str, int]) -> None:
    """Close the open elements that the start of `name` ends, as `<div>` ends an open `<p>`."""
    while stack and name in _CLOSED_BY.get(stack[-1], ()):
        open_names[stack.pop()] -= 1


def _read_bytes(tag: str) -> int:
    """The tag's size without its data-* values: pages keep whole JSON configs in them (a video
    carousel's 330 KB), which the extractor never reads, while a giant class or id costs it time."""
    return len(_DATA_ATTR.sub("", tag))


def _closes(name: str, stack: list[str]) -> bool:
    """Whether an end tag closes its open element: libxml2 ignores a misplaced end tag when an
    element of higher priority (a div, a table part) was opened after its match."""
    priority = _END_PRIORITY.get(name, 100)
    for open_name in reversed(stack):
        if open_name == name:
            return True
        if _END_PRIORITY.get(open_name, 100) > priority:
            return False
    return False


@cache
def _raw_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}\b[^<>]*>?", re.IGNORECASE)


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
# A tag cut off by the end of the text (`...kecamatan.\n\n<P`): never closed, so never matched
# above; a browser drops an unfinished tag at the end of input, and so do we.
_CUT_TAG = re.compile(r"</?[A-Za-z][^<>]*\Z")


def plain(text: str) -> str:
    """The text with any HTML element, comment or script block removed, and NUL bytes."""
    if "<" not in text and "\x00" not in text:
        return text
    text = _COMMENT.sub("", _BLOCK.sub("", text))
    text = _OPEN.sub("", _MARKUP.sub("", text)).replace("\x00", "")
    return _CUT_TAG.sub("", text)


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


# A page this small runs in the caller's thread (the event loop's), without the hand-off to a
# thread and back: below both bounds extraction is short whatever the page holds. Measured
# (docs/performance.md): 81 % of the corpus's extraction time falls below them, its slowest page
# 0.19 s; the slowest hostile page we could build below them (250 nested divs, then 3,700
# paragraphs) 1.1 s. A page above either bound, and any page when the limit itself is under
# INLINE_MIN_LIMIT, runs in a thread that is abandoned at the limit.
INLINE_MAX_CHARS = 512 * 1024
INLINE_MAX_TAGS = 4000
INLINE_MIN_LIMIT = 5.0


def small_enough(html: str | None, text: str | None) -> bool:
    """Whether extraction of this page (and text) is cheap enough to run inline."""
    chars = len(html or "") + len(text or "")
    return chars < INLINE_MAX_CHARS and (not html or html.count("<") < INLINE_MAX_TAGS)


class TimeLimit:
    """Runs a blocking function under a time limit: inline when the input is small, else in a
    daemon thread given up on after `seconds`.

    A thread cannot be killed: one that runs over is abandoned (it ends on its own when its
    work does) and the stream moves on. Daemon threads never hold up the process's exit.
    Handing every call to a thread and back costs the event loop the GIL twice per call
    and contends with it meanwhile, so a call the caller says is small (`inline=True`) runs in
    the caller's thread when the limit is no tighter than INLINE_MIN_LIMIT.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.abandoned = 0
        self.inline = 0
        self.threaded = 0

    async def run(self, fn: Callable[[T], R], item: T, inline: bool = False) -> R | Rejection:
        """`fn(item)`, or a `timeout` rejection when it takes longer than the limit."""
        if inline and self.seconds >= INLINE_MIN_LIMIT:
            self.inline += 1
            return fn(item)
        self.threaded += 1
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
