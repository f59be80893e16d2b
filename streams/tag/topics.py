"""Topic classifier: consumes an article's title, body and language, produces scored IPTC topics.

Two sources of evidence are mixed. The trained model knows the five detik desks (Indonesian
only); the keyword lexicons know all 17 top-level codes in Indonesian and English. For an
Indonesian article the model carries most of the weight; for other languages it barely reads
the text, so the lexicons decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.models import Topic
from streams.tag.features import document
from streams.tag.iptc import SECOND_LEVEL, TOP_LEVEL, label
from streams.tag.lexicon import Lexicon, default_lexicon, rollup
from streams.tag.model import LinearTopicModel, default_model

# Share of the model in the mix, by language; tuned by cross-validation on detik_dev.
MODEL_WEIGHT = {"id": 0.8, "ms": 0.8}
OTHER_LANGUAGE_MODEL_WEIGHT = 0.15
# How far lexicon evidence for codes outside the model's desks can pull mass away from them.
OUTSIDE_WEIGHT = 0.2
# Raising the share to a power > 1 lets an outside code win only when it dominates the evidence
# (a sports report), not when it is one theme among several (a school in a welfare story).
OUTSIDE_POWER = 1.0
# Extra top-level topics must reach this score; the best one is always kept.
MIN_TOP_SCORE = 0.25
MAX_TOP = 3
# A second-level code needs this much lexicon evidence (a title hit, or two body hits)...
MIN_SUB_EVIDENCE = 2.0
# ...and its score, parent score x evidence / (evidence + SUB_PRIOR), must reach MIN_SUB_SCORE.
SUB_PRIOR = 2.0
MIN_SUB_SCORE = 0.1
MAX_SUB = 3


def mix(probs: dict[str, float], evidence: dict[str, float], language: str) -> dict[str, float]:
    """Combine model probabilities over its desk codes with lexicon evidence over all codes.

    Lexicon evidence for codes the model cannot predict moves probability mass away from the
    desks, in proportion to its share of all evidence (times OUTSIDE_WEIGHT); within the desks
    the model and the lexicon share are averaged with the language's model weight.
    """
    total = sum(evidence.values())
    if total <= 0:
        return dict(probs)
    share = {c: v / total for c, v in evidence.items()}
    outside = {c: OUTSIDE_WEIGHT * v**OUTSIDE_POWER for c, v in share.items() if c not in probs}
    inside_total = sum(v for c, v in share.items() if c in probs)
    w = MODEL_WEIGHT.get(language, OTHER_LANGUAGE_MODEL_WEIGHT)
    if inside_total <= 0:
        w = 1.0
    remaining = 1.0 - sum(outside.values())
    scores = {
        c: remaining * (w * p + (1 - w) * share.get(c, 0.0) / (inside_total or 1.0))
        for c, p in probs.items()
    }
    return scores | outside


@dataclass(frozen=True)
class Classifier:
    """The model and lexicon a classification uses (the shipped ones unless given)."""

    model: LinearTopicModel
    lexicon: Lexicon

    @classmethod
    def default(cls) -> Classifier:
        return cls(default_model(), default_lexicon())

    def top_level_scores(self, title: str | None, text: str, language: str) -> dict[str, float]:
        """A score per top-level code, summing to 1 over the codes with any evidence."""
        probs, _coverage = self.model.predict(document(title, text))
        return mix(probs, rollup(self.lexicon.evidence(title, text)), language)

    def classify(self, title: str | None, text: str, language: str) -> list[Topic]:
        """Scored topics: at least one top-level code, then confident second-level codes."""
        scores = self.top_level_scores(title, text, language)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen = [ranked[0]] + [kv for kv in ranked[1:MAX_TOP] if kv[1] >= MIN_TOP_SCORE]
        topics = [Topic(code=c, label=TOP_LEVEL[c], score=round(s, 4)) for c, s in chosen]
        return topics + self._second_level(title, text, dict(chosen))

    def _second_level(self, title: str | None, text: str, parents: dict[str, float]) -> list[Topic]:
        subs: list[tuple[float, str]] = []
        for code, ev in self.lexicon.evidence(title, text).items():
            parent = SECOND_LEVEL.get(code, ("", ""))[1]
            if parent not in parents or ev < MIN_SUB_EVIDENCE:
                continue
            score = parents[parent] * ev / (ev + SUB_PRIOR)
            if score >= MIN_SUB_SCORE:
                subs.append((score, code))
        subs.sort(key=lambda sc: (-sc[0], sc[1]))
        return [Topic(code=c, label=label(c), score=round(s, 4)) for s, c in subs[:MAX_SUB]]


def classify(title: str | None, text: str, language: str) -> list[Topic]:
    """Topics of an article with the shipped model and lexicons."""
    return Classifier.default().classify(title, text, language)
