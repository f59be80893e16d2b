"""Keyword lexicons (Indonesian and English data files) that give evidence for IPTC codes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from streams.stages.tag.features import tokens
from streams.stages.tag.iptc import is_known, top_level_of

LEXICON_DIR = Path(__file__).parent / "lexicon"
TITLE_WEIGHT = 3.0
# Repeating one word many times says less than several different topic words.
MAX_COUNT_PER_PHRASE = 3


@dataclass(frozen=True)
class Lexicon:
    """Phrase (as a token tuple) -> the IPTC codes it signals."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    # First token -> the lengths of the phrases starting with it, so most tokens cost one lookup.
    starts: dict[str, tuple[int, ...]]

    @classmethod
    def build(cls, phrases: dict[tuple[str, ...], tuple[str, ...]]) -> Lexicon:
        starts: dict[str, set[int]] = defaultdict(set)
        for gram in phrases:
            starts[gram[0]].add(len(gram))
        return cls(phrases, {t: tuple(sorted(n)) for t, n in starts.items()})

    def hits(self, toks: list[str]) -> Counter[tuple[str, ...]]:
        """How often each lexicon phrase occurs in a token list."""
        found: Counter[tuple[str, ...]] = Counter()
        for i, tok in enumerate(toks):
            for n in self.starts.get(tok, ()):
                gram = tuple(toks[i : i + n])
                if gram in self.phrases:
                    found[gram] += 1
        return found

    def evidence(self, title: str | None, text: str) -> dict[str, float]:
        """Weighted phrase hits per code (title hits count more); codes with no hit are absent."""
        return self.evidence_tokens(tokens(title or ""), tokens(text))

    def evidence_tokens(self, title: list[str], text: list[str]) -> dict[str, float]:
        """`evidence` from the title's and the text's tokens."""
        weights = {g: float(min(c, MAX_COUNT_PER_PHRASE)) for g, c in self.hits(text).items()}
        for gram in self.hits(title):
            weights[gram] = weights.get(gram, 0.0) + TITLE_WEIGHT
        out: dict[str, float] = defaultdict(float)
        for gram, w in weights.items():
            for code in self.phrases[gram]:
                out[code] += w
        return dict(out)


def rollup(evidence: dict[str, float]) -> dict[str, float]:
    """Evidence per top-level code: its own hits plus those of its second-level children."""
    out: dict[str, float] = defaultdict(float)
    for code, w in evidence.items():
        out[top_level_of(code)] += w
    return dict(out)


def parse(data: object, origin: str) -> dict[tuple[str, ...], set[str]]:
    """Phrases of one lexicon file's content; ValueError names the file and the bad entry."""
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a mapping of IPTC code -> list of phrases")
    out: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for code, phrases in data.items():
        if not isinstance(code, str) or not is_known(code):
            raise ValueError(f"{origin}: unknown IPTC code {code!r}")
        if not isinstance(phrases, list):
            raise ValueError(f"{origin}: {code} must map to a list of phrases")
        for phrase in phrases:
            toks = tuple(tokens(str(phrase)))
            if not toks:
                raise ValueError(f"{origin}: {code}: phrase {phrase!r} has no word tokens")
            out[toks].add(code)
    return out


def load(paths: list[Path]) -> Lexicon:
    """Merge lexicon files into one index."""
    merged: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for gram, codes in parse(yaml.safe_load(fh), str(path)).items():
                merged[gram] |= codes
    return Lexicon.build({g: tuple(sorted(c)) for g, c in merged.items()})


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped Indonesian and English lexicons, merged and loaded once per process.

    Both languages are always used: Indonesian news borrows English terms, and a wrong language
    guess on a short text must not leave it without evidence.
    """
    return load(sorted(LEXICON_DIR.glob("*.yaml")))
