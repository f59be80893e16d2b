"""Plain-text body cleaning: unicode repair, paragraphs, chrome lines, teasers and captions."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import ftfy

from schemas.models import Caption, Related
from streams.stages.clean.rules import Rules, rules

_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\ud800-\udfff]")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,300})?/?>")
# Elements whose content is code or markup, never prose: removed with what they hold.
_CODE_TAGS = "script|style|noscript|template|iframe|object|svg|math"
_CODE_BLOCK = re.compile(rf"<({_CODE_TAGS})\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# An unclosed one takes the rest of its line only: a story may name "<script>" in passing.
_CODE_OPEN = re.compile(rf"<(?:{_CODE_TAGS})\b[^>\n]*>[^\n]*", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_PAGE = re.compile(r"^\s*<(?:!doctype|html|head|body|div|article|p)\b", re.IGNORECASE)
_SPACES = re.compile(r" {2,}")
_QUOTES = "\"'“”‘’«»"
# Chrome is formulaic and short; longer lines are never judged by the line rules.
_MAX_CHROME = 220
_MOJIBAKE = re.compile(
    "[\u00c2-\u00c5\u00d0\u00d1\u00d8\u00d9\u00e2\u00ef][\u0080-\u00bf\u0152-\u02dc\u2013-\u203a\u20ac\u2122]|\ufffd"
)
_CREDIT_LABEL = re.compile(r"(?:foto|photo|bild|crédits?|credit|image|ilustrasi|dok)\b", re.I)
# Repair only: quotes, full-width forms and ligatures are the publisher's choice and stay.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_character_width=False, fix_latin_ligatures=False, normalization="NFC"
)
# A footer heading only ends the story when what follows is much shorter than what precedes.
_STOP_TAIL = 0.35


@dataclass
class Cleaned:
    """Body paragraphs and what was taken out of them."""

    paragraphs: list[str]
    captions: list[Caption] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)


def repair(text: str) -> str:
    """Mojibake and odd spaces repaired, NFC-normalised."""
    if not text.isascii():
        # ftfy is costly on long pages: only text with UTF-8-read-as-Latin-1/1252 traces
        # (or replacement characters) goes through it.
        if _MOJIBAKE.search(text):
            text = ftfy.fix_text(text, config=_FTFY)
        text = _ZERO_WIDTH.sub("", _ODD_SPACE.sub(" ", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def looks_like_html(text: str) -> bool:
    """A page pushed as `text`: it opens with a document or block tag."""
    return bool(_PAGE.match(text))


def strip_tags(text: str) -> str:
    """Stray tags, scripts and styles out of scraped text (entities decoded first, so escaped
    markup goes too): the body is plain text."""
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    previous = None
    # again until nothing changes: "<scr<script>ipt>" is a tag once the inner one is gone
    while "<" in text and text != previous:
        previous = text
        text = _TAG.sub(" ", _CODE_OPEN.sub(" ", _CODE_BLOCK.sub(" ", text)))
    return text


def paragraphs(text: str) -> list[str]:
    """Non-blank lines, trimmed, inner spacing collapsed: a scrape keeps one paragraph a line."""
    out = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line.strip())
        if line:
            out.append(line)
    return out


def teaser_title(line: str, r: Rules) -> str | None:
    """The headline of a teaser line ("Baca juga: X" gives X, a bare "Baca juga" gives "")."""
    if len(line) > _MAX_CHROME:
        return None
    for pattern in r.teaser:
        m = pattern.fullmatch(line)
        if m:
            return m.group("title").strip().strip(_QUOTES).strip()
    return None


def is_chrome(line: str, r: Rules) -> bool:
    """A whole line of site chrome: promotion, menu, advertisement, editor initials."""
    if len(line) > _MAX_CHROME:
        return False
    return bool(r.drop.fullmatch(line) or r.editor_initials.fullmatch(line))


def is_stop(line: str, r: Rules) -> bool:
    """A footer heading ("BERITA LAINNYA") after which nothing is the story."""
    return len(line) <= 60 and bool(r.stop.fullmatch(line))


def _is_tail(paras: list[str], at: int) -> bool:
    before = sum(len(p) for p in paras[:at])
    after = sum(len(p) for p in paras[at + 1 :])
    return after <= before * _STOP_TAIL


def strip_chrome(paras: list[str], r: Rules | None = None) -> Cleaned:
    """Drop chrome lines and teasers (kept as `related`), cut at a footer heading."""
    r = r or rules()
    kept: list[str] = []
    related: list[Related] = []
    captions: list[Caption] = []
    i = 0
    while i < len(paras):
        line = paras[i]
        title = teaser_title(line, r)
        if title is not None:
            if not title and i + 1 < len(paras) and len(paras[i + 1]) <= _MAX_CHROME:
                i += 1
                title = paras[i].strip(_QUOTES)
            if title:
                related.append(Related(title=title))
        elif is_stop(line, r):
            if kept and _is_tail(paras, i):
                break
        elif (caption := labelled_caption(line, r)) is not None:
            captions.append(caption)
        elif not is_chrome(line, r):
            kept.append(line)
        i += 1
    if kept:
        kept[-1] = r.trailing_initials.sub("", kept[-1]) or kept[-1]
    return Cleaned(kept, captions=captions, related=related)


def split_caption(line: str, r: Rules | None = None) -> Caption | None:
    """A caption and its credit when the line ends with a photo credit or starts with "Foto:"."""
    r = r or rules()
    if len(line) > 400:
        return None
    m = r.caption_credit.search(line)
    if m:
        text = line[: m.start()].strip()
        credit = m.group(0).strip()[1:-1].strip()
        return Caption(text=text, credit=credit) if text else None
    p = r.caption_prefix.match(line)
    if p and len(line) > p.end():
        return Caption(text=line[p.end() :].strip())
    return None


def labelled_caption(line: str, r: Rules | None = None) -> Caption | None:
    """A caption that says it is one: "Foto: ..." or a credit such as "(Foto: AFP)"."""
    r = r or rules()
    if len(line) > 400:
        return None
    caption = split_caption(line.rstrip(". "), r)
    if caption is None:
        return None
    if r.caption_prefix.match(line) or _CREDIT_LABEL.match(caption.credit or ""):
        return caption
    return None


def take_repeated_captions(paras: list[str], r: Rules | None = None) -> Cleaned:
    """Captions that a scrape repeats (image alt text and caption): out of the body, kept once."""
    r = r or rules()
    counts = Counter(paras)
    kept: list[str] = []
    captions: list[Caption] = []
    seen: set[str] = set()
    for line in paras:
        caption = split_caption(line, r) if counts[line] > 1 else None
        if caption is None:
            kept.append(line)
        elif line not in seen:
            seen.add(line)
            captions.append(caption)
    return Cleaned(kept, captions=captions)
