"""Page kind: whether a parsed page is an article at all.

Consumes the parsed page (its url, what it declares, its links and images, read once by
`page_signals`) and the body the clean stage kept; produces None for an article, or why the page
is a home page, a section/tag listing, search results or a photo gallery without text (the clean
stage dead-letters those as `not_an_article` instead of storing teasers as a story).

Every rule needs the page to look like a listing by what it says (url, declared type) *and* by
its body: an article that declares itself one is never refused for its related-story lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from lxml.html import HtmlElement

from streams.stages.clean.metadata import PageMeta

# First path segments of listings: tags, topics, sections, indexes, search. Articles often live
# under such a segment too (`/category/politik/2025/03/07/judul-panjang`): only a short path whose
# segments are no story slug or id counts.
_LISTING_SEGMENTS = frozenset(
    [
        "tag",
        "tags",
        "topic",
        "topics",
        "topik",
        "kategori",
        "category",
        "categories",
        "section",
        "rubrik",
        "kanal",
        "indeks",
        "index",
        "arsip",
        "archive",
        "terkini",
        "terpopuler",
        "latest",
        "search",
        "cari",
        "pencarian",
    ]
)
_SLUG_OR_ID = re.compile(r"\d{4,}|(?:[^-_]+[-_]){4,}")
_SEARCH_PATH = re.compile(r"/(?:search|cari|pencarian)(?:/|$)", re.IGNORECASE)
_SEARCH_KEYS = frozenset(["q", "query", "s", "keyword", "keywords", "search"])
_GALLERY = re.compile(r"\b(?:foto|fotos|photos?|galeri|gallery|galerie|bilder|galería)\b", re.I)
_LISTING_TYPES = frozenset(
    ["CollectionPage", "ItemList", "SearchResultsPage", "WebSite", "ProfilePage"]
)
_WORD = re.compile(r"\w+")
# A headline link: at least this many words; a listing shows at least this many.
_HEADLINE_WORDS = 4
_MIN_HEADLINES = 8
# The body of a listing: mostly headlines, or little text per headline under a listing's url
# (teaser lines run 40-150 characters; an article's text is many times its related links').
_HEADLINE_SHARE = 0.3
_PROSE_PER_HEADLINE = 80
# A gallery without text: this little prose under this many photos.
_GALLERY_PROSE = 300
_GALLERY_IMAGES = 6


@dataclass
class PageSignals:
    """What a page shows about its kind, read from its tree."""

    url_listing: bool = False
    url_search: bool = False
    declared_listing: bool = False
    declares_article: bool = False
    gallery_hint: bool = False
    headlines: set[str] = field(default_factory=set)
    images: int = 0


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def page_signals(tree: HtmlElement, meta: PageMeta, url: str | None) -> PageSignals:
    """The page's url, declarations, headline links and images."""
    out = PageSignals(declares_article=meta.declares_article or meta.og_type == "article")
    if url:
        parts = urlsplit(url.strip())
        # the front page, unless a query names one post (`/?p=2895`, `/index.php?id=58`)
        query_keys = {k for k in parse_qs(parts.query) if k != "page" and not k.startswith("utm_")}
        out.url_listing = _listing_path(parts.path) and (
            bool(parts.path.strip("/")) or not query_keys
        )
        out.url_search = bool(_SEARCH_PATH.search(parts.path)) or bool(_SEARCH_KEYS & query_keys)
    out.declared_listing = bool(meta.types & _LISTING_TYPES) or meta.og_type == "website"
    title = meta.og_title or meta.title_tag or ""
    out.gallery_hint = bool(_GALLERY.search(title) or (url and _GALLERY.search(url)))
    if out.gallery_hint:
        out.images = sum(1 for _ in tree.iterfind(".//body//img"))
    if out.declares_article and not (out.url_listing or out.url_search):
        return out  # an article by its own word: its links are never weighed (see not_an_article)
    for a in tree.iterfind(".//body//a"):
        text = _norm(a.text_content())
        if text.count(" ") + 1 >= _HEADLINE_WORDS:
            out.headlines.add(text)
    return out


def _listing_path(path: str) -> bool:
    segments = [s for s in path.lower().split("/") if s]
    if not segments:
        return True  # the front page
    if len(segments[0]) == 2 and len(segments) > 1:  # a language prefix: /en/tag/...
        segments = segments[1:]
    return (
        segments[0] in _LISTING_SEGMENTS
        and len(segments) <= 4
        and not any(_SLUG_OR_ID.search(s) for s in segments)
    )


def headline_share(signals: PageSignals, paragraphs: list[str]) -> float:
    """The share of the body's paragraphs that are the text of a link: teasers, not prose."""
    if not paragraphs:
        return 0.0
    linked = sum(1 for p in paragraphs if _norm(p) in signals.headlines)
    return linked / len(paragraphs)


def not_an_article(signals: PageSignals, paragraphs: list[str]) -> str | None:
    """Why the page is not an article (None when it is one)."""
    prose = sum(len(p) for p in paragraphs)
    if signals.gallery_hint and prose < _GALLERY_PROSE and signals.images >= _GALLERY_IMAGES:
        return f"a photo gallery: {signals.images} images and {prose} characters of text"
    if signals.declares_article and not (signals.url_search or signals.url_listing):
        return None
    if len(signals.headlines) < _MIN_HEADLINES:
        return None
    share = headline_share(signals, paragraphs)
    by_url = signals.url_listing or signals.url_search
    # a listing's url: little text per headline (teaser lines); a declared listing (og:type
    # website, CollectionPage) alone is weaker evidence: its body must be mostly headlines
    if (share >= _HEADLINE_SHARE and (by_url or signals.declared_listing)) or (
        by_url and prose < _PROSE_PER_HEADLINE * len(signals.headlines)
    ):
        kind = "search results" if signals.url_search else "a listing"
        return f"{kind}: {len(signals.headlines)} headline links, {share:.0%} of the body"
    return None
