"""Publication date of an HTML page, cheapest evidence first; dateparser is never reached."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from lxml.etree import XPath
from lxml.html import HtmlElement

from streams.stages.clean.dates import Found, parse_iso, parse_text_date
from streams.stages.clean.metadata import PageMeta

# Short text nodes of the elements where pages write a byline date (htmldate's fast tags and a few
# inline ones); script and style text is never selected.
_SEGMENTS = XPath(
    "//body//*[self::p or self::span or self::div or self::time or self::li or self::h2 or "
    "self::h3 or self::h4 or self::small or self::em or self::strong or self::b or self::a or "
    "self::td or self::dd]/text()"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_SEGMENT_MIN, _SEGMENT_MAX = 6, 100
# Bounds the scan on huge pages: a byline date sits well before this many text nodes.
_SCAN_LIMIT = 3000
_EARLIEST = datetime(1995, 1, 1)

_TIMES = XPath("//body//time[@datetime]")

FAST = "htmldate"
SCAN = "page-text"
TIME = "time-element"


def _plausible(found: Found, now: datetime) -> bool:
    value = found.value.replace(tzinfo=None)
    return _EARLIEST <= value <= now + timedelta(days=1)


def scan_text(tree: HtmlElement, now: datetime | None = None) -> Found | None:
    """The first plausible written date in the page's short text nodes, in document order."""
    now = now or datetime.now()
    for i, segment in enumerate(_SEGMENTS(tree)):
        if i >= _SCAN_LIMIT:
            break
        text = str(segment).strip()
        if not _SEGMENT_MIN <= len(text) <= _SEGMENT_MAX or not _YEAR.search(text):
            continue
        found = parse_text_date(text)
        if found and _plausible(found, now):
            return found
    return None


def time_element(tree: HtmlElement) -> Found | None:
    """The first <time datetime> of the body when it gives a time of day: the byline's stamp
    (date-only values are left to htmldate, which weighs the page's other evidence)."""
    for el in _TIMES(tree)[:1]:
        found = parse_iso(el.get("datetime") or "")
        if found and found.has_time:
            return found
    return None


def _htmldate_fast(tree: HtmlElement, url: str | None) -> Found | None:
    from htmldate import find_date

    value = find_date(
        tree,
        url=url,
        # the fast mode reads markup, the url and timestamps; its extensive text search would
        # send free text to dateparser, which doubled the stage's CPU on pages without a date
        extensive_search=False,
        original_date=True,
        outputformat="%Y-%m-%dT%H:%M:%S%z",
    )
    found = parse_iso(value) if value else None
    if found and not found.zoned and (found.value.hour, found.value.minute) == (0, 0):
        # htmldate prints midnight for a day without a time (a date in the url, a date-only tag)
        return Found(found.value, has_time=False, zoned=False)
    return found


def timed_on(tree: HtmlElement, day: date) -> Found | None:
    """The first written date of the page's text on `day` that gives a time of day.

    A date line split over elements (`<span>Senin, 10 Maret 2025</span> <span>21:30 WIB</span>`)
    is read whole: a date without a time is read again from its element's and its parent's text.
    """
    for i, segment in enumerate(_SEGMENTS(tree)):
        if i >= _SCAN_LIMIT:
            break
        text = str(segment).strip()
        if not _SEGMENT_MIN <= len(text) <= _SEGMENT_MAX or not _YEAR.search(text):
            continue
        found = parse_text_date(text)
        if found is None or found.value.date() != day:
            continue
        if not found.has_time:
            found = _whole_line(segment.getparent())
        if found is not None and found.has_time and found.value.date() == day:
            return found
    return None


def _whole_line(el: HtmlElement | None) -> Found | None:
    """The date read from the text of the element holding a date, or of the one around it."""
    for _ in range(2):
        if el is None:
            return None
        line = " ".join(el.text_content().split())
        if len(line) > 2 * _SEGMENT_MAX:
            return None
        found = parse_text_date(line)
        if found is not None and found.has_time:
            return found
        el = el.getparent()
    return None


def _first(meta: PageMeta, tree: HtmlElement, url: str | None) -> tuple[Found, str] | None:
    if meta.published:
        found = parse_iso(meta.published) or parse_text_date(meta.published)
        if found:
            return found, meta.published_from or "meta"
    found = time_element(tree)
    if found:
        return found, TIME
    found = _htmldate_fast(tree, url)
    if found:
        return found, FAST
    found = scan_text(tree)
    return (found, SCAN) if found else None


def page_date(meta: PageMeta, tree: HtmlElement, url: str | None) -> tuple[Found, str] | None:
    """The page's date and where it came from: declared (JSON-LD/meta), the first <time> stamp,
    htmldate's fast mode, then our own written-date patterns over the page's short text nodes.

    A day without a time of day (a date-only meta tag, a date in the url) never beats a date line
    with a time on that same day: outlets often declare the day and print the minute by the title.
    """
    first = _first(meta, tree, url)
    if first is None or first[0].has_time:
        return first
    timed = timed_on(tree, first[0].value.date())
    return (timed, SCAN) if timed else first
