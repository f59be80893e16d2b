"""Enrich stage: consumes a CleanArticle, produces an EnrichedArticle (or a Rejection).

Adds language, named entities (and the same resolved per person, body or place), places, keywords, quotes and a lead summary; every component
stamps its version into `versions` so a later re-enrichment can tell what changed.
"""

from __future__ import annotations

from schemas.models import CleanArticle, EnrichedArticle, Rejection
from streams.stages.enrich import keywords, language, ner, places, quotes, resolve, summary

VERSION = "enrich-1"

COMPONENT_VERSIONS: dict[str, str] = {
    "enrich": VERSION,
    "language": language.VERSION,
    "ner": ner.VERSION,
    "resolve": resolve.VERSION,
    "places": places.VERSION,
    "keywords": keywords.VERSION,
    "quotes": quotes.VERSION,
    "summary": summary.VERSION,
}

__all__ = ["COMPONENT_VERSIONS", "VERSION", "enrich"]


def enrich(article: CleanArticle) -> EnrichedArticle | Rejection:
    """Enrich one article; a body without any words is rejected as `no_content`."""
    text = article.text
    if not any(ch.isalnum() for ch in text):
        return Rejection(reason="no_content", error="article text has no words to enrich")
    sample = (
        text
        if len(text) >= language.SHORT_CHARS or not article.title
        else (f"{article.title}\n{text}")
    )
    lang = language.detect(sample, hint=article.language_hint)
    entities = ner.extract_entities(text, lang.code)
    fields = article.model_dump()
    fields["versions"] = {**article.versions, **COMPONENT_VERSIONS}
    return EnrichedArticle(
        **fields,
        language=lang,
        entities=entities,
        resolved_entities=resolve.resolve(text, entities),
        places=places.find_places(text, entities),
        keywords=keywords.extract_keywords(text, lang.code, entities),
        quotes=quotes.find_quotes(text, entities),
        summary=summary.summarize(text),
    )
