"""Direct quotes and their speakers ("..." kata Stoltenberg; "...," he said), from text and entities."""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemas.models import Entity, Quote

VERSION = "quotes-rules-1"

_QUOTE = re.compile(r'"([^"\n]{12,}?)"|“([^”\n]{12,}?)”|«([^»\n]{12,}?)»|„([^“\n]{12,}?)“')

# Verbs of saying that follow a quote ("..." kata X / "..." ujarnya / "..." he said).
_SAY_ID = (
    r"kata|ujar|tutur|ucap|ungkap|jelas|tambah|imbuh|lanjut|tegas|sebut|papar|terang|"
    r"tandas|pungkas|seru|tanya|klaim|akui|aku|bilang|cetus|kilah|timpal|sambung|lanjutnya|"
    r"demikian|menurut"
)
_SAY_EN = r"said|says|added|told|asked|explained|wrote|according\s+to|continued|noted|stressed"
_PRONOUNS = r"dia|ia|beliau|mereka|he|she|they"

# '..., kata Stoltenberg' / ', ujar Ketua KPU Hasyim' / ', lanjut dia' / ', ujarnya'
_AFTER = re.compile(
    rf"^[\s,.]*(?:(?P<nya>(?:{_SAY_ID})nya)\b|(?:{_SAY_ID}|{_SAY_EN})\s+(?P<who>.{{0,80}}))",
    re.IGNORECASE,
)
# '..., Smith said' / '..., he said'
_AFTER_EN = re.compile(rf"^[\s,]*(?P<who>[^.,;\"]{{1,60}}?)\s+(?:{_SAY_EN})\b", re.IGNORECASE)
# 'Stoltenberg mengatakan, "..."' / 'Smith said: "..."' / 'Menurut Smith, "..."'
_SAY_BEFORE = rf"mengatakan|menyatakan|menegaskan|menjelaskan|mengungkapkan|berkata|{_SAY_EN}"
_BEFORE = re.compile(
    rf"(?:(?P<who>[^.\"”]{{1,80}}?)\s+(?:{_SAY_BEFORE})(?:\s+bahwa)?|"
    rf"menurut\s+(?P<who2>[^.\"”,]{{1,60}}))"
    r"[\s,:]*$",
    re.IGNORECASE,
)
# `_BEFORE` tries every start position of the line; most lines have no verb of saying at all,
# and this plain scan rules them out first (a `_BEFORE` match always contains one).
_ANY_SAY_BEFORE = re.compile(rf"{_SAY_BEFORE}|menurut", re.IGNORECASE)
# A `_BEFORE` match spans at most a speaker (80), a verb and a few spaces: searching only this
# much of the line before a quote finds the same match without rescanning a long paragraph.
_BEFORE_WINDOW = 240
# A short unattributed quote is usually a scare quote ("saling terkait"), not a statement.
_SCARE_WORDS = 6
_PRONOUN = re.compile(rf"^(?:{_PRONOUNS})\b", re.IGNORECASE)


def _people(entities: Sequence[Entity]) -> list[Entity]:
    return [e for e in entities if e.type == "PERSON"]


def _full_name(name: str, people: Sequence[Entity]) -> str:
    """The longest mention that starts or ends with a short form ("Stoltenberg" -> "Jens
    Stoltenberg"; Indonesian papers also shorten to the first name: "Kirana" -> "Kirana Wulandari")."""
    words = name.split()
    k = len(words)
    longer = [
        p.text
        for p in people
        if len(p.text) > len(name) and words in (p.text.split()[-k:], p.text.split()[:k])
    ]
    return max(longer, key=len) if longer else name


def _person_in(start: int, end: int, people: Sequence[Entity]) -> Entity | None:
    inside = [p for p in people if start <= p.start and p.end <= end]
    return inside[0] if inside else None


def _last_person(
    before: int, people: Sequence[Entity], quotes: Sequence[tuple[int, int]]
) -> str | None:
    """The last person named outside quotes before `before` ("lanjut dia" refers back to them)."""
    for p in reversed(people):
        in_quote = any(a <= p.start < b for a, b in quotes)
        if p.end <= before and not in_quote:
            return p.text
    return None


def _speaker_after(
    text: str, end: int, people: Sequence[Entity], spans: Sequence[tuple[int, int]]
) -> str | bool | None:
    """Speaker named right after the quote; False when the quote has no attribution there."""
    tail = text[end : end + 120].split("\n", 1)[0]
    m = _AFTER.match(tail)
    if m and m.group("nya"):
        return _last_person(end, people, spans)
    if m:
        who_start = end + m.start("who")
        if _PRONOUN.match(m.group("who")):
            return _last_person(end, people, spans)
        person = _person_in(who_start, who_start + 80, people)
        return person.text if person else None
    m = _AFTER_EN.match(tail)
    if m:
        if _PRONOUN.match(m.group("who")):
            return _last_person(end, people, spans)
        person = _person_in(end + m.start("who"), end + m.end("who"), people)
        return person.text if person else None
    return False


def _speaker_before(
    text: str, start: int, people: Sequence[Entity], spans: Sequence[tuple[int, int]]
) -> str | None:
    line_start = max(text.rfind("\n", 0, start) + 1, start - _BEFORE_WINDOW)
    head = text[line_start:start]
    m = _BEFORE.search(head) if _ANY_SAY_BEFORE.search(head) else None
    if not m:
        return None
    group = "who" if m.group("who") else "who2"
    who = m.group(group)
    if _PRONOUN.search(who.strip().split()[-1] if who.strip() else ""):
        return _last_person(start, people, spans)
    a = line_start + m.start(group)
    person = _person_in(a, line_start + m.end(group), people)
    return person.text if person else None


def find_quotes(text: str, entities: Sequence[Entity]) -> list[Quote]:
    """Quotes of at least a few words, each with its speaker's fullest name when found."""
    people = _people(entities)
    matches = list(_QUOTE.finditer(text))
    spans = [(m.start(), m.end()) for m in matches]
    quotes: list[Quote] = []
    for m in matches:
        body = next(g for g in m.groups() if g is not None).strip().rstrip(",").strip()
        if len(body.split()) < 3:
            continue
        speaker = _speaker_after(text, m.end(), people, spans)
        if speaker is False:
            speaker = _speaker_before(text, m.start(), people, spans)
        name = _full_name(speaker, people) if isinstance(speaker, str) else None
        if name is None and len(body.split()) < _SCARE_WORDS:
            continue
        quotes.append(Quote(text=body, speaker=name))
    return quotes
