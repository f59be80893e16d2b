"""Normalised-content hash of an article body: the key of exact de-duplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
VERSION = "fp-1"


def normalise(text: str) -> str:
    """Lower-case word tokens joined by single spaces: case, spacing and punctuation vanish."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def fingerprint(text: str) -> str:
    """A stable hex digest of the normalised text (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=16).hexdigest()
