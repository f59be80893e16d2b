"""Entity-resolution figures: consumes annotated articles we wrote (JSONL: text and gold entities,
each a canonical name, type, optional key and the surface forms of its mentions), produces how
well the enrich stage groups and names their mentions.

Every occurrence of a gold surface form (longest first, whole words) is a gold mention of its
entity. Grouping is scored with B-cubed precision and recall over the mentions both the gold and
the stage found (what NER misses is NER's score, reported as mention recall); names, types and
keys are scored per gold entity, by the predicted entity holding most of its mentions.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.models import CleanArticle, EnrichedArticle, ResolvedEntity
from streams.stages.enrich import enrich

FIXTURES = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "enrich" / "resolution.jsonl"
)

Span = tuple[int, int]


@dataclass
class ResolutionScores:
    """Totals over the annotated articles."""

    articles: int = 0
    gold_mentions: int = 0
    found_mentions: int = 0
    b3_precision_sum: float = 0.0
    b3_recall_sum: float = 0.0
    entities: int = 0
    right_name: int = 0
    right_type: int = 0
    keyed: int = 0
    right_key: int = 0

    def figures(self) -> dict[str, float | int]:
        """The figures `warta eval enrich` prints."""
        n = max(self.found_mentions, 1)
        p, r = self.b3_precision_sum / n, self.b3_recall_sum / n
        return {
            "articles": self.articles,
            "mention recall": self.found_mentions / max(self.gold_mentions, 1),
            "grouping B3 precision": p,
            "grouping B3 recall": r,
            "grouping B3 F1": 2 * p * r / (p + r) if p + r else 0.0,
            "canonical name accuracy": self.right_name / max(self.entities, 1),
            "type accuracy": self.right_type / max(self.entities, 1),
            "key accuracy": self.right_key / max(self.keyed, 1),
        }


def gold_mentions(text: str, gold: list[dict[str, Any]]) -> dict[Span, int]:
    """Offsets of every gold mention and the index of its gold entity."""
    forms = sorted(
        ((form, i) for i, entity in enumerate(gold) for form in entity["mentions"]),
        key=lambda item: -len(item[0]),
    )
    taken: dict[Span, int] = {}
    for form, i in forms:
        for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken[(m.start(), m.end())] = i
    return taken


def _score_article(
    text: str, gold: list[dict[str, Any]], resolved: list[ResolvedEntity], totals: ResolutionScores
) -> None:
    gold_of = gold_mentions(text, gold)
    pred_of = {(m.start, m.end): j for j, r in enumerate(resolved) for m in r.mentions}
    both = [span for span in gold_of if span in pred_of]
    totals.gold_mentions += len(gold_of)
    totals.found_mentions += len(both)
    for span in both:
        same_gold = {s for s in both if gold_of[s] == gold_of[span]}
        same_pred = {s for s in both if pred_of[s] == pred_of[span]}
        totals.b3_precision_sum += len(same_gold & same_pred) / len(same_pred)
        totals.b3_recall_sum += len(same_gold & same_pred) / len(same_gold)
    for i, entity in enumerate(gold):
        votes = Counter(pred_of[s] for s in both if gold_of[s] == i)
        if not votes:
            continue
        predicted = resolved[votes.most_common(1)[0][0]]
        totals.entities += 1
        totals.right_name += predicted.name == entity["name"]
        totals.right_type += predicted.type == entity["type"]
        if entity.get("key"):
            totals.keyed += 1
            totals.right_key += predicted.key == entity["key"]


def resolution_scores(path: Path = FIXTURES) -> ResolutionScores | None:
    """Scores of the enrich stage on the annotated articles at `path`; None when absent."""
    if not path.is_file():
        return None
    totals = ResolutionScores()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        article = CleanArticle(id=item["id"], text=item["text"], fingerprint="eval")
        result = enrich(article)
        if not isinstance(result, EnrichedArticle):
            continue
        totals.articles += 1
        _score_article(result.text, item["gold"], result.resolved_entities, totals)
    return totals
