"""HTML pages: one lxml parse shared by trafilatura body extraction and metadata reading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timezone

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from schemas.models import Caption
from streams.stages.clean.authors import page_authors
from streams.stages.clean.confidence import LONG_PARAGRAPH
from streams.stages.clean.dates import CONF_ZONED, Found, localise
from streams.stages.clean.metadata import PageMeta, read_page_meta, tidy_title
from streams.stages.clean.page_dates import FAST, SCAN, TIME, page_date
from streams.stages.clean.page_kind import PageSignals, page_signals
from streams.stages.clean.text import split_caption

# Social embeds quote other people's posts: they are not the story's text. Fact boxes sum the
# story up beside it, author boxes describe the writer, and figure captions are kept apart
# (HtmlResult.captions), not in the body. Lists made only of links are related-story and menu
# lists, not prose. One expression, so that the page's elements are walked once, not once per
# rule (1.1 against 3.0 ms per page of the benchmark corpus, one run); the class tests are gated on a
# substring every listed class shares ("box" or "bio"), the costly part being `contains` itself.
_BOX_CLASSES = (
    "fact-box",
    "factbox",
    "infobox",
    "info-box",
    "author-bio",
    "author__bio",
    "author-box",
)
_EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed")


def _any_class(names: tuple[str, ...]) -> str:
    return " or ".join(f'contains(@class, "{name}")' for name in names)


_PRUNE = (
    "//*[self::figcaption"
    f' or ((contains(@class, "box") or contains(@class, "bio")) and ({_any_class(_BOX_CLASSES)}))'
    f" or (self::blockquote and ({_any_class(_EMBED_CLASSES)}))"
    " or ((self::ul or self::ol) and li[2]"
    " and not(li[normalize-space(.) != normalize-space(.//a)]))]"
)
assert all("box" in name or "bio" in name for name in _BOX_CLASSES)

_CAPTION_MAX = 400
_CAPTIONS_MAX = 20


# Fallback trigger: the fast pass kept under half of a page with this much paragraph text.
_RESCUE_MIN_PROSE = 2000
_RESCUE_RATIO = 0.5


# JSON-LD body replaces the extraction when it is this long, this much longer, and contains it.
_DECLARED_MIN = 1500
_DECLARED_RATIO = 2.0
_DECLARED_COVER = 0.7
# A standfirst is a sentence or a few; the probe is long enough to be unique on the page.
_LEAD_MIN = 60
_LEAD_MAX = 700
_LEAD_PROBE = 40
_WORD = re.compile(r"\w+")


@dataclass
class HtmlResult:
    """Body text and metadata of one page, with a confidence per field found."""

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    published: tuple[Found, str] | None = None
    captions: list[Caption] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    signals: PageSignals = field(default_factory=PageSignals)
    prose_chars: int = 0
    reference: str = ""


def parse(html: str) -> HtmlElement | None:
    """The page's lxml tree (the only parse of it), or None when it is not HTML.

    trafilatura takes a page that does not start like a document and parses to one element as
    "not HTML": a fragment pushed by a producer (`<article><p>...</p></article>`) is given the
    document around it instead.
    """
    tree: HtmlElement | None = load_html(html)
    if tree is None and html.lstrip().startswith("<"):  # a second parse for fragments only
        tree = load_html(f"<html><body>{html}</body></html>")
    return tree


def _trafilatura(tree: HtmlElement, url: str | None, fast: bool) -> str:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        prune_xpath=_PRUNE,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    return text or ""


def paragraph_chars(tree: HtmlElement) -> int:
    """Characters of text inside <p> elements: what a page offers as prose."""
    return sum(len(t) for t in tree.xpath("//p//text()"))


def long_paragraphs(tree: HtmlElement) -> tuple[int, str]:
    """Characters of text inside <p> elements (what a page offers as prose) and the text of its
    long paragraphs: a second, cruder reading of the article to check the extraction against."""
    total, kept = 0, []
    for p in tree.iterfind(".//body//p"):
        text = p.text_content()
        total += len(text)
        if len(text) >= LONG_PARAGRAPH:
            kept.append(text)
    return total, "\n".join(kept)


def body_text(tree: HtmlElement, url: str | None, prose: int) -> str:
    """trafilatura's fast extraction; its slower comparison with readability/justext only runs
    when the fast result holds far less text than the page's paragraphs (a likely miss)."""
    text = _trafilatura(tree, url, fast=True)
    if prose >= _RESCUE_MIN_PROSE and len(text) < _RESCUE_RATIO * prose:
        return _trafilatura(tree, url, fast=False)
    return text


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i : i + 4]) for i in range(max(0, len(words) - 3))}


def prefer_declared(text: str, declared: str | None) -> str:
    """The JSON-LD articleBody instead of the extraction when it holds the extraction and much
    more: the extractor then stopped early (a teaser box or a split article)."""
    if not declared or len(declared) < _DECLARED_MIN or len(declared) < _DECLARED_RATIO * len(text):
        return text
    ours, theirs = _shingles(text), _shingles(declared)
    if ours and len(ours & theirs) >= _DECLARED_COVER * len(ours):
        return declared
    return text


def with_lead(text: str, tree: HtmlElement, description: str | None) -> str:
    """The standfirst put back in front of the body: the page's description, when the page also
    shows it as text outside what the extractor kept."""
    if not description or len(description) < _LEAD_MIN:
        return text
    probe = " ".join(description.split())[:_LEAD_PROBE]
    if probe.casefold() in " ".join(text[: len(text) // 2 + 200].split()).casefold():
        return text
    # a photo caption repeating the description is no standfirst
    found = tree.xpath(
        "//body//*[contains(text(), $probe)][not(ancestor-or-self::figcaption | ancestor::figure)]",
        probe=probe,
    )
    for el in found[:3]:
        if el.tag in {"meta", "script", "style", "noscript", "title", "template"}:
            continue
        lead = " ".join(el.text_content().split())
        if _LEAD_MIN <= len(lead) <= _LEAD_MAX:
            return lead + "\n" + text
    return text


def figure_captions(tree: HtmlElement) -> list[Caption]:
    """The page's <figcaption> texts, each once, with the photo credit split off when marked."""
    out: list[Caption] = []
    seen: set[str] = set()
    for el in tree.iterfind(".//figcaption"):
        text = " ".join(el.text_content().split())
        if not text or len(text) > _CAPTION_MAX or text in seen:
            continue
        seen.add(text)
        out.append(split_caption(text) or Caption(text=text))
        if len(out) >= _CAPTIONS_MAX:
            break
    return out


def _title(meta: PageMeta, domain: str | None) -> tuple[str, float] | None:
    candidates = [(meta.headline, 0.9), (meta.og_title, 0.8), (meta.h1, 0.7), (meta.title_tag, 0.5)]
    for value, conf in candidates:
        if value:
            return tidy_title(value, meta.site_name, domain), conf
    return None


def read_html(html: str, url: str | None, domain: str | None) -> HtmlResult | None:
    """Body and metadata of a page; None when the markup cannot be parsed."""
    tree = parse(html)
    if tree is None:
        return None
    meta = read_page_meta(tree)
    prose, reference = long_paragraphs(tree)
    text = prefer_declared(body_text(tree, url, prose), meta.article_body)
    result = HtmlResult(text=with_lead(text, tree, meta.description))
    result.prose_chars = prose
    declared = meta.article_body or ""
    result.reference = declared if len(declared) > len(reference) else reference
    result.titles = [t for t in (meta.headline, meta.og_title, meta.h1, meta.title_tag) if t]
    title = _title(meta, domain)
    if title:
        result.title, result.confidence["title"] = title
    authors, conf = page_authors(meta, tree, domain)
    if authors:
        result.authors, result.confidence["authors"] = authors, conf
    result.published = page_date(meta, tree, url)
    result.captions = figure_captions(tree)
    result.signals = page_signals(tree, meta, url)
    return result


def localise_html_date(
    published: tuple[Found, str], default: timezone | None
) -> tuple[object, float] | None:
    """The page's declared date made aware; declared values rank above found ones."""
    found, origin = published
    out = localise(found, default)
    if out is None:
        return None
    value, conf = out
    if origin in (FAST, SCAN, TIME):
        conf = min(conf, CONF_ZONED - 0.25)
    return value, conf
