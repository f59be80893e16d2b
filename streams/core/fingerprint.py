"""Normalised-content hash of an article body: the key of exact de-duplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
VERSION = "fp-2"

# Whole lines that outlets add around a story (teasers, ad slots, share bars, footers); a reprint
# that differs only in these is the same story.
_CHROME = re.compile(
    r"""^\W*(?:
        (?:advertisement|iklan|scroll\s+to\s+continue\s+with\s+content|sponsored|promoted)
      | (?:artikel|berita)\s+terkait\b.{0,200}
      | (?:copyright|hak\s+cipta)\b.{0,40}(?:©|\(c\)|\d{4}).{0,150} | ©.{0,200}
      | (?:read|see|watch)\s+(?:also|more)\b.{0,200}
      | (?:share|bagikan)(?:\s+(?:this|artikel|ini|ke)\w*)*\s*(?::.{0,60})?
      | (?:terkait|berita\s+lainnya|follow\s+us|ikuti\s+kami|google\s+news|editor)
      | (?:jangan\s+lupa\s+(?:ikuti|follow|simak)|cek\s+berita\s+dan\s+artikel
         | ikuti\s+(?:media\s+sosial|akun|update|berita)|follow\s+(?:akun|us\s+on))\b.{0,200}
      | \([a-z]{2,4}(?:/[a-z]{2,4})*\)
      | (?:editor|penulis|reporter|pewarta|penyunting)\s*:.{0,60}
      | follow\b.{0,60}\bgoogle\s+news
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "Baca juga: ...", "Simak juga Video '...'", "Saksikan Live detikPagi:"; not "Baca juga
# keterangan saksi ..." in running text, so what follows must look like a title or a colon.
_TEASER = re.compile(
    r"^\W*(?:baca|simak|tonton|lihat|saksikan|dengarkan)\s+(?:juga|selengkapnya|live)\b\s*(.{0,200})$",
    re.IGNORECASE,
)
# A menu line: three or more short items separated by bars or bullets.
_MENU = re.compile(r"^\s*(?:[^|•·\n]{1,30}\s*[|•·]\s*){2,}[^|•·\n]{1,30}\s*$")


def is_chrome(line: str) -> bool:
    """True for a line of site furniture rather than story text."""
    teaser = _TEASER.match(line)
    if teaser and _looks_like_title(teaser.group(1)):
        return True
    return bool(_CHROME.match(line) or _MENU.match(line))


def _looks_like_title(rest: str) -> bool:
    if not rest or rest.endswith(":"):
        return True
    first = rest[0]
    return first in ":-–—\"'“‘" or first.isupper() or first.isdigit() or rest.startswith("video")


def strip_chrome(text: str) -> str:
    """The text without its chrome lines (paragraph breaks kept)."""
    return "\n".join(line for line in text.splitlines() if not is_chrome(line.strip()))


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
