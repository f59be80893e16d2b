"""Summary: an extractive lead of the first substantial sentences of the body."""

from __future__ import annotations

import re

from streams.stages.enrich.text import sentence_spans

VERSION = "summary-lead-1"

MAX_SENTENCES = 3
TARGET_CHARS = 280
MAX_CHARS = 600
# A line shorter than this is a heading, byline or caption rather than a sentence of the story.
MIN_SENTENCE_CHARS = 40
# "JAKARTA, KOMPAS.com -" / "Sayama:" at the start of the lead is the dateline, not the story.
_DATELINE = re.compile(r"^[A-Z][\w .'/-]{1,40}?(?:,\s*[\w.]{2,30})?\s*(?:[-–—:])\s+")


def summarize(text: str) -> str | None:
    """Up to three leading sentences (about 280 characters); None when the text has none."""
    chosen: list[str] = []
    size = 0
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        if len(sentence) < MIN_SENTENCE_CHARS and not chosen:
            continue
        if not chosen:
            sentence = _DATELINE.sub("", sentence, count=1)
        if chosen and size + len(sentence) > MAX_CHARS:
            break
        chosen.append(sentence)
        size += len(sentence) + 1
        if len(chosen) >= MAX_SENTENCES or size >= TARGET_CHARS:
            break
    return " ".join(chosen) or None
