"""Registers the orjson codec of `schemas.codec` with faust under the name `warta`."""

from __future__ import annotations

from typing import Any

from faust.serializers import codecs
from pydantic import BaseModel

from schemas import codec

NAME = "warta"


class WartaCodec(codecs.Codec):
    """faust codec: pydantic models and dicts to JSON bytes with orjson, and back to dicts."""

    def _dumps(self, obj: Any) -> bytes:
        if isinstance(obj, bytes):
            return obj
        if isinstance(obj, BaseModel | dict):
            return codec.dumps(obj)
        raise TypeError(f"cannot encode {type(obj).__name__} as a warta message")

    def _loads(self, s: bytes) -> Any:
        return codec.loads(s)


def register() -> None:
    """Make `value_serializer="warta"` available to faust topics."""
    codecs.register(NAME, WartaCodec())
