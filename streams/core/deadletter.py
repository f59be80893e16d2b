"""Dead letters: a refused or poison message, unchanged, with the reason and where it came from."""

from __future__ import annotations

import base64
from typing import Literal

from schemas import DeadLetter, Rejection, utcnow


def payload_text(payload: bytes | None) -> tuple[str | None, Literal["utf-8", "base64"]]:
    """The payload as UTF-8 text when it is valid, else as base64, with the encoding used."""
    if payload is None:
        return None, "utf-8"
    try:
        return payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(payload).decode("ascii"), "base64"


def dead_letter(
    stage: str,
    rejection: Rejection,
    payload: bytes | None,
    key: bytes | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> DeadLetter:
    """Build the dead-letter record of one message that `stage` refused."""
    text, encoding = payload_text(payload)
    key_text = key.decode("utf-8", "replace") if key is not None else None
    return DeadLetter(
        stage=stage,
        reason=rejection.reason,
        error=rejection.error,
        payload=text,
        payload_encoding=encoding,
        key=key_text,
        topic=topic,
        partition=partition,
        offset=offset,
        received_at=utcnow(),
    )


def original_payload(letter: DeadLetter) -> bytes | None:
    """The exact bytes of the original message (for redrive)."""
    if letter.payload is None:
        return None
    if letter.payload_encoding == "base64":
        return base64.b64decode(letter.payload)
    return letter.payload.encode("utf-8")
