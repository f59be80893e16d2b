"""Text features shared by topic training and tagging: chrome stripping (`streams.core.chrome`),
tokens."""

from __future__ import annotations

import re

from streams.core.chrome import is_topic_chrome

_TOKEN = re.compile(r"[^\W\d_]{2,}")


def strip_chrome(text: str) -> str:
    """The text without the lines the topic model does not read (`is_topic_chrome`)."""
    return "\n".join(line for line in text.splitlines() if not is_topic_chrome(line))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of at least two letters (numbers carry no topic)."""
    return _TOKEN.findall(text.lower())


def document(title: str | None, text: str) -> str:
    """The text the topic model reads: the title twice (it is the densest cue), then the body."""
    head = f"{title}\n{title}\n" if title else ""
    return head + strip_chrome(text)


def analyze(doc: str) -> list[str]:
    """Model features of a document: its word tokens (bigrams did not help in cross-validation)."""
    return tokens(doc)


def document_tokens(title: str | None, text: str) -> tuple[list[str], list[str], list[str]]:
    """Tokens of the title, of the whole body, and of `document(title, text)`, in one pass.

    No token spans a line break, so the body's tokens are its lines' tokens end to end, and the
    document's are the title's twice then those of the lines that are not page chrome.
    """
    title_tokens = tokens(title) if title else []
    body: list[str] = []
    kept: list[str] = [*title_tokens, *title_tokens]
    for line in text.splitlines():
        line_tokens = tokens(line)
        body.extend(line_tokens)
        if line_tokens and not is_topic_chrome(line):
            kept.extend(line_tokens)
    return title_tokens, body, kept
