"""Normalised-content hash of an article body: the key of exact de-duplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from streams.core.chrome import is_chrome, strip_chrome

# The chrome rulebook is `streams.core.chrome` (re-exported here: the metrics count chrome lines).
__all__ = ["VERSION", "fingerprint", "is_chrome", "normalise", "strip_chrome", "tokens"]

_WORD = re.compile(r"\w+", re.UNICODE)
VERSION = "fp-2"


def tokens(text: str) -> list[str]:
    """Case-folded word tokens of the text without its chrome lines."""
    folded = unicodedata.normalize("NFKC", strip_chrome(text)).casefold()
    return _WORD.findall(folded)


def normalise(text: str) -> str:
    """Lower-case word tokens joined by single spaces: case, spacing, punctuation, chrome vanish."""
    return " ".join(tokens(text))


def fingerprint(text: str) -> str:
    """A stable hex digest of the normalised text (BLAKE2b, 128 bits).

    A text that is all chrome normalises to nothing; it is hashed as it is instead, so that
    such texts do not all share one fingerprint.
    """
    basis = normalise(text) or "\x00raw:" + text.strip()
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=16).hexdigest()
