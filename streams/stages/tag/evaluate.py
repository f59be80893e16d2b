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


# Precision wanted on the articles a consumer lets the first topic tag alone (see `abstention`).
TARGET_PRECISION = 0.92

Prediction = tuple[str, str, float]


def macro_f1(pairs: list[Prediction]) -> float:
    """Mean over the desks of each desk's F1 (every desk counts alike, however small)."""
    codes = {g for g, _, _ in pairs}
    f1s = []
    for code in codes:
        tp = sum(g == p == code for g, p, _ in pairs)
        fp = sum(p == code != g for g, p, _ in pairs)
        fn = sum(g == code != p for g, p, _ in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / max(len(f1s), 1)


def abstention(pairs: list[Prediction], target: float = TARGET_PRECISION) -> dict[str, float]:
    """The lowest first-topic score at which the articles scoring at least that are tagged with
    `target` precision, and the share of articles it tags (1.0 threshold: none reached it)."""
    ranked = sorted(pairs, key=lambda p: -p[2])
    best = {"threshold": 1.0, "precision": 0.0, "tagged": 0.0}
    hits = 0
    for n, (gold, pred, score) in enumerate(ranked, 1):
        hits += gold == pred
        last_of_score = n == len(ranked) or ranked[n][2] < score
        if last_of_score and hits / n >= target:
            best = {"threshold": score, "precision": hits / n, "tagged": n / len(ranked)}
    return best


def _agreement(pairs: list[Prediction], prefix: str) -> dict[str, float]:
    """Overall and per-desk top-1 agreement of (gold, predicted, score) triples, macro-F1, and
    the abstention threshold."""
    out = {
        f"{prefix}top1": sum(g == p for g, p, _ in pairs) / len(pairs),
        f"{prefix}n": len(pairs),
        f"{prefix}macro_f1": macro_f1(pairs),
    }
    for key, value in abstention(pairs).items():
        out[f"{prefix}abstain@{TARGET_PRECISION}.{key}"] = value
    totals = Counter(g for g, _, _ in pairs)
    hits = Counter(g for g, p, _ in pairs if g == p)
    for code, n in sorted(totals.items()):
        out[f"{prefix}desk[{_DESK_OF[code]}]"] = hits[code] / n
    return out


def _predict(clf: Classifier, examples: list[Example]) -> list[Prediction]:
    out: list[Prediction] = []
    for e in examples:
        first = clf.classify(e.title, e.text, "id")[0]
        out.append((e.code, first.code, first.score))
    return out


def cross_validate(examples: list[Example], k: int = CV_FOLDS) -> list[Prediction]:
    """(gold, predicted, score) for every example, each predicted by a model trained without
    its fold."""
    pairs: list[Prediction | None] = [None] * len(examples)
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
