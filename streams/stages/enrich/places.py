"""Places: countries and Indonesian provinces named in a text, with ISO 3166 codes.

Country names come from CLDR (Babel, Indonesian and English) and pycountry; provinces from
pycountry's ISO 3166-2 data. Only a few common short forms that CLDR lacks are listed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from schemas.models import Entity, Place
from streams.stages.enrich import aliases
from streams.stages.enrich.text import Token, all_tokens, tokenize, word_set

VERSION = "places-cldr-2"

# Short forms used by the Indonesian and English press that CLDR does not carry.
ALIASES: dict[str, str] = {
    "AS": "US",
    "U.S": "US",
    "US": "US",
    "USA": "US",
    "Amerika": "US",
    "Inggris": "GB",
    "UK": "GB",
    "Britain": "GB",
    "Britania Raya": "GB",
    "Cina": "CN",
    "China": "CN",
    "RRT": "CN",
    "Korsel": "KR",
    "Korut": "KP",
    "Arab Saudi": "SA",
    "Saudi": "SA",
    "Palestina": "PS",
    "Perancis": "FR",
    "Belanda": "NL",
    "Russia": "RU",
    "Vietnam": "VN",
    "Filipina": "PH",
    "Singapura": "SG",
    "Timor Leste": "TL",
    "Czech Republic": "CZ",
    "Republik Ceko": "CZ",
}

# Province names and common forms (pycountry spells Jakarta "Jakarta Raya").
PROVINCE_ALIASES: dict[str, str] = {
    "Jakarta": "ID-JK",
    "DKI Jakarta": "ID-JK",
    "DKI": "ID-JK",
    "Yogyakarta": "ID-YO",
    "DIY": "ID-YO",
    "Daerah Istimewa Yogyakarta": "ID-YO",
    "Sumatra Utara": "ID-SU",
    "Sumatra Barat": "ID-SB",
    "Sumatra Selatan": "ID-SS",
    "Papua Pegunungan": "ID-PE",
    "Bangka Belitung": "ID-BB",
    "NTB": "ID-NB",
    "NTT": "ID-NT",
    "Sulsel": "ID-SN",
    "Sulut": "ID-SA",
    "Sumut": "ID-SU",
    "Sumbar": "ID-SB",
    "Jabar": "ID-JB",
    "Jateng": "ID-JT",
    "Jatim": "ID-JI",
    "Kaltim": "ID-KI",
    "Kalbar": "ID-KB",
    "Kalsel": "ID-KS",
    "Kalteng": "ID-KT",
    "Kaltara": "ID-KU",
}

# Names that are also common words or personal names: kept only when NER calls them a place.
AMBIGUOUS = word_set(
    """
    Chad Jordan Georgia Jersey Niger Mali Guinea Togo Tonga Turkey Panama Dominica Amerika
    Man Samoa Guam Palau
    """
)

# Codes CLDR names that are not countries in ISO 3166-1 (EU, UN, pseudo-locales, ...).
_NON_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ", "AC", "DG", "EA", "IC"})


# "bahasa Inggris" names a language, not a country.
_LANGUAGE_WORDS = frozenset({"bahasa", "berbahasa", "aksara", "huruf"})


class Code(NamedTuple):
    """The ISO codes a name stands for."""

    country: str
    subdivision: str | None


def _key(name: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(name))


def _country_names() -> Iterable[tuple[str, str]]:
    import pycountry
    from babel import Locale

    for locale in ("en", "id"):
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code not in _NON_COUNTRIES:
                yield name, code
    for country in pycountry.countries:
        yield country.name, country.alpha_2
        common = getattr(country, "common_name", None)
        if common:
            yield common, country.alpha_2
    yield from ALIASES.items()


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, ...], Code]:
    """Token tuples of every known name; provinces first so country names win ties."""
    import pycountry

    index: dict[tuple[str, ...], Code] = {}
    subdivisions = pycountry.subdivisions.get(country_code="ID")  # type: ignore[no-untyped-call]
    for sub in subdivisions or []:
        if sub.type != "Geographical unit":
            index[_key(sub.name)] = Code("ID", sub.code)
    for name, code in PROVINCE_ALIASES.items():
        index[_key(name)] = Code("ID", code)
    for name, country in _country_names():
        if "," not in name and "(" not in name:
            index[_key(name)] = Code(country, None)
    return index


def code_of(name: str) -> Code | None:
    """The ISO codes of one place name ("Jepang" -> JP, "Jatim" -> ID / ID-JI), if known."""
    key = _key(name)
    return _lookup(key) if key else None


def place_names() -> list[str]:
    """Every name the matcher knows (also used as a gazetteer feature by NER)."""
    return [" ".join(key) for key in _index()]


@lru_cache(maxsize=1)
def _by_first() -> dict[str, int]:
    """Longest known name (in tokens) for each first token, to bound the lookups."""
    longest: dict[str, int] = {}
    for key in _index():
        first = key[0].title()
        longest[first] = max(longest.get(first, 0), len(key))
    return longest


def _lookup(key: tuple[str, ...]) -> Code | None:
    index = _index()
    code = index.get(key)
    if code is None and key[0].isupper() and len(key[0]) > 3:
        # Headlines in capitals: "KOREA SELATAN" is still Korea Selatan.
        code = index.get(tuple(w.title() for w in key))
    return code


def _matches(tokens: Sequence[Token]) -> Iterable[tuple[int, int, Code]]:
    by_first = _by_first()
    words = [t.text for t in tokens]
    # Names start with a capital: only those tokens are looked at (most tokens are not).
    capitals = [i for i, word in enumerate(words) if word[:1].isupper()]
    resume = 0
    for i in capitals:
        if i < resume:
            continue
        longest = by_first.get(words[i].title(), 0)
        for n in range(min(longest, len(tokens) - i), 0, -1):
            code = _lookup(tuple(words[i : i + n]))
            after_language_word = i > 0 and words[i - 1].lower() in _LANGUAGE_WORDS
            if code is not None and not after_language_word:
                yield tokens[i].start, tokens[i + n - 1].end, code
                resume = i + n
                break


def _is_loc(start: int, end: int, entities: list[Entity]) -> bool:
    return any(e.type == "LOC" and e.start == start and e.end == end for e in entities)


def _epithets(entities: list[Entity]) -> Iterable[tuple[int, int, Code]]:
    """Countries and provinces named by a known epithet ("Negeri Paman Sam" is the US;
    aliases.txt). A city's epithet names the city, not its province: not a place here."""
    for e in entities:
        alias = aliases.lookup(e.text) if e.type == "LOC" else None
        if alias is not None and alias.code and alias.key == f"LOC:{alias.code}":
            country, _, _ = alias.code.partition("-")
            yield e.start, e.end, Code(country, alias.code if "-" in alias.code else None)


def find_places(text: str, entities: list[Entity] | None = None) -> list[Place]:
    """Countries and provinces in order of first mention, one per code."""
    ents = entities or []
    seen: set[tuple[str, str | None]] = set()
    places: list[Place] = []
    found = sorted([*_matches(all_tokens(text)), *_epithets(ents)], key=lambda m: m[0])
    for start, end, code in found:
        name = text[start:end]
        if name in AMBIGUOUS and not _is_loc(start, end, ents):
            continue
        if code in seen:
            continue
        seen.add(code)
        places.append(
            Place(name=name, country_code=code.country, subdivision_code=code.subdivision)
        )
    return places
