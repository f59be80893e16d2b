"""Train the tag stage's topic model on the detik desks and write streams/stages/tag/models/topics.json.gz.

Usage: python scripts/train_topics.py [DATA_DIR] [--cv] [--out PATH]
DATA_DIR defaults to ../shared/data beside the repository; exits 0 with a message when absent.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import sklearn

from streams.stages.tag.evaluate import evaluate_topics
from streams.stages.tag.model import MODEL_PATH
from streams.stages.tag.train import MAX_FEATURES, MIN_DF, REVISION, C, file_sha256, fit, read_detik

REPO = Path(__file__).resolve().parents[1]
MODEL_FAMILY = "detik5-tfidf-lr"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--cv", action="store_true", help="also report cross-validated agreement")
    args = parser.parse_args(argv)
    path = args.data_dir / "indonesian-news" / "detik_dev.jsonl"
    if not path.is_file():
        print(f"no training data at {path}; nothing to do")
        return 0
    examples = read_detik(path)
    sha = file_sha256(path)
    meta = {
        "version": f"{MODEL_FAMILY}-r{REVISION}-{sha[:8]}",
        "trained_on": "indonesian-news/detik_dev.jsonl",
        "data_sha256": sha,
        "examples": len(examples),
        "params": {"max_features": MAX_FEATURES, "min_df": MIN_DF, "C": C},
        "sklearn_version": sklearn.__version__,
        "trained_at": datetime.now(UTC).date().isoformat(),
    }
    model = fit(examples, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(model.vocab)} features): {model.version}")
    if args.cv:
        for key, value in evaluate_topics(args.data_dir, model).items():
            print(f"{key}\t{value:.3f}" if isinstance(value, float) else f"{key}\t{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
