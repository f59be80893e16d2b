"""Sample articles bundled with warta: what `warta run --samples` pushes and workers warm up on."""

from pathlib import Path

ARTICLES = Path(__file__).resolve().parent / "articles.jsonl"
