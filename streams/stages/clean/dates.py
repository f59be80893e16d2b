"""Date parsing for bylines and hints: Indonesian/English names, WIB/WITA/WIT, ISO 8601."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

from streams.stages.clean.rules import rules

# Confidence of a date by how much the page told us about it.
CONF_ZONED = 0.95
CONF_ISO_NAIVE = 0.7
CONF_DEFAULT_ZONE = 0.6
CONF_NO_TIME = 0.5

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class Found:
    """A date read from text: aware when the text named a zone, naive otherwise."""

    value: datetime
    has_time: bool
    zoned: bool


def _offset(text: str) -> timezone | None:
    text = text.strip().upper()
    named = rules().zones.get(text)
    if named:
        text = named
    m = re.fullmatch(r"(?:GMT|UTC)?\s*([+-])(\d{1,2}):?(\d{2})?", text)
    if not m:
        return UTC if text in {"Z", "UTC", "GMT"} else None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    r = rules()
    months = "|".join(sorted((re.escape(m) for m in r.months), key=len, reverse=True))
    zones = "|".join(sorted(r.zones, key=len, reverse=True))
    words = "|".join(re.escape(w) for w in r.time_words)
    time = (
        rf"(?:[,|•@\-–—\s]+(?:(?:{words})\s+)?(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})(?:[:.]\d{{2}})?"
        r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
    )
    offsets = r"(?:GMT|UTC)\s*[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    zone = rf"(?:\s*\(?(?P<z>{zones}|{offsets})\)?)?"
    # "4. Mai 2022", "1er mars 2021", "4 de mayo de 2022", "16 marca 2021"
    day_first = (
        rf"\b(?P<d>\d{{1,2}})(?:\.|er|º)?\s+(?:de\s+)?(?P<mo>{months})\.?,?\s+(?:de\s+|del\s+)?"
        rf"(?P<y>\d{{4}}){time}{zone}"
    )
    month_first = (
        rf"\b(?P<mo>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){time}{zone}"
    )
    # day first, as in Indonesia and Europe: "20/10/2025", "26.01.2022", "26 | 01 | 2022"
    numeric = (
        r"\b(?P<d>\d{1,2})\s?(?P<sep>[/.|])\s?(?P<mo>\d{1,2})\s?(?P=sep)\s?(?P<y>\d{4})\b\)?"
        rf"{time}{zone}"
    )
    flags = re.IGNORECASE
    return re.compile(day_first, flags), re.compile(month_first, flags), re.compile(numeric, flags)


_YEAR = re.compile(r"\d{4}")
_ISO = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_iso(text: str) -> Found | None:
    """An ISO 8601 date or timestamp anywhere in the text."""
    m = _ISO.search(text)
    if not m:
        return None
    y, mo, d, h, mi, z = m.groups()
    try:
        value = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0))
    except ValueError:
        return None
    tz = _offset(z) if z else None
    if tz and h is not None:
        return Found(value.replace(tzinfo=tz), True, True)
    return Found(value, h is not None, False)


def _build(m: re.Match[str], month: int) -> Found | None:
    hour = int(m.group("h")) if m.group("h") else 0
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        value = datetime(int(m.group("y")), month, int(m.group("d")), hour, int(m.group("mi") or 0))
    except ValueError:
        return None
    tz = _offset(m.group("z")) if m.group("z") else None
    has_time = m.group("h") is not None
    if tz is not None:
        return Found(value.replace(tzinfo=tz), has_time, True)
    return Found(value, has_time, False)


def parse_text_date(text: str) -> Found | None:
    """The first written date in text: "Selasa, 31 Januari 2023 15:50 WIB", "Senin (20/10/2025)"."""
    if not _YEAR.search(text):  # every form below writes a four-digit year
        return None
    day_first, month_first, numeric = _patterns()
    months = rules().months
    best: tuple[int, Found] | None = None
    for pattern in (day_first, month_first):
        m = pattern.search(text)
        if m:
            found = _build(m, months[m.group("mo").casefold()])
            if found and (best is None or m.start() < best[0]):
                best = (m.start(), found)
    if best:
        return best[1]
    m = numeric.search(text)
    if m and 1 <= int(m.group("mo")) <= 12:
        return _build(m, int(m.group("mo")))
    return parse_iso(text)


def localise(found: Found, default: timezone | None) -> tuple[datetime, float] | None:
    """An aware datetime and its confidence; naive dates take the outlet's default zone."""
    if found.zoned:
        return found.value, CONF_ZONED if found.has_time else CONF_NO_TIME
    if default is None:
        return None
    conf = CONF_DEFAULT_ZONE if found.has_time else CONF_NO_TIME
    return found.value.replace(tzinfo=default), conf


def parse_hint(text: str, default: timezone | None) -> tuple[datetime, float] | None:
    """A producer's date hint in any common form; dateparser is the slow last resort."""
    found = parse_text_date(text)
    if found is None:
        found = _dateparser(text)
    return localise(found, default) if found else None


def _dateparser(text: str) -> Found | None:
    import dateparser

    value = dateparser.parse(text, languages=["id", "en"])
    if value is None:
        return None
    return Found(value, True, value.tzinfo is not None)
