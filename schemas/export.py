"""Writes the JSON Schema of every message to schemas/json/ for consumers in other languages."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from pydantic import BaseModel

from schemas.models import (
    CleanArticle,
    DeadLetter,
    DuplicateEvent,
    EnrichedArticle,
    RawArticle,
    TaggedArticle,
)

OUT = Path(__file__).with_name("json")
MESSAGES: dict[str, type[BaseModel]] = {
    "RawArticle": RawArticle,
    "CleanArticle": CleanArticle,
    "EnrichedArticle": EnrichedArticle,
    "TaggedArticle": TaggedArticle,
    "DuplicateEvent": DuplicateEvent,
    "DeadLetter": DeadLetter,
}


def rendered() -> dict[str, bytes]:
    """File name -> JSON Schema text of each message, as it should be on disk."""
    files = {}
    for name, model in MESSAGES.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://warta.dev/schemas/{name}.schema.json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        text = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        files[f"{name}.schema.json"] = text + b"\n"
    return files


def main() -> int:
    """Write the files; with --check, only report whether they are stale (exit 1)."""
    check = "--check" in sys.argv[1:]
    stale = []
    OUT.mkdir(exist_ok=True)
    for name, text in rendered().items():
        path = OUT / name
        if not path.exists() or path.read_bytes() != text:
            stale.append(name)
            if not check:
                path.write_bytes(text)
    if check and stale:
        print("stale JSON Schema files (run `make schemas`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
