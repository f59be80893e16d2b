"""Topic agreement with the detik desks: cross-validated on the training file, direct on others."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from streams.stages.tag.iptc import DESK_CODES
from streams.stages.tag.lexicon import default_lexicon
from streams.stages.tag.model import LinearTopicModel, default_model
from streams.stages.tag.topics import Classifier
from streams.stages.tag.train import Example, file_sha256, fit, folds, read_detik

CV_FOLDS = 5
_DESK_OF = {code: desk for desk, code in DESK_CODES.items()}


def _agreement(pairs: list[tuple[str, str]], prefix: str) -> dict[str, float]:
    """Overall and per-desk top-1 agreement of (gold, predicted) code pairs."""
    out = {f"{prefix}top1": sum(g == p for g, p in pairs) / len(pairs), f"{prefix}n": len(pairs)}
    totals = Counter(g for g, _ in pairs)
    hits = Counter(g for g, p in pairs if g == p)
    for code, n in sorted(totals.items()):
        out[f"{prefix}desk[{_DESK_OF[code]}]"] = hits[code] / n
    return out


def _predict(clf: Classifier, examples: list[Example]) -> list[tuple[str, str]]:
    return [(e.code, clf.classify(e.title, e.text, "id")[0].code) for e in examples]


def cross_validate(examples: list[Example], k: int = CV_FOLDS) -> list[tuple[str, str]]:
    """(gold, predicted) for every example, each predicted by a model trained without its fold."""
    pairs: list[tuple[str, str] | None] = [None] * len(examples)
    lexicon = default_lexicon()
    for test in folds(examples, k):
        held = set(test)
        model = fit([e for i, e in enumerate(examples) if i not in held])
        clf = Classifier(model, lexicon)
        for i, pair in zip(test, _predict(clf, [examples[i] for i in test]), strict=True):
            pairs[i] = pair
    return [p for p in pairs if p is not None]


def evaluate_topics(data_dir: Path, model: LinearTopicModel | None = None) -> dict[str, float]:
    """Top-1 agreement of the tag stage's first topic with the desk of each detik article.

    The file the shipped model was trained on is judged by grouped k-fold cross-validation
    (each fold retrained); any other detik file (a held-out split) is judged with the shipped
    model as is. Returns {} when the data is absent.
    """
    model = model or default_model()
    trained_on = str(model.meta.get("data_sha256", ""))
    results: dict[str, float] = {}
    for path in sorted((data_dir / "indonesian-news").glob("detik_*.jsonl")):
        examples = read_detik(path)
        if not examples:
            continue
        name = path.stem
        if file_sha256(path) == trained_on:
            results.update(_agreement(cross_validate(examples), f"topics.{name}.cv{CV_FOLDS}."))
        else:
            clf = Classifier(model, default_lexicon())
            results.update(_agreement(_predict(clf, examples), f"topics.{name}."))
    return results
