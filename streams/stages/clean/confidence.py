"""Body confidence: how likely the clean body is the whole article and nothing else (0..1).

Consumes what the clean stage measured on the way (the kept body, the page's own prose, a second
reading of the article's text, the share of the extraction removed as chrome) and produces one number per article. No extra parse: every input is
a by-product of work the stage does anyway.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
# Characters of <p> text counted as a paragraph of the article's second reading.
LONG_PARAGRAPH = 80
# The first words of each text: enough to tell whether they are the same article, at a cost
# bounded on long pages (about 0.4 ms a page).
_MAX_WORDS = 1500
# Below this many characters of body, length alone lowers the confidence.
_SHORT_BODY = 600


@dataclass(frozen=True)
class BodySignals:
    """What the stage saw of one body: all lengths in characters."""

    body: str
    page_prose: int  # text of the page's <p> elements
    reference: str  # the page's long paragraphs, or its declared articleBody
    extracted: int  # the extractor's text before chrome and teasers were removed


def _shingles(text: str) -> set[tuple[str, str, str, str]]:
    words = _WORD.findall(text.casefold())[:_MAX_WORDS]
    return set(zip(words, words[1:], words[2:], words[3:], strict=False))


def agreement(body: str, reference: str) -> float | None:
    """F1 of the 4-word shingles of the body and a second reading (None without one)."""
    ref = _shingles(reference)
    if len(ref) < 20:
        return None
    ours = _shingles(body)
    if not ours:
        return 0.0
    common = len(ours & ref)
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def body_confidence(s: BodySignals) -> float:
    """One number from the signals; each is a factor in 0..1, so any one weak signal pulls the
    whole down (a body that misses half the page is not saved by being link-free)."""
    length = len(s.body)
    factors = []
    # chrome removed: a little is normal (share buttons, "Baca juga"); much means a noisy pick
    if s.extracted:
        removed = max(0.0, 1.0 - length / s.extracted)
        factors.append(1.0 - 0.6 * min(1.0, removed / 0.5))
    # the body against the page's own prose: far less is a likely miss, far more a likely spill
    if s.page_prose >= _SHORT_BODY:
        ratio = length / s.page_prose
        factors.append(min(1.0, ratio / 0.6) if ratio < 1 else min(1.0, 2.5 / (1.5 + ratio)))
    agree = agreement(s.body, s.reference)
    if agree is not None:
        factors.append(0.1 + 0.9 * agree)
    factors.append(min(1.0, 0.55 + 0.45 * math.log1p(length) / math.log1p(_SHORT_BODY)))
    value = math.prod(factors)
    return round(min(1.0, max(0.0, value)), 3)
