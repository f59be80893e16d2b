"""Chrome lines: site furniture (ads, teasers, share bars, menus, footers), in one place.

Three jobs recognise chrome, each with its own list, because each list is frozen into something
derived from it:

- The clean stage (`streams/stages/clean/rules/*.yaml`, per language) does more than recognise a
  line: it keeps a teaser's headline as `related`, cuts the body at a footer heading only when
  little text follows, keeps photo captions and trims editor initials off the last paragraph.
- `is_chrome` (below) is the line test for text after, or without, cleaning: the fingerprint
  strips these lines before hashing (so its list defines the exact-dedupe keys, `fingerprint.
  VERSION`, and keys already in the dedupe tables), the worker's metrics count the ones cleaning
  left, and the dedupe evaluation builds its reprints with it. It is not derived from the clean
  rules, or that metric could never see what cleaning missed.
- `is_topic_chrome` is what the topic model's features drop; the shipped model was trained on
  those features (`streams.stages.tag.train.REVISION`), so the list changes only with a retrain.

Merging the last two was measured (union of both lists): 18 of 638 detik fingerprints change, the
topic model's grouped 5-fold agreement goes from 0.817 to 0.815, and the dedupe evaluation's
generated copies change with it. Merge them with a fingerprint version bump and a retrain.
"""

from __future__ import annotations

import re

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
    """True for a line of site furniture rather than story text (surrounding spaces ignored)."""
    line = line.strip()
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
    return "\n".join(line for line in text.splitlines() if not is_chrome(line))


# Page chrome that scraped Indonesian news carries between paragraphs, as the topic model's
# features drop it: it says nothing about the topic but is frequent enough to be learned as if
# it did.
_TOPIC_CHROME = re.compile(
    r"^\s*(?:SCROLL TO CONTINUE WITH CONTENT|ADVERTISEMENT|Advertisement|"
    r"(?:Simak|Tonton|Saksikan)(?: juga)? (?:Video|video|Vidio)\b.*|"
    r"Baca juga\s*:.*|Lihat juga\s*:.*|\[Gambas:.*\]|Halaman selanjutnya.*|"
    r"Lanjut ke halaman berikutnya.*|Pilihan Redaksi.*|Ikuti (?:berita|kami)\b.*)\s*$"
)


def is_topic_chrome(line: str) -> bool:
    """True for a line the topic model does not read."""
    return bool(_TOPIC_CHROME.match(line))
