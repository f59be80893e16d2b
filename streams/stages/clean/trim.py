"""Edges of an extracted body: headline, kicker, byline and date lines that open it."""

from __future__ import annotations

import re

from streams.stages.clean.dates import parse_text_date

_TOKEN = re.compile(r"\w+", re.UNICODE)
_NUMERIC_DATE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|\d{4}年\d{1,2}月\d{1,2}日"
)
# Only the first few paragraphs can be a page header that the extractor kept.
_HEAD = 4
_SHORT = 160
_LOOSE = 60
_SENTENCE_END = (".", "!", "?", '"', "”", "»", "…", ")", "。", "」", ":")


def _tokens(text: str) -> set[str]:
    return {t.casefold() for t in _TOKEN.findall(text)}


def is_headline(para: str, titles: list[str]) -> bool:
    """The headline again, maybe with a kicker or site name around it."""
    words = _tokens(para)
    if not words or len(para) > 300:
        return False
    for title in titles:
        want = _tokens(title)
        if len(want) >= 2 and len(want & words) >= 0.8 * len(want) and len(words) <= len(want) + 8:
            return True
    return False


def is_dateline_only(para: str) -> bool:
    """A line that is little more than a date or time ("Stand: 22.04.2024, 06:00 Uhr")."""
    if len(para) > 80:
        return False
    found = parse_text_date(para) or _NUMERIC_DATE.search(para)
    if not found:
        return False
    letters = sum(c.isalpha() for c in para)
    return letters <= 30


def is_byline_only(para: str, authors: list[str]) -> bool:
    """A short line naming the page's authors and little else."""
    if len(para) > 120 or not authors:
        return False
    low = para.casefold()
    named = [a for a in authors if a.casefold() in low]
    rest = low
    for a in named:
        rest = rest.replace(a.casefold(), "")
    return bool(named) and len(_tokens(rest)) <= 4


def is_loose_line(para: str) -> bool:
    """A short line that is no sentence: a link, a menu entry, a section label."""
    if para.startswith(("|", "- ")):  # table rows and list items are structured content
        return False
    return len(para) <= _LOOSE and not para.rstrip().endswith(_SENTENCE_END)


def trim_tail(paras: list[str]) -> list[str]:
    """Drop the run of loose lines (related links, labels) that ends a page; never all of it."""
    end = len(paras)
    while end > 1 and is_loose_line(paras[end - 1]):
        end -= 1
    return paras[:end]


def trim_head(paras: list[str], titles: list[str], authors: list[str]) -> list[str]:
    """Drop opening paragraphs that repeat the headline, byline or date; never the whole body."""
    start = 0
    while start < min(_HEAD, len(paras) - 1):
        para = paras[start]
        if is_headline(para, titles) or is_dateline_only(para) or is_byline_only(para, authors):
            start += 1
        else:
            break
    return paras[start:]
