"""Synthetic copies and hard negatives of a story, for evaluating and benchmarking dedupe."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from streams.core.fingerprint import is_chrome

_SENTENCE = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“A-Z0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)
_LEADING_DATELINE = re.compile(r"^[A-Z][A-Za-z .]{1,30}(?:,\s*[\w.]+)?\s*[-–—:]\s+")

CITIES = ("JAKARTA", "BANDUNG", "SURABAYA", "MEDAN", "MAKASSAR", "SEMARANG", "DENPASAR")
OUTLETS = ("Warta24", "KabarNusa.id", "Berita Kita", "Suara Pagi", "Nusantara Post")

# Site furniture of an imaginary reprinting outlet; some lines are known chrome, some are not.
_MENUS = (
    "Home | Berita | Ekonomi | Olahraga | Hiburan | Otomotif",
    "Tentang Kami · Redaksi · Pedoman Media Siber · Kontak",
    "Copyright © 2025 {outlet}. All rights reserved.",
    "Follow {outlet} di Google News",
    "Editor: {editor}",
    "Tags: {tags}",
    "Foto: Dok. Istimewa",
)
_EDITORS = ("Rina Kusuma", "Dimas Prasetyo", "Ayu Lestari", "Bagus Santoso")


def paragraphs(text: str) -> list[str]:
    """Non-empty lines of the text: the paragraphs of a scraped article."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def sentences(paragraph: str) -> list[str]:
    """A light sentence split: after . ! ? when a capital, digit or quote follows."""
    return [s for s in _SENTENCE.split(paragraph) if s.strip()]


def reprint_with_chrome(text: str, rng: random.Random, teasers: Sequence[str]) -> str:
    """The same body on another site: its chrome replaced by new teasers, ads, menus, credits."""
    body = [p for p in paragraphs(text) if not is_chrome(p)]
    outlet = rng.choice(OUTLETS)
    out = list(body)
    for _ in range(rng.randint(1, 3)):
        out.insert(rng.randint(1, max(1, len(out) - 1)), f"Baca juga: {rng.choice(teasers)}")
    out.insert(rng.randint(1, max(1, len(out) - 1)), "ADVERTISEMENT")
    out.insert(rng.randint(1, max(1, len(out) - 1)), "SCROLL TO CONTINUE WITH CONTENT")
    if rng.random() < 0.5:
        out.append(f"Simak juga Video '{rng.choice(teasers)}':")
    words = _WORD.findall(" ".join(body[:1])) or ["berita"]
    tags = ", ".join(rng.sample(words, k=min(3, len(words))))
    for line in rng.sample(_MENUS, k=rng.randint(3, len(_MENUS))):
        out.append(line.format(outlet=outlet, editor=rng.choice(_EDITORS), tags=tags))
    return "\n\n".join(out)


def trimmed(text: str, rng: random.Random, low: float = 0.15, high: float = 0.25) -> str:
    """A copy with a random 15-25% of its sentences dropped (paragraph breaks kept)."""
    units = [[s for s in sentences(p)] for p in paragraphs(text)]
    flat = [(i, j) for i, sents in enumerate(units) for j in range(len(sents))]
    count = max(1, round(len(flat) * rng.uniform(low, high))) if len(flat) > 1 else 0
    drop = set(rng.sample(flat, k=count))
    kept = [
        " ".join(s for j, s in enumerate(sents) if (i, j) not in drop)
        for i, sents in enumerate(units)
    ]
    return "\n".join(p for p in kept if p)


def new_dateline(text: str, rng: random.Random) -> str:
    """The body under another outlet's dateline ("MEDAN, Warta24 - ...")."""
    lines = paragraphs(text)
    if not lines:
        return text
    first = _LEADING_DATELINE.sub("", lines[0], count=1)
    lines[0] = f"{rng.choice(CITIES)}, {rng.choice(OUTLETS)} - {first}"
    return "\n".join(lines)


def edited(text: str, rng: random.Random, vocabulary: Sequence[str], rate: float = 0.07) -> str:
    """A new dateline and about `rate` of the words replaced by other words of the corpus."""

    def swap(match: re.Match[str]) -> str:
        return rng.choice(vocabulary) if rng.random() < rate else match.group(0)

    return new_dateline(_WORD.sub(swap, text), rng)


def rewrite(text: str, donor: str, rng: random.Random, keep: float = 0.0) -> str | None:
    """A hard negative: the same event's lede, then another story's body, quotes and all.

    It shares the opening facts and names of `text` but not its reporting, like a second
    outlet's write-up of the same event. With `keep` > 0 it is a follow-up instead: the first
    `keep` share of the paragraphs, then the new reporting. The donor must not be in the
    evaluated stream; None when the donor is too short.
    """
    own = [p for p in paragraphs(text) if not is_chrome(p)]
    other = [p for p in paragraphs(donor) if not is_chrome(p)]
    lede = sentences(own[0])[:2] if own else []
    if keep > 0:
        lede = own[: max(1, round(keep * len(own)))]
    body = other[rng.randint(1, 2) :]
    # A donor too short to replace the reporting would leave a trimmed copy, not a rewrite.
    if len(_WORD.findall(" ".join(body))) < 0.6 * len(_WORD.findall(" ".join(own))):
        return None
    opening = lede if keep > 0 else [" ".join(lede)]
    return "\n".join([*opening, *body])
