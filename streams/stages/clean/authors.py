"""Authors of an HTML page: declared names first, then byline elements, each name checked."""

from __future__ import annotations

import html
import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from streams.stages.clean.header import names
from streams.stages.clean.metadata import PageMeta, site_like

# Elements that name the author in the markup; cheaper than scoring every text node. Comment
# threads name their commenters with the same classes, so nothing inside one counts.
_BYLINE = XPath(
    '(//a[@rel="author"] | //*[@itemprop="author"] | '
    '//*[contains(@class, "author") and not(contains(@class, "authors"))][not(*[2])])'
    '[not(ancestor-or-self::*[contains(@class, "comment") or contains(@id, "comment")])]'
)
_BY = re.compile(
    r"^(?:(?:written|posted|published|veröffentlicht|eingestellt|publié|publicado|escrito|"
    r"ditulis)\s+)?(?:by|von|par|por|di|oleh|door|av|af|przez|de)\s+",
    re.IGNORECASE,
)
# Words that label a byline but name nobody ("Von", "Über", "Autorenseite von").
_LABELS = re.compile(
    r"^(?:by|von|par|por|oleh|door|av|af|przez|de|über|about|autor(?:in)?|author|penulis|"
    r"reporter|redaksi|no author|autorenseite(?: von)?|veröffentlicht(?: am| von)?|posted by)$",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(r"@|https?:|www\.|/|→|\d|^(?:foto|photo|bild|image)\b", re.IGNORECASE)
# A user handle or url slug: "chuck-ross", "edilson.la.rosa"
_HANDLE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)+$")
# Editor initials after the name: "Elena Oberholzer (obe)"
_INITIALS = re.compile(r"\s*\([^()]{1,12}\)\.?$")
_MAX_WORDS = 5
# Byline elements read at most; the first that names someone is the byline.
_ELEMENTS = 6


def clean_name(name: str) -> str | None:
    """The name as a reader would write it, or None when it is a label, handle or address."""
    name = " ".join(html.unescape(name).split()).strip(" ,.;:|'\"")
    name = _INITIALS.sub("", _BY.sub("", name))
    if not name or _LABELS.match(name) or _NOT_A_NAME.search(name) or _HANDLE.match(name):
        return None
    if len(name.split()) > _MAX_WORDS or not any(c.isalpha() for c in name):
        return None
    return name


def byline_names(text: str) -> list[str]:
    """Names in a byline element's text ("By A and B" gives A, B); nothing from long text."""
    text = " ".join(text.split())
    if not text or len(text) > 80 or any(c.isdigit() for c in text):
        return []
    out = [clean_name(n) for n in names(_BY.sub("", text))]
    return [n for n in out if n]


def _declared(meta: PageMeta) -> list[str]:
    """Declared names, split where one string holds several ("A und B")."""
    out: list[str] = []
    for raw in meta.authors:
        for part in names(html.unescape(raw)):
            name = clean_name(part)
            if name and name not in out:
                out.append(name)
    return out


def _bylines(tree: HtmlElement) -> list[str]:
    for el in _BYLINE(tree)[:_ELEMENTS]:
        found = byline_names(el.text_content())
        if found:
            return list(dict.fromkeys(found))
    return []


def page_authors(meta: PageMeta, tree: HtmlElement, domain: str | None) -> tuple[list[str], float]:
    """Declared authors (confidence 0.85), else the first byline element naming someone (0.6).
    When the page declares only the outlet itself, a byline naming people wins over it."""
    declared = _declared(meta)
    if declared and not all(site_like(n, meta.site_name, domain) for n in declared):
        return declared, 0.85
    found = _bylines(tree)
    if found:
        return found, 0.6
    return declared, 0.5
