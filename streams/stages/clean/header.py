"""Plain-text header reading: title, byline (authors, time) and the body's dateline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.models import Caption, Dateline
from streams.stages.clean.dates import Found, parse_text_date
from streams.stages.clean.rules import Rules, rules
from streams.stages.clean.text import split_caption

# The header of a scrape (captions, title, byline) sits in its first few lines.
_HEAD = 8
_MAX_TITLE = 200
_NAME = r"[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,5}"
_BULLET_BYLINE = re.compile(rf"^(?P<name>{_NAME}?)\s*[•|·]\s*(?P<rest>.+)$")
_NAMES_ONLY = re.compile(
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}(?:\s*(?:,|&|\band\b|\bdan\b)\s*"
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})*"
)
# "and" in the languages we read (single-letter ones too: "Luana e Raphael", "Ana y José")
# a word between two names only: "Dan Jervis-Bardy" is one name
_SPLIT_NAMES = re.compile(
    r"\s*[,&;]\s*|(?<=\S)\s+(?:and|dan|und|et|og|y|e)\s+(?=\S)", re.IGNORECASE
)

_DATELINES = (
    # "Mataram, NTB (ANTARA News) -", "LONDON (Reuters) -", "Jakarta (ANTARA) -"
    re.compile(
        r"^(?P<place>[A-Z][\w.'’ -]{1,40}?(?:,\s*[A-Z][\w.' ]{1,25}?)?)\s*"
        r"\((?P<outlet>[^()]{2,40})\)\s*[-–—]+\s*"
    ),
    # "JAKARTA, KOMPAS.com -", "Jakarta, CNN Indonesia --"
    re.compile(
        r"^(?P<place>[A-Z][\w.'’ -]{1,40}?),\s*"
        r"(?P<outlet>[A-Za-z][\w-]*(?:\.[a-z]{2,6})+|[A-Z][\w]*(?: [A-Z][\w]*){0,2})\s*[-–—]+\s*"
    ),
    # "WASHINGTON —": a place in capitals and a dash
    re.compile(r"^(?P<place>[A-Z][A-Z.'’ -]{2,40}?)\s*[-–—]+\s*(?=[A-Z\"“])"),
    # "Sayama:" (Medcom style): one to three capitalised words and a colon
    re.compile(r"^(?P<place>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2}):\s+(?=[A-Z\"“])"),
)
# Words that open a line with a colon but are labels, not places.
_NOT_PLACES = {"foto", "video", "update", "catatan", "note", "editor", "photo", "baca", "simak"}


@dataclass
class Header:
    """What the first lines of a scrape said about the article."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    date: Found | None = None
    captions: list[Caption] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    anchored: bool = False


def names(text: str) -> list[str]:
    """Person names from a byline fragment ("A, B dan C")."""
    out = []
    for part in _SPLIT_NAMES.split(text.strip(" .:-|")):
        part = part.strip(" .:-|")
        if part and len(part) <= 60 and any(c.isalpha() for c in part):
            out.append(part)
    return out


def _labelled(line: str, labels: tuple[str, ...]) -> list[str] | None:
    for label in labels:
        m = re.match(rf"^{re.escape(label)}\s*(?P<colon>[:\-]?)\s+(?P<rest>.+)$", line, re.I)
        if m:
            rest = re.split(r"\s*(?:\||•|·|\s{2,})\s*", m.group("rest"))[0]
            date = parse_text_date(rest)
            if date:
                rest = rest[: _date_start(rest)]
            # without a colon the label word may open a sentence ("Oleh karena itu, ...")
            if not m.group("colon") and not _NAMES_ONLY.fullmatch(rest.strip(" ,.")):
                continue
            return names(rest)
    return None


def _date_start(text: str) -> int:
    m = re.search(r"\d|\b(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu)\b", text, re.IGNORECASE)
    return m.start() if m else len(text)


def read_byline(line: str, header: Header, r: Rules) -> bool:
    """Fill authors/editors/date from one byline-like line; False when it is not one."""
    if len(line) > 160:
        return False
    found = False
    for part in re.split(r"\s+\|\s+", line):
        writers = _labelled(part, r.author_labels)
        editors = _labelled(part, r.editor_labels) if writers is None else None
        if writers:
            header.authors.extend(writers)
            found = True
        elif editors:
            header.editors.extend(editors)
            found = True
    m = _BULLET_BYLINE.match(line)
    date = parse_text_date(line)
    if m and not found and date:
        header.authors.extend(names(m.group("name")))
        found = True
    if date and (found or _mostly_date(line)):
        header.date = header.date or date
        found = True
    return found


def _mostly_date(line: str) -> bool:
    """A dateline of its own ("Selasa, 31 Januari 2023 15:50 WIB"), not a sentence with a date."""
    if len(line) > 80 or ". " in line or any(q in line for q in '"“”'):
        return False
    return _date_start(line) <= len(line) * 0.4


def _looks_like_title(line: str, strict: bool = False) -> bool:
    """A headline: short, no closing period; without a byline to anchor it, also no sentence
    break inside and no closing quote (a quote opening the story is body text)."""
    if len(line.split()) < 2 or len(line) > _MAX_TITLE or line.endswith((".", ":")):
        return False
    if strict:
        return ". " not in line and len(line.split()) <= 20 and not line.endswith(('"', "”"))
    return True


def read_header(paras: list[str], hint_title: str | None = None, r: Rules | None = None) -> Header:
    """Split the scrape's header (captions, title, byline) from its body."""
    r = r or rules()
    header = Header()
    byline_at = [i for i, p in enumerate(paras[:_HEAD]) if read_byline(p, header, r)]
    title_at: int | None = None
    if hint_title:
        key = hint_title.strip().casefold()
        title_at = next((i for i, p in enumerate(paras[:_HEAD]) if p.casefold() == key), None)
    if (
        title_at is None
        and byline_at
        and byline_at[0] > 0
        and _looks_like_title(paras[byline_at[0] - 1])
    ):
        title_at = byline_at[0] - 1
    if (
        title_at is None
        and not byline_at
        and len(paras) > 1
        and _looks_like_title(paras[0], strict=True)
        and len(paras[1]) > len(paras[0])
    ):
        title_at = 0
    if title_at is not None:
        header.title = paras[title_at]
    start = max([*byline_at, -1 if title_at is None else title_at]) + 1
    header.anchored = bool(byline_at)
    for p in paras[: min(start, title_at if title_at is not None else start)]:
        caption = split_caption(p, r)
        if caption:
            header.captions.append(caption)
    header.body = paras[start:] if start < len(paras) else paras
    return header


def _place(text: str) -> str:
    text = text.strip(" ,")
    return text.title() if text.isupper() else text


def read_dateline(first: str) -> tuple[Dateline, str] | None:
    """The dateline opening the first paragraph, and the paragraph without it."""
    for pattern in _DATELINES:
        m = pattern.match(first)
        if not m:
            continue
        place = m.group("place")
        if place.split()[0].casefold() in _NOT_PLACES or len(first) - m.end() < 20:
            continue
        outlet = m.groupdict().get("outlet")
        rest = first[m.end() :].lstrip()
        return Dateline(place=_place(place), outlet=outlet.strip() if outlet else None), rest
    return None
