"""Clean stage: consumes a RawArticle, produces a CleanArticle or Rejection (`no_content`, or
`not_an_article` for home pages, listings, search results and galleries without text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from urllib.parse import urlsplit

from schemas.models import Caption, CleanArticle, Dateline, RawArticle, Rejection, Related
from streams.core.fingerprint import fingerprint
from streams.core.ids import article_id, source_of
from streams.stages.clean.confidence import BodySignals, body_confidence
from streams.stages.clean.dates import WIB, localise, parse_hint, parse_text_date
from streams.stages.clean.header import read_dateline, read_header
from streams.stages.clean.html import localise_html_date, read_html
from streams.stages.clean.page_kind import PageSignals, not_an_article
from streams.stages.clean.text import (
    looks_like_html,
    paragraphs,
    repair,
    strip_chrome,
    strip_tags,
    take_repeated_captions,
)
from streams.stages.clean.trim import trim_head, trim_tail

VERSION = "clean-1"

__all__ = ["VERSION", "clean"]

# Frequent Indonesian function words: enough to tell an Indonesian page from others cheaply.
_ID_WORDS = re.compile(r"\b(?:yang|dan|dengan|untuk|dari|tidak|akan|pada|ini|itu)\b")
# Confidences of values that came from the producer's hints, not from the page.
_HINT_CONF = 0.5


@dataclass
class Draft:
    """The article as it is assembled from the page and the hints."""

    paragraphs: list[str]
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_has_time: bool = False
    dateline: Dateline | None = None
    captions: list[Caption] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    signals: PageSignals | None = None
    prose_chars: int = 0
    reference: str = ""
    extracted: int = 0


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url.strip()).hostname
    return host.removeprefix("www.") if host else None


def default_zone(raw: RawArticle, domain: str | None, sample: str) -> timezone | None:
    """The outlet country's zone for times that name none: WIB for Indonesian outlets."""
    if (domain and domain.endswith(".id")) or (raw.language or "").lower().startswith("id"):
        return WIB
    words = _ID_WORDS.findall(sample[:3000].lower())
    return WIB if len(words) >= 8 else None


def _body_parts(paras: list[str], draft: Draft) -> list[str]:
    """Chrome, teasers and repeated captions out of the paragraphs."""
    repeated = take_repeated_captions(paras)
    draft.captions.extend(repeated.captions)
    cleaned = strip_chrome(repeated.paragraphs)
    draft.related.extend(cleaned.related)
    draft.captions.extend(cleaned.captions)
    return cleaned.paragraphs


def _from_text(text: str, raw: RawArticle, zone: timezone | None) -> Draft:
    draft = Draft(paragraphs=[])
    paras = paragraphs(strip_tags(repair(text)))
    draft.extracted = sum(len(p) + 2 for p in paras)
    paras = _body_parts(paras, draft)
    header = read_header(paras, raw.title)
    draft.captions.extend(header.captions)
    draft.paragraphs = header.body
    if header.title:
        draft.title = header.title
        draft.confidence["title"] = 0.8 if header.anchored else 0.6
    draft.authors = header.authors or header.editors
    if draft.authors:
        draft.confidence["authors"] = 0.8 if header.authors else 0.5
    if header.editors:
        draft.metadata["editors"] = ", ".join(header.editors)
    if header.date:
        when = localise(header.date, zone or UTC)
        if when:
            draft.published, draft.published_has_time = when[0], header.date.has_time
            draft.confidence["published_at"] = when[1] if zone or header.date.zoned else 0.3
            draft.metadata["published_at_from"] = "byline"
    return draft


def _from_html(html: str, raw: RawArticle, domain: str | None) -> Draft | None:
    page = read_html(html, raw.url, domain)
    if page is None or not page.text.strip():
        return None
    text = repair(page.text)
    draft = Draft(paragraphs=[], title=page.title, authors=page.authors, signals=page.signals)
    draft.prose_chars, draft.reference, draft.extracted = (
        page.prose_chars,
        page.reference,
        len(text),
    )
    draft.confidence.update(page.confidence)
    draft.captions.extend(page.captions)
    draft.paragraphs = _body_parts(paragraphs(text), draft)
    draft.paragraphs = trim_tail(trim_head(draft.paragraphs, page.titles, draft.authors))
    if page.published:
        zone = default_zone(raw, domain, text)
        when = localise_html_date(page.published, zone or UTC)
        if when:
            value, conf = when
            assert isinstance(value, datetime)
            draft.published, draft.published_has_time = value, page.published[0].has_time
            draft.confidence["published_at"] = conf if zone or page.published[0].zoned else 0.3
            draft.metadata["published_at_from"] = page.published[1]
    return draft


def _apply_dateline(draft: Draft) -> None:
    if not draft.paragraphs:
        return
    found = read_dateline(draft.paragraphs[0])
    if found:
        draft.dateline, draft.paragraphs[0] = found
        draft.confidence["dateline"] = 0.8


def _apply_hints(draft: Draft, raw: RawArticle, zone: timezone | None) -> None:
    """The producer's hints fill what the page did not give."""
    if not draft.title and raw.title and raw.title.strip():
        draft.title = " ".join(repair(raw.title).split())
        draft.confidence["title"] = _HINT_CONF
    if not draft.authors and raw.authors:
        draft.authors = [a.strip() for a in raw.authors if a.strip()]
        draft.confidence["authors"] = _HINT_CONF
    if draft.published is None and raw.published_at and raw.published_at.strip():
        when = parse_hint(raw.published_at, zone or UTC)
        if when:
            draft.published = when[0]
            draft.confidence["published_at"] = min(_HINT_CONF, when[1])
            draft.metadata["published_at_from"] = "hint"
    elif draft.published and not draft.published_has_time and raw.published_at:
        # the page gave a day only: a hint with a time of day on that same day is more precise
        found = parse_text_date(raw.published_at)
        same_day = found and found.has_time and found.value.date() == draft.published.date()
        when = localise(found, zone or UTC) if found and same_day else None
        if when:
            draft.published, draft.published_has_time = when[0], True
            draft.confidence["published_at"] = min(_HINT_CONF, when[1])
            draft.metadata["published_at_from"] = "hint"


def _body_confidence(draft: Draft, body: str) -> float:
    signals = BodySignals(
        body=body,
        page_prose=draft.prose_chars,
        reference=draft.reference,
        extracted=draft.extracted,
    )
    return body_confidence(signals)


def clean(raw: RawArticle) -> CleanArticle | Rejection:
    """The clean article, or Rejection("no_content") when no body text remains."""
    html = raw.html if raw.html and raw.html.strip() else None
    text = raw.text if raw.text and raw.text.strip() else None
    if html is None and text is None:
        return Rejection(reason="no_content", error="neither html nor text is present")
    if html is None and text is not None and looks_like_html(text):
        html, text = text, None  # a page pushed as text is read as the page it is
    domain = _domain(raw.url)
    zone = default_zone(raw, domain, text or "")
    draft = _from_html(html, raw, domain) if html else None
    if draft is None and text:
        draft = _from_text(text, raw, zone)
    if draft is None or not draft.paragraphs:
        return Rejection(reason="no_content", error="no body text left after cleaning")
    kind = not_an_article(draft.signals, draft.paragraphs) if draft.signals else None
    if kind:
        return Rejection(reason="not_an_article", error=f"the page is {kind}")
    _apply_dateline(draft)
    _apply_hints(draft, raw, zone)
    body = "\n\n".join(p for p in draft.paragraphs if p)
    if not body.strip():
        return Rejection(reason="no_content", error="no body text left after cleaning")
    return CleanArticle(
        id=raw.id or article_id(raw),
        url=raw.url,
        source=source_of(raw),
        title=draft.title,
        text=body,
        authors=draft.authors,
        published_at=draft.published,
        dateline=draft.dateline,
        captions=draft.captions,
        related=draft.related,
        language_hint=raw.language,
        fetched_at=raw.fetched_at,
        metadata={**raw.metadata, **draft.metadata},
        confidence={k: round(min(max(v, 0.0), 1.0), 3) for k, v in draft.confidence.items()},
        body_confidence=_body_confidence(draft, body),
        fingerprint=fingerprint(body),
        versions={"clean": VERSION},
    )
