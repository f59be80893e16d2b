"""Dead letters: a refused or poison message, unchanged, with the reason and where it came from."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal

from schemas import DeadLetter, Rejection, utcnow
from streams.core import claimcheck


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


class Unrecoverable(Exception):
    """A letter whose original bytes are not all there: redriving it would send a corruption."""


# How a letter written before `payload_truncated` existed says that its payload is only a head.
_CUT_MARK = "(payload cut to its first "


def original_payload(letter: DeadLetter, data_dir: Path | None = None) -> bytes | None:
    """The exact bytes of the original message (for redrive): inline, or from its claim check
    under `data_dir` when the letter carries only a head; Unrecoverable when they are gone."""
    if letter.payload_truncated or _CUT_MARK in letter.error:
        if letter.payload_ref is None:
            raise Unrecoverable("only the head of this too-large message was kept, not the whole")
        if data_dir is None:
            raise Unrecoverable("the whole original is in a claim check; give the data directory")
        try:
            return claimcheck.load(data_dir, letter.payload_ref)
        except claimcheck.ClaimError as exc:
            raise Unrecoverable(str(exc)) from None
    if letter.payload is None:
        return None
    if letter.payload_encoding == "base64":
        return base64.b64decode(letter.payload)
    return letter.payload.encode("utf-8")
