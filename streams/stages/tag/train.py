"""Training of the topic model on detik desk labels; shared by scripts/train_topics.py and eval."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from streams.stages.tag.features import analyze, document
from streams.stages.tag.iptc import DESK_CODES
from streams.stages.tag.model import LinearTopicModel

# Bump when the features, parameters or labels change, so the model version changes too.
REVISION = 2
# Chosen by grouped 5-fold cross-validation on detik_dev (see scripts/train_topics.py --cv).
MAX_FEATURES = 20000
MIN_DF = 2
C = 30.0
PARITY_DOCS = 20


@dataclass(frozen=True)
class Example:
    """One labelled article: the model's input text, its IPTC code and its URL (CV group)."""

    title: str
    text: str
    code: str
    group: str

    @property
    def doc(self) -> str:
        return document(self.title, self.text)


def read_detik(path: Path) -> list[Example]:
    """Labelled examples of a detik JSONL file (rows without a known desk are skipped)."""
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            code = DESK_CODES.get(row.get("topic_label", ""))
            if code is None or not row.get("text"):
                continue
            group = row.get("url") or row.get("id") or str(len(out))
            out.append(Example(row.get("title") or "", row["text"], code, group))
    return out


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, to recognise the training data later."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit(examples: list[Example], meta: dict[str, Any] | None = None) -> LinearTopicModel:
    """Train TF-IDF + logistic regression on `examples` and return it as a LinearTopicModel."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        analyzer=analyze, sublinear_tf=True, min_df=MIN_DF, max_features=MAX_FEATURES
    )
    x = vec.fit_transform([e.doc for e in examples])
    clf = LogisticRegression(C=C, max_iter=5000)
    clf.fit(x, [e.code for e in examples])
    vocab = {str(t): int(i) for t, i in vec.vocabulary_.items()}
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:
        # Two classes: scikit-learn keeps one logit z; softmax over (-z/2, z/2) is sigmoid(z).
        coef, intercept = (
            np.vstack([-coef / 2, coef / 2]),
            np.hstack([-intercept / 2, intercept / 2]),
        )
    model = LinearTopicModel(
        classes=[str(c) for c in clf.classes_],
        vocab=vocab,
        idf=np.asarray(vec.idf_, dtype=np.float64),
        coef=coef,
        intercept=intercept,
        meta=dict(meta or {}),
    )
    _check_parity(model, clf.predict_proba(x[:PARITY_DOCS]), examples[:PARITY_DOCS])
    return model


def _check_parity(model: LinearTopicModel, expected: Any, examples: list[Example]) -> None:
    """Fail training if our numpy scorer disagrees with scikit-learn (e.g. a tokenizer drift)."""
    for row, example in zip(expected, examples, strict=True):
        probs = model.predict(example.doc)
        got = np.array([probs[c] for c in model.classes])
        if float(np.abs(got - np.asarray(row)).max()) > 1e-6:
            raise RuntimeError("topic model scorer disagrees with scikit-learn")


def folds(examples: list[Example], k: int) -> list[list[int]]:
    """Indices of `k` test folds; rows sharing a URL stay in one fold (they are copies)."""
    groups = sorted({e.group for e in examples})
    # A fixed hash order, not random: the same folds on every machine and Python run.
    groups.sort(key=lambda g: hashlib.sha1(g.encode()).hexdigest())
    fold_of = {g: i % k for i, g in enumerate(groups)}
    out: list[list[int]] = [[] for _ in range(k)]
    for i, e in enumerate(examples):
        out[fold_of[e.group]].append(i)
    return out
