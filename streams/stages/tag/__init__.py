"""Tag stage: consumes an EnrichedArticle, produces a TaggedArticle (IPTC topics, rule tags)."""

from __future__ import annotations

from schemas.models import EnrichedArticle, Rejection, TaggedArticle, Topic
from streams.stages.tag.evaluate import evaluate_topics
from streams.stages.tag.iptc import TOP_LEVEL
from streams.stages.tag.model import default_model
from streams.stages.tag.rules import RulesError, RuleSet, load_rules, parse_rules
from streams.stages.tag.topics import Classifier

VERSION = "1.0.0"
NO_RULES = "none"

__all__ = [
    "VERSION",
    "RuleSet",
    "RulesError",
    "evaluate_topics",
    "load_rules",
    "parse_rules",
    "tag",
]


def _order(topics: list[Topic]) -> list[Topic]:
    """Top-level codes first, each group by descending score; one entry per code (best score)."""
    best: dict[str, Topic] = {}
    for t in topics:
        if t.code not in best or t.score > best[t.code].score:
            best[t.code] = t
    return sorted(best.values(), key=lambda t: (t.code not in TOP_LEVEL, -t.score, t.code))


def tag(article: EnrichedArticle, rules: RuleSet | None = None) -> TaggedArticle | Rejection:
    """Topics from the classifier plus the tags and topics of matching operator rules."""
    topics = Classifier.default().classify(article.title, article.text, article.language.code)
    tags: list[str] = []
    if rules is not None:
        tags, extra = rules.apply(article, topics)
        topics = _order(topics + extra)
    versions = dict(article.versions)
    versions["topics"] = f"{VERSION}+{default_model().version}"
    versions["rules"] = rules.version if rules is not None else NO_RULES
    # A re-tagged TaggedArticle arrives with its old topics/tags; only EnrichedArticle's fields
    # carry over.
    fields = article.model_dump(include=set(EnrichedArticle.model_fields), exclude={"versions"})
    return TaggedArticle(**fields, topics=topics, tags=tags, versions=versions)
