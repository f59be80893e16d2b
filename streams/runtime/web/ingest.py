"""HTTP ingestion: a request body (one JSON article or JSONL) to RawArticles or reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas import RawArticle, Rejection, codec
from streams.core.decode import BOM, decode
from streams.core.ids import identify


@dataclass
class Parsed:
    """The articles of a body, or why each bad line was refused (then nothing is produced)."""

    articles: list[RawArticle] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _one_object(body: bytes) -> bool:
    # A pretty-printed single article spans several lines: try the whole body first.
    if not body.lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(codec.loads(body), dict)
    except ValueError:
        return False


def _check(line: bytes, number: int, max_bytes: int) -> RawArticle | dict[str, Any]:
    item = decode(RawArticle, line, max_bytes)
    if isinstance(item, Rejection):
        return {"line": number, "reason": item.reason, "error": item.error}
    if not (item.html or "").strip() and not (item.text or "").strip():
        return {"line": number, "reason": "no_content", "error": "give `html` or `text`"}
    return identify(item)


def parse_body(body: bytes, max_bytes: int) -> Parsed:
    """Validate every article of the body: the same checks the clean agent makes, and more."""
    parsed = Parsed()
    body = body.removeprefix(BOM)
    if not body.strip():
        parsed.errors.append({"line": 0, "reason": "empty_body", "error": "the body is empty"})
        return parsed
    lines = [body] if _one_object(body) else body.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        result = _check(line, number, max_bytes)
        if isinstance(result, RawArticle):
            parsed.articles.append(result)
        else:
            parsed.errors.append(result)
    return parsed
