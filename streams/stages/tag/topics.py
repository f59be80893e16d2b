"""Topic classifier: consumes an article's title, body and language, produces scored IPTC topics.

Two sources of evidence are mixed. The trained model knows the five detik desks (Indonesian
only); the keyword lexicons know all 17 top-level codes in Indonesian and English. For an
Indonesian article the model decides among its desks and the lexicons can override it only
when another subject dominates (a match report, a weather forecast); for other languages the
model barely reads the text, so the lexicons decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.models import Topic
from streams.stages.tag.features import document_tokens
from streams.stages.tag.iptc import SECOND_LEVEL, TOP_LEVEL, label
from streams.stages.tag.lexicon import Lexicon, default_lexicon, rollup
from streams.stages.tag.model import LinearTopicModel, default_model

# Languages the model was trained on (Malay is close enough to Indonesian to share it).
MODEL_LANGUAGES = frozenset({"id", "ms"})
# Share of the model among its own desk codes; tuned by cross-validation on detik_dev.
MODEL_WEIGHT = 0.8
# For other languages the model mostly sees unknown words: a small say only.
OTHER_LANGUAGE_MODEL_WEIGHT = 0.15
# Mass that lexicon evidence for a code outside the desks takes: OUTSIDE_WEIGHT x share^POWER.
# The power lets such a code win only when it dominates the evidence (a sports report), not when
# it is one theme among several (a school in a welfare story). Tuned by cross-validation.
OUTSIDE_WEIGHT = 0.5
OUTSIDE_POWER = 3.0
# Extra top-level topics must reach this score; the best one is always kept.
MIN_TOP_SCORE = 0.25
MAX_TOP = 3
# A code that is a clear theme of the text (a flood in a development story) is listed even when
# the desk model keeps the first place: this share of all lexicon evidence, and this many hits.
MIN_THEME_SHARE = 0.3
MIN_THEME_EVIDENCE = 4.0
MIN_THEME_SCORE = 0.05
# A second-level code needs this much lexicon evidence (a title hit, or two body hits)...
MIN_SUB_EVIDENCE = 2.0
# ...and its score, parent score x evidence / (evidence + SUB_PRIOR), must reach MIN_SUB_SCORE.
SUB_PRIOR = 2.0
MIN_SUB_SCORE = 0.1
MAX_SUB = 3


def mix(probs: dict[str, float], evidence: dict[str, float], language: str) -> dict[str, float]:
    """Scores per top-level code (summing to 1) from model probabilities and lexicon evidence."""
    total = sum(evidence.values())
    if total <= 0:
        return dict(probs)
    share = {c: v / total for c, v in evidence.items()}
    if language not in MODEL_LANGUAGES:
        w = OTHER_LANGUAGE_MODEL_WEIGHT
        codes = probs.keys() | share.keys()
        return {c: w * probs.get(c, 0.0) + (1 - w) * share.get(c, 0.0) for c in codes}
    outside = {c: OUTSIDE_WEIGHT * s**OUTSIDE_POWER for c, s in share.items() if c not in probs}
    inside_total = sum(s for c, s in share.items() if c in probs)
    w = MODEL_WEIGHT if inside_total > 0 else 1.0
    remaining = 1.0 - sum(outside.values())
    inside = {
        c: remaining * (w * p + (1 - w) * share.get(c, 0.0) / (inside_total or 1.0))
        for c, p in probs.items()
    }
    return inside | outside


@dataclass(frozen=True)
class Classifier:
    """The model and lexicon a classification uses (the shipped ones unless given)."""

    model: LinearTopicModel
    lexicon: Lexicon

    @classmethod
    def default(cls) -> Classifier:
        return cls(default_model(), default_lexicon())

    def classify(self, title: str | None, text: str, language: str) -> list[Topic]:
        """Scored topics: at least one top-level code, then confident second-level codes."""
        # One tokenisation serves the model (title twice, no chrome) and the lexicon (all).
        title_tokens, body_tokens, doc_tokens = document_tokens(title, text)
        probs = self.model.predict_tokens(doc_tokens)
        evidence = self.lexicon.evidence_tokens(title_tokens, body_tokens)
        top_evidence = rollup(evidence)
        scores = mix(probs, top_evidence, language)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen = _choose(ranked, top_evidence)
        topics = [Topic(code=c, label=TOP_LEVEL[c], score=_unit(s)) for c, s in chosen]
        return topics + _second_level(evidence, dict(chosen))


def _choose(ranked: list[tuple[str, float]], evidence: dict[str, float]) -> list[tuple[str, float]]:
    """The best code, then up to MAX_TOP - 1 others that score well or are a clear theme."""
    total = sum(evidence.values()) or 1.0

    def keep(code: str, score: float) -> bool:
        ev = evidence.get(code, 0.0)
        theme = ev >= MIN_THEME_EVIDENCE and ev / total >= MIN_THEME_SHARE
        return score >= MIN_TOP_SCORE or (theme and score >= MIN_THEME_SCORE)

    return [ranked[0], *[(c, s) for c, s in ranked[1:] if keep(c, s)][: MAX_TOP - 1]]


def _unit(score: float) -> float:
    """A score rounded for output and clamped into 0..1 against float drift."""
    return min(1.0, max(0.0, round(score, 4)))


def _second_level(evidence: dict[str, float], parents: dict[str, float]) -> list[Topic]:
    """Second-level codes with enough lexicon evidence under a chosen top-level code."""
    subs: list[tuple[float, str]] = []
    for code, ev in evidence.items():
        parent = SECOND_LEVEL[code][1] if code in SECOND_LEVEL else None
        if parent not in parents or ev < MIN_SUB_EVIDENCE:
            continue
        score = parents[parent] * ev / (ev + SUB_PRIOR)
        if score >= MIN_SUB_SCORE:
            subs.append((score, code))
    subs.sort(key=lambda sc: (-sc[0], sc[1]))
    return [Topic(code=c, label=label(c), score=_unit(s)) for s, c in subs[:MAX_SUB]]


def classify(title: str | None, text: str, language: str) -> list[Topic]:
    """Topics of an article with the shipped model and lexicons."""
    return Classifier.default().classify(title, text, language)
