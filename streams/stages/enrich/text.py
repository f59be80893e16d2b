"""Tokens and sentences with character offsets, shared by the enrich components."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import NamedTuple


def word_set(words: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of `words` (for readable word lists)."""
    return frozenset(words.split())


# Words keep inner hyphens, apostrophes, dots and slashes ("PDI-P", "2.000", "29/10/2013"),
# so a reduplicated Indonesian plural ("negara-negara") stays one token.
_TOKEN = re.compile(r"\w+(?:[-'’./]\w+)*|[^\w\s]", re.UNICODE)

# Abbreviations whose dot does not end a sentence (Indonesian and English).
_ABBREV = word_set(
    """
    a.n bp dr drs dll dsb dst h hj ir jl jln kol kh letjen mayjen brigjen no prof pt sdr sh
    st tn ny nn yth mr mrs ms jr sr inc ltd co corp vs etc gen sen rep gov lt col capt sgt
    u.s mt ft
    """
)


_QUOTES = frozenset("\"”’'")


class Token(NamedTuple):
    """A token of `text` with its character offsets."""

    text: str
    start: int
    end: int


_new_tuple = tuple.__new__
_group, _start, _end = re.Match.group, re.Match.start, re.Match.end
_LINE = re.compile(r"[^\n]+")
_ENDERS = frozenset({".", "!", "?"})


def _scan(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of `text[start:end]` with offsets into `text` (no copy of the slice)."""
    found = list(_TOKEN.finditer(text, start, len(text) if end is None else end))
    # map() over the matches builds the tuples in C (no Python frame per token, as
    # Token._make would be): tokenising is the hot loop of enrich.
    columns = zip(map(_group, found), map(_start, found), map(_end, found), strict=True)
    return list(map(_new_tuple, itertools.repeat(Token), columns))


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split `text` into word, number and punctuation tokens; offsets shifted by `offset`."""
    if offset == 0:
        return _scan(text)
    return [Token(t.text, t.start + offset, t.end + offset) for t in _scan(text)]


def _ends_sentence(tokens: list[Token], i: int) -> bool:
    tok = tokens[i].text
    if tok in {"!", "?"}:
        return True
    if tok != ".":
        return False
    prev = tokens[i - 1].text if i > 0 else ""
    glued = i > 0 and tokens[i - 1].end == tokens[i].start
    if glued and (prev.lower() in _ABBREV or (len(prev) == 1 and prev.isalpha())):
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    # "3.5" is one token already; a dot before a lowercase word is rarely a sentence end.
    return nxt is None or not nxt.text[:1].islower()


def _line_sentences(tokens: list[Token]) -> list[tuple[Token, ...]]:
    """The sentences of one line's tokens."""
    if not tokens:
        return []
    words = [t.text for t in tokens]
    n = len(words)
    cuts = [0]
    # Only ".", "!" and "?" can end a sentence: look at those, not at every token.
    for i in [k for k, word in enumerate(words) if word in _ENDERS]:
        if not _ends_sentence(tokens, i):
            continue
        # A closing quote glued to the end mark stays with the sentence it closes.
        j = i + 1
        while j < n and words[j] in _QUOTES and tokens[j].start == tokens[j - 1].end:
            j += 1
        # A lowercase word after the mark continues the sentence.
        if j < n and not words[j][:1].islower():
            cuts.append(j)
    cuts.append(n)
    return [tuple(tokens[a:b]) for a, b in itertools.pairwise(cuts)]


class _Line(NamedTuple):
    end: int
    sentences: tuple[tuple[Token, ...], ...]


@lru_cache(maxsize=8)
def _lines(text: str) -> tuple[_Line, ...]:
    """Each line's end offset and sentences (cached: every component asks for the same text)."""
    return tuple(
        _Line(m.end(), tuple(_line_sentences(_scan(text, m.start(), m.end()))))
        for m in _LINE.finditer(text)
    )


@lru_cache(maxsize=8)
def split_sentences(text: str) -> tuple[tuple[Token, ...], ...]:
    """Group tokens into sentences; a line break always ends one (cached: every component asks)."""
    # Every line break ends a sentence: clean text puts paragraphs and headings on their own lines.
    return tuple(sent for line in _lines(text) for sent in line.sentences)


def split_prefix(text: str, limit: int) -> tuple[tuple[Token, ...], ...]:
    """`split_sentences(text[:limit])`, reusing the whole text's lines before the cut."""
    if limit >= len(text):
        return split_sentences(text)
    sentences: list[tuple[Token, ...]] = []
    for line in _lines(text):
        if line.end <= limit:
            sentences.extend(line.sentences)
            continue
        # The line the cut falls in is split again as the cut leaves it (if it starts before).
        start = text.rfind("\n", 0, line.end) + 1
        if start < limit:
            sentences.extend(_line_sentences(_scan(text, start, limit)))
        break
    return tuple(sentences)


@lru_cache(maxsize=8)
def all_tokens(text: str) -> tuple[Token, ...]:
    """Every token of `text` in order (the same as `tokenize(text)`, from the shared split)."""
    return tuple(tok for sent in split_sentences(text) for tok in sent)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (for summaries and quotes)."""
    spans: list[tuple[int, int]] = []
    for sent in split_sentences(text):
        end = sent[-1].end
        # A closing quote glued to the final dot belongs to the sentence.
        while end < len(text) and text[end] in "\"”’'":
            end += 1
        spans.append((sent[0].start, end))
    return spans
