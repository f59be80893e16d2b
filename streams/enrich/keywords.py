"""Keywords: ranked key phrases (YAKE with language stopwords), cleaned against the entities."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import yake

from schemas.models import Entity, Keyword

VERSION = "keywords-yake-1"

TOP = 10
# YAKE's cost grows with the text; the lead and the first part of the body carry the topic.
MAX_CHARS = 3000
# News verbs of saying and filler that YAKE's Indonesian list lacks.
_EXTRA_STOPWORDS = {
    "id": """kata ujar ujarnya katanya tutur ungkap jelas tambah lanjut mengatakan menyatakan
    menjelaskan mengungkapkan menegaskan menurut menurutnya dikutip senin selasa rabu kamis
    jumat sabtu minggu januari februari maret april mei juni juli agustus september oktober
    november desember wib tahun hari pukul baca juga""".split(),
    "en": """said says told according monday tuesday wednesday thursday friday saturday sunday
    year years""".split(),
}


@lru_cache(maxsize=8)
def _extractor(lang: str) -> yake.KeywordExtractor:
    base = yake.KeywordExtractor(lan=lang, n=3, top=TOP * 2)
    stopwords = set(base.stopword_set) | set(_EXTRA_STOPWORDS.get(lang, []))
    return yake.KeywordExtractor(lan=lang, n=3, top=TOP * 2, dedup_lim=0.8, stopwords=stopwords)


def _cuts_entity(phrase: str, entities: Sequence[Entity]) -> bool:
    """True when the phrase holds part of a multi-word name but not all of it ("NATO Jens")."""
    words = phrase.lower().split()
    for ent in entities:
        name = ent.text.lower().split()
        if len(name) < 2 or " ".join(name) in " ".join(words):
            continue
        overlap = set(words) & set(name)
        if overlap and not set(name) <= set(words):
            return True
    return False


def extract_keywords(text: str, lang: str, entities: Sequence[Entity] = ()) -> list[Keyword]:
    """Up to ten key phrases, best first, scored 0..1 (1 = most central)."""
    code = lang if lang in {"id", "en"} else lang[:2]
    try:
        found = _extractor(code).extract_keywords(text[:MAX_CHARS])
    except (OSError, ValueError):
        # YAKE has no stopword list for this language: its generic list still works.
        found = _extractor("noLang").extract_keywords(text[:MAX_CHARS])
    distinct = {e.text for e in entities}
    keywords: list[Keyword] = []
    for phrase, raw in found:
        if _cuts_entity(phrase, entities) and phrase not in distinct:
            continue
        # YAKE scores are small-is-better and unbounded; map them monotonically into 0..1.
        keywords.append(Keyword(text=phrase, score=round(1.0 / (1.0 + 20.0 * float(raw)), 4)))
        if len(keywords) >= TOP:
            break
    return keywords
