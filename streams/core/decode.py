"""Message bytes to a validated model, or a Rejection that says what is wrong with them."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from schemas import Rejection, codec

M = TypeVar("M", bound=BaseModel)
# Windows editors and PowerShell write JSON with a UTF-8 byte order mark; JSON allows ignoring it.
BOM = b"\xef\xbb\xbf"


def decode(model: type[M], value: bytes | None, max_bytes: int) -> M | Rejection:
    """Bytes of one message to `model`, or a rejection that says what is wrong with them."""
    if value is not None:
        value = value.removeprefix(BOM)
    if value is None or not value.strip():
        return Rejection(reason="empty_message", error="the message has no value")
    if len(value) > max_bytes:
        return Rejection(
            reason="too_large", error=f"message of {len(value)} bytes exceeds {max_bytes}"
        )
    try:
        data = codec.loads(value)
    except ValueError as exc:
        return Rejection(reason="invalid_json", error=_not_utf8(value) or f"not valid JSON: {exc}")
    if not isinstance(data, dict):
        return Rejection(
            reason="not_an_object", error=f"expected a JSON object, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return Rejection(reason="schema_violation", error=_short(exc))


def _not_utf8(value: bytes) -> str | None:
    """Where the bytes stop being UTF-8, readably (orjson only says "surrogates not allowed")."""
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = value[exc.start : exc.end].hex(" ")
        return f"not valid UTF-8: byte(s) {bad} at offset {exc.start}; send the text as UTF-8"
    return None


def _short(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
        for err in exc.errors()[:5]
    ]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
