"""HTML metadata from one parsed tree: JSON-LD, meta tags and <title>, and title tidying."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from lxml.html import HtmlElement

_ARTICLE_TYPES = ("Article", "NewsArticle", "ReportageNewsArticle", "BlogPosting", "Report")
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "publish-date",
    "article.published",
    "content_publishdate",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
_DATE_PART = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_TITLE_SEPARATORS = re.compile(r"(\s+[|–—•·-]\s+|\s+::\s+|\s*\|\s*)")


@dataclass
class PageMeta:
    """Metadata the page declares about itself."""

    headline: str | None = None
    og_title: str | None = None
    title_tag: str | None = None
    h1: str | None = None
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_from: str | None = None
    article_body: str | None = None
    description: str | None = None
    # what the page says it is: JSON-LD @type values and og:type, for telling listings apart
    types: set[str] = field(default_factory=set)
    og_type: str | None = None
    declares_article: bool = False


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object, through lists, @graph and mainEntity."""
    out: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            out.append(item)
            # a WebPage often wraps the article as its mainEntity
            stack.extend(item[k] for k in ("@graph", "mainEntity") if k in item)
    return out


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.endswith(_ARTICLE_TYPES) for k in kinds)


def _person_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            if item.get("@type") == "Organization":
                continue
            name = _text(item.get("name"))
        else:
            name = _text(item)
        if name and not name.startswith("http"):
            out.append(name)
    return out


def read_jsonld(tree: HtmlElement, meta: PageMeta) -> None:
    """Headline, authors and publication date of the page's Article object."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = orjson.loads((script.text or "").strip() or "null")
        except orjson.JSONDecodeError:
            continue
        for obj in _walk(data):
            kind = obj.get("@type")
            meta.types.update(
                k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)
            )
            if not _is_article(obj):
                continue
            meta.declares_article = True
            meta.headline = meta.headline or _text(obj.get("headline"))
            meta.article_body = meta.article_body or _text(obj.get("articleBody"))
            meta.description = meta.description or _text(obj.get("description"))
            meta.authors = meta.authors or _person_names(obj.get("author"))
            if not meta.published and _text(obj.get("datePublished")):
                meta.published = _text(obj.get("datePublished"))
                meta.published_from = "json-ld"
            publisher = obj.get("publisher")
            if isinstance(publisher, dict):
                meta.site_name = meta.site_name or _text(publisher.get("name"))


def read_meta_tags(tree: HtmlElement, meta: PageMeta) -> None:
    """Open Graph and other <meta> declarations."""
    tags: dict[str, str] = {}
    for el in tree.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        content = el.get("content")
        if key and content and content.strip() and key not in tags:
            tags[key] = content.strip()
    meta.og_title = tags.get("og:title") or tags.get("twitter:title")
    meta.og_type = tags.get("og:type", "").lower() or None
    meta.description = meta.description or tags.get("og:description") or tags.get("description")
    meta.site_name = meta.site_name or tags.get("og:site_name") or tags.get("application-name")
    if not meta.published:
        for key in _DATE_META:
            if key in tags:
                meta.published, meta.published_from = tags[key], "meta"
                break
    if not meta.authors:
        for key in _AUTHOR_META:
            value = tags.get(key)
            if value and not value.startswith("http"):
                meta.authors = [a.strip() for a in re.split(r"\s*[,;]\s*|\s+and\s+", value) if a]
                break


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Everything the page declares, read in one pass over its scripts and meta tags."""
    meta = PageMeta()
    read_jsonld(tree, meta)
    read_meta_tags(tree, meta)
    title = tree.find(".//title")
    meta.title_tag = _squash(title.text_content()) if title is not None else None
    h1 = tree.find(".//h1")
    meta.h1 = _squash(h1.text_content()) if h1 is not None else None
    return meta


def _squash(text: str) -> str | None:
    text = " ".join(text.split())
    return text or None


def site_like(part: str, site: str | None, domain: str | None) -> bool:
    """A title part naming the outlet (or only a date, as some outlets append)."""
    key = re.sub(r"\W", "", part.casefold())
    if not key or _DATE_PART.fullmatch(part.strip()):
        return True
    label = domain.split(".")[-2] if domain and domain.count(".") >= 1 else None
    names = [re.sub(r"\W", "", s.casefold()) for s in (site, domain, label) if s]
    return any(key in n or (len(n) >= 4 and n in key) for n in names if n)


def tidy_title(title: str, site: str | None, domain: str | None) -> str:
    """The headline without the outlet's name before or after it ("X - Kompas.com")."""
    title = " ".join(html.unescape(title).split())
    pieces = _TITLE_SEPARATORS.split(title)
    parts, seps = pieces[::2], pieces[1::2]
    while len(parts) > 1 and site_like(parts[-1], site, domain):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and site_like(parts[0], site, domain):
        parts.pop(0)
        seps.pop(0)
    title = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))
    m = re.match(r"^([\w.]+\.(?:com|id|net|org|co\.id))\s*:\s*(.+)$", title, re.IGNORECASE)
    if m and site_like(m.group(1), site, domain):
        title = m.group(2)
    return title.strip()
