"""Train the enrich stage's CRF NER model on ../shared/data/ner and save it in the package.

Usage: python scripts/train_ner.py [DATA_DIR] [--c1 0.05 --c2 0.05] [--out PATH]
Reproduces streams/stages/enrich/models/ner-crf-<N>.crfsuite (see streams.stages.enrich.ner.MODEL_FILE).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pycrfsuite

from streams.stages.enrich.ner import MODEL_PATH, predict_tags
from streams.stages.enrich.ner_data import Scores, read_conll, retokenize, spans
from streams.stages.enrich.ner_features import sentence_features

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def mask(word: str) -> str:
    """The word with its letters replaced by x/X: same shape, no identity."""
    return "".join("X" if c.isupper() else "x" if c.isalpha() else c for c in word)


def train(data_dir: Path, out: Path, c1: float, c2: float, iterations: int, augment: float) -> None:
    """Fit the CRF on idner_train and write it to `out`."""
    sentences = [retokenize(s) for s in read_conll(data_dir / "ner" / "idner_train.txt")]
    trainer = pycrfsuite.Trainer(verbose=False)
    rng = random.Random(13)
    for sent in sentences:
        trainer.append(sentence_features(sent.words), list(sent.tags))
        if augment:
            # A copy with some names hidden behind their shape teaches the model to find names it
            # has never seen from shape and context alone, not from memorised words.
            masked = [
                mask(w) if t != "O" and rng.random() < augment else w
                for w, t in zip(sent.words, sent.tags, strict=True)
            ]
            trainer.append(sentence_features(masked), list(sent.tags))
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
            # Rare features are noise with 1.5k training sentences; prune them from the file.
            "feature.minfreq": 1,
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    print(f"trained on {len(sentences)} sentences -> {out} ({out.stat().st_size // 1024} KiB)")


def evaluate(data_dir: Path, model: Path) -> None:
    """Token-level exact-span P/R/F1 on the dev files (ours tokenised)."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    for name in ("idner_dev", "nergrit_valid"):
        path = data_dir / "ner" / f"{name}.txt"
        if not path.exists():
            continue
        scores = Scores()
        for sent in map(retokenize, read_conll(path)):
            pred = predict_tags(sent.words, tagger)
            scores.add(spans(sent.tags), spans(pred))
        print(f"{name}: P={scores.precision:.3f} R={scores.recall:.3f} F1={scores.f1:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--augment", type=float, default=0.5, help="share of names masked")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    if not (args.data_dir / "ner" / "idner_train.txt").exists():
        print(f"no NER data under {args.data_dir}; nothing to train")
        return 0
    train(args.data_dir, args.out, args.c1, args.c2, args.iterations, args.augment)
    evaluate(args.data_dir, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
