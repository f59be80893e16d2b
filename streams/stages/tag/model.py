"""A linear topic model (TF-IDF + multinomial logistic regression) stored as gzipped JSON."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from streams.stages.tag.features import analyze

MODEL_PATH = Path(__file__).parent / "models" / "topics.json.gz"


@dataclass(frozen=True)
class LinearTopicModel:
    """Scores a document over `classes` (IPTC codes); weights are plain arrays, no pickle."""

    classes: list[str]
    vocab: dict[str, int]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]  # (classes, features)
    intercept: npt.NDArray[np.float64]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The model's version string, as recorded when it was trained."""
        return str(self.meta.get("version", "unversioned"))

    def vectorize(self, doc: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Sparse TF-IDF vector (indices, values), computed exactly as scikit-learn does."""
        return self.vectorize_tokens(analyze(doc))

    def vectorize_tokens(
        self, feats: list[str]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """`vectorize` of a document already split by `analyze`."""
        counts = Counter([i for i in map(self.vocab.get, feats) if i is not None])
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        vals = (1.0 + np.log(tf)) * self.idf[idx]
        vals /= float(np.linalg.norm(vals)) or 1.0
        return idx, vals

    def predict(self, doc: str) -> dict[str, float]:
        """Class probabilities of a document (the intercepts alone when no word is known)."""
        return self.predict_tokens(analyze(doc))

    def predict_tokens(self, feats: list[str]) -> dict[str, float]:
        """`predict` of a document already split by `analyze`."""
        idx, vals = self.vectorize_tokens(feats)
        logits = self.coef[:, idx] @ vals + self.intercept
        exp = np.exp(logits - logits.max())
        probs = exp / exp.sum()
        return dict(zip(self.classes, (float(p) for p in probs), strict=True))

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form; weights rounded to 6 significant digits to keep it small."""
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        return {
            "meta": self.meta,
            "classes": self.classes,
            "vocab": terms,
            "idf": [float(f"{v:.6g}") for v in self.idf],
            "coef": [[float(f"{v:.6g}") for v in row] for row in self.coef],
            "intercept": [float(v) for v in self.intercept],
        }

    def save(self, path: Path) -> None:
        """Write the model as gzipped JSON (deterministic bytes for the same weights)."""
        raw = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
        with path.open("wb") as fh, gzip.GzipFile("", "wb", fileobj=fh, mtime=0) as gz:
            gz.write(raw)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearTopicModel:
        """Rebuild a model from `to_json` output."""
        coef = np.asarray(data["coef"], dtype=np.float64)
        vocab = {t: i for i, t in enumerate(data["vocab"])}
        if coef.shape != (len(data["classes"]), len(vocab)):
            raise ValueError(f"topic model shape {coef.shape} does not match its vocabulary")
        return cls(
            classes=list(data["classes"]),
            vocab=vocab,
            idf=np.asarray(data["idf"], dtype=np.float64),
            coef=coef,
            intercept=np.asarray(data["intercept"], dtype=np.float64),
            meta=dict(data.get("meta", {})),
        )

    @classmethod
    def load(cls, path: Path) -> LinearTopicModel:
        """Read a model written by `save`."""
        with gzip.open(path, "rb") as fh:
            return cls.from_json(json.loads(fh.read()))


@lru_cache(maxsize=1)
def default_model() -> LinearTopicModel:
    """The shipped model, loaded once per process."""
    return LinearTopicModel.load(MODEL_PATH)
