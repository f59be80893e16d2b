"""Per-language chrome rules: the YAML files beside this module, loaded once and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class Rules:
    """The union of every language's rules: chrome is distinctive enough to apply them all."""

    languages: tuple[str, ...]
    teaser: tuple[re.Pattern[str], ...]
    drop: re.Pattern[str]
    stop: re.Pattern[str]
    editor_initials: re.Pattern[str]
    trailing_initials: re.Pattern[str]
    author_labels: tuple[str, ...]
    editor_labels: tuple[str, ...]
    caption_credit: re.Pattern[str]
    caption_prefix: re.Pattern[str]
    months: dict[str, int]
    days: tuple[str, ...]
    zones: dict[str, str]
    time_words: tuple[str, ...]


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + r")[\s.:!]*", _FLAGS)


def _load_files() -> list[dict[str, Any]]:
    folder = resources.files(__name__)
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            docs.append(yaml.safe_load(entry.read_text("utf-8")))
    return docs


def _collect(docs: list[dict[str, Any]], key: str) -> list[Any]:
    out: list[Any] = []
    for doc in docs:
        value = doc.get(key)
        if isinstance(value, list):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def _merged(docs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for doc in docs:
        out.update(doc.get(key) or {})
    return out


@cache
def rules() -> Rules:
    """The compiled rules of every file in rules/ (cached: compiled once per process)."""
    docs = _load_files()
    initials = _collect(docs, "editor_initials")
    credits = _collect(docs, "caption_credit")
    alt_initials = "|".join(f"(?:{p})" for p in initials)
    return Rules(
        languages=tuple(str(d.get("language")) for d in docs),
        teaser=tuple(re.compile(p, _FLAGS) for p in _collect(docs, "teaser")),
        drop=_alternation(_collect(docs, "drop")),
        stop=_alternation(_collect(docs, "stop")),
        editor_initials=re.compile(f"(?:{alt_initials})", _FLAGS),
        trailing_initials=re.compile(rf"\s*(?:{alt_initials})\s*$", _FLAGS),
        author_labels=tuple(_collect(docs, "author_labels")),
        editor_labels=tuple(_collect(docs, "editor_labels")),
        caption_credit=re.compile(
            r"\s*(?:" + "|".join(f"(?:{p})" for p in credits) + r")\s*$", _FLAGS
        ),
        caption_prefix=re.compile(
            "^(?:" + "|".join(f"(?:{p})" for p in _collect(docs, "caption_prefix")) + ")", _FLAGS
        ),
        months={k.casefold(): int(v) for k, v in _merged(docs, "months").items()},
        days=tuple(_collect(docs, "days")),
        zones={k.upper(): str(v) for k, v in _merged(docs, "zones").items()},
        time_words=tuple(_collect(docs, "time_words")),
    )
