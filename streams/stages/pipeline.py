"""The stage functions chained without Kafka: what `warta process` and the agents share."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from schemas import CleanArticle, EnrichedArticle, RawArticle, Rejection, TaggedArticle
from streams.core.decode import decode
from streams.core.ids import identify
from streams.core.limits import HtmlLimits, plain_article, screen
from streams.stages.clean import clean
from streams.stages.enrich import enrich
from streams.stages.tag import RuleSet, tag

log = logging.getLogger(__name__)

DEFAULT_LIMITS = HtmlLimits()

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


def guarded(stage: str, fn: Callable[[In], Out | Rejection], item: In) -> Out | Rejection:
    """Run one stage function; an unexpected exception becomes a rejection, never a crash."""
    try:
        return fn(item)
    except Exception as exc:  # a bug or a pathological input must not stop the stream
        log.exception("stage %s failed", stage)
        return Rejection(reason=f"{stage}_error", error=f"{type(exc).__name__}: {exc}"[:2000])


def clean_stage(raw: RawArticle, limits: HtmlLimits = DEFAULT_LIMITS) -> CleanArticle | Rejection:
    """Clean: a raw article (id filled in) to a clean article with plain-text fields only.

    Pathological HTML is refused before it is parsed; markup that survives extraction is
    stripped after it (defence in depth: the clean stage itself removes scripts and tags from
    text bodies), so nothing downstream ever holds markup.
    """
    refused = screen(raw, limits)
    if refused is not None:
        return refused
    cleaned = guarded("clean", clean, identify(raw))
    return cleaned if isinstance(cleaned, Rejection) else plain_article(cleaned)


def enrich_stage(article: CleanArticle) -> EnrichedArticle | Rejection:
    """Enrich: language, entities, places, keywords, quotes, summary."""
    return guarded("enrich", enrich, article)


def tag_stage(article: EnrichedArticle, rules: RuleSet | None = None) -> TaggedArticle | Rejection:
    """Tag: IPTC topics and the operators' rule tags."""
    return guarded("tag", lambda a: tag(a, rules), article)


def process(
    raw: RawArticle, rules: RuleSet | None = None, limits: HtmlLimits = DEFAULT_LIMITS
) -> TaggedArticle | Rejection:
    """Clean, enrich and tag one article, as the three agents do one after the other."""
    cleaned = clean_stage(raw, limits)
    if isinstance(cleaned, Rejection):
        return cleaned
    enriched = enrich_stage(cleaned)
    if isinstance(enriched, Rejection):
        return enriched
    return tag_stage(enriched, rules)


def warm_up(sample: bytes) -> None:
    """Load every model by processing one article, then move them out of the collector's way.

    A worker that loads its models on its first article makes that article seconds late, and
    the garbage collector's full passes walk the models' millions of objects again and again
    (about 8 % of enrich time): frozen, they are left alone.
    """
    raw = decode(RawArticle, sample, len(sample) + 1)
    if not isinstance(raw, Rejection):
        process(raw)
    gc.collect()
    gc.freeze()
