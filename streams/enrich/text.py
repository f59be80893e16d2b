"""Tokens and sentences with character offsets, shared by the enrich components."""

from __future__ import annotations

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


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split `text` into word, number and punctuation tokens; offsets shifted by `offset`."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


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


@lru_cache(maxsize=8)
def split_sentences(text: str) -> tuple[tuple[Token, ...], ...]:
    """Group tokens into sentences; a line break always ends one (cached: every component asks)."""
    sentences: list[list[Token]] = []
    # Every line break ends a sentence: clean text puts paragraphs and headings on their own lines.
    for para in re.finditer(r"[^\n]+", text):
        tokens = [
            Token(t.text, t.start + para.start(), t.end + para.start())
            for t in tokenize(para.group())
        ]
        current: list[Token] = []
        pending_end = False
        for i, tok in enumerate(tokens):
            glued_quote = pending_end and tok.text in _QUOTES and tok.start == current[-1].end
            if pending_end and not glued_quote and not tok.text[:1].islower():
                sentences.append(current)
                current = []
            current.append(tok)
            pending_end = glued_quote or _ends_sentence(tokens, i)
        if current:
            sentences.append(current)
    return tuple(tuple(s) for s in sentences)


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
