"""Entity spans as a reader marks them: consumes a sentence's words and IOB tags, produces spans.

The CRF learnt a corpus that marks "Komisi Pemilihan Umum (KPU)" as one entity and sometimes
lets a bracket into a span ("NATO)"). A reader marks the name and its acronym apart, and never a
bracket or a comma at either end; an acronym's spelt-out form is a name even when the model
missed it ("Pakta Pertahanan Atlantik Utara (NATO)"), and a known epithet ("Negeri Sakura") has
the type of what it stands for.
"""

from __future__ import annotations

from collections.abc import Sequence

from streams.stages.enrich import aliases
from streams.stages.enrich.ner_data import spans
from streams.stages.enrich.places import AMBIGUOUS, code_of
from streams.stages.enrich.words import CALENDAR, PERSON_TITLES

Span = tuple[int, int, str]

_BRACKETS = frozenset("()[]")
_LABELS = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}
# Legal-form words a company's name carries in brackets: part of the name, not a second entity.
_FORMS = frozenset({"Persero", "Tbk", "Perum", "Perseroda"})
# Lower-case words inside a spelt-out name ("Badan Pengawas Obat dan Makanan").
_JOINERS = frozenset({"dan", "untuk", "bagi", "dari", "&", "of", "for", "and", "the"})
# Longest spelt-out form looked for before an acronym, and longest name claimed after it.
_MAX_EXPANSION = 8
_MAX_NAME = 3


def _wordlike(word: str) -> bool:
    return word[:1].isalnum()


def _trim(words: Sequence[str], start: int, end: int) -> tuple[int, int]:
    while start < end and not _wordlike(words[start]):
        start += 1
    while end > start and not _wordlike(words[end - 1]):
        end -= 1
    return start, end


def pieces(words: Sequence[str], start: int, end: int, label: str) -> list[Span]:
    """One span, trimmed; "X (Y)" ending in its bracket becomes the two names X and Y."""
    start, end = _trim(words, start, end)
    if start >= end:
        return []
    if end < len(words) and words[end] in {")", "]"} and "(" in words[start:end]:
        # "NATO)" was trimmed above; a span that closed its bracket is "X (Y)".
        end += 1
    if words[end - 1] not in {")", "]"}:
        return [(start, end, label)]
    found: list[Span] = []
    piece = start
    for k in range(start, end + 1):
        if k == end or words[k] in _BRACKETS:
            a, b = _trim(words, piece, k)
            if a < b and not (b - a == 1 and words[a] in _FORMS):
                found.append((a, b, label))
            piece = k + 1
    return found


def _acronym(word: str) -> bool:
    return len(word) >= 2 and sum(ch.isupper() for ch in word) >= 2


def _expansion(words: Sequence[str], acronym_start: int) -> int:
    """Start of the capitalised name right before "(ACRONYM", or -1 when there is none."""
    k = acronym_start - 2
    start = -1
    while k >= 0 and acronym_start - 1 - k <= _MAX_EXPANSION:
        word = words[k]
        if word[:1].isupper() and not _is_title(word):
            start = k
        elif word not in _JOINERS:
            break
        k -= 1
    if start < 0 or acronym_start - 1 - start < 2:
        return -1
    return start


def _add(found: list[Span], new: Span) -> list[Span]:
    """`new` replaces the spans it overlaps, unless a longer one already covers it."""
    a, b, _ = new
    if any(s <= a and b <= e and (s, e) != (a, b) for s, e, _ in found):
        return found
    return [*(sp for sp in found if sp[1] <= a or sp[0] >= b), new]


def _expansions(words: Sequence[str], found: list[Span]) -> list[Span]:
    for start, end, label in list(found):
        if not (
            end - start == 1
            and 0 < start < len(words) - 1
            and words[start - 1] == "("
            and words[end] == ")"
            and _acronym(words[start])
        ):
            continue
        named = [s for s, e, _ in found if e == start - 1]
        first = named[0] if named else _expansion(words, start)
        if first < 0:
            continue
        if not named:
            found = _add(found, (first, start - 1, label))
        if first > 0 and _is_title(words[first - 1]):
            found = _name_after(words, found, end + 1)
    return found


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in PERSON_TITLES


def _name_after(words: Sequence[str], found: list[Span], k: int) -> list[Span]:
    """ "Sekretaris Jenderal Pakta ... (NATO) Jens Stoltenberg": after a title and its body,
    the capitalised words the model left untagged are the person."""
    end = k
    while end < len(words) and end - k < _MAX_NAME and words[end][:1].isupper():
        if _is_title(words[end]) or words[end].lower() in CALENDAR:
            break
        end += 1
    if end > k and not any(s < end and k < e for s, e, _ in found):
        found = [*found, (k, end, "PER")]
    return found


def _people(words: Sequence[str], found: list[Span]) -> list[Span]:
    """Two person spans side by side are one name ("Omar" "Beshir"); a country opening a
    person's span is where the person is from ("Perancis Jaques Chirac")."""
    out: list[Span] = []
    for s, e, label in found:
        if label == "PER" and out and out[-1][2] == "PER" and out[-1][1] == s:
            out[-1] = (out[-1][0], e, label)
            continue
        if label == "PER" and e - s >= 3:
            country = next((k for k in (s + 2, s + 1) if _country(words[s:k])), 0)
            if country and words[country][:1].isupper():
                out.extend([(s, country, "LOC"), (country, e, label)])
                continue
        out.append((s, e, label))
    return out


def _country(words: Sequence[str]) -> bool:
    code = code_of(" ".join(words))
    return code is not None and code.subdivision is None and " ".join(words) not in AMBIGUOUS


def reader_spans(words: Sequence[str], tags: Sequence[str]) -> list[Span]:
    """(start, end exclusive, label) of each entity in one sentence, in order."""
    found: list[Span] = []
    for start, end, label in sorted(spans(tags)):
        found.extend(pieces(words, start, end, label))
    found = _people(words, found)
    for start, end, alias in aliases.matches(words):
        if alias.type == "LOC" and " ".join(words[start:end]) == alias.canonical:
            # A country's own name is left to the model: news corpora leave it unmarked
            # where it works as an adjective ("rakyat Indonesia"); its epithets are names.
            continue
        found = _add(_split_person(words, found, start, end), (start, end, _LABELS[alias.type]))
    return sorted(_expansions(words, found))


def _split_person(words: Sequence[str], found: list[Span], start: int, end: int) -> list[Span]:
    """ "Kemenlu Teuku Faizasyah", "TNI Laksamana Yudo Margono": a known body opening a person's
    span is the person's employer, and its titles are not the name."""
    out: list[Span] = []
    for s, e, label in found:
        if label == "PER" and s == start and end < e:
            k = end
            while k < e and (_is_title(words[k]) or not _wordlike(words[k])):
                k += 1
            if k < e:
                out.append((k, e, label))
        else:
            out.append((s, e, label))
    return out
