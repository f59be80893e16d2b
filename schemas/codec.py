"""The one orjson codec for every message: bytes <-> pydantic models, registered with faust."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_OPTIONS = 0  # explicit offsets such as +07:00 are kept as they are


def dumps(message: BaseModel | dict[str, Any]) -> bytes:
    """Serialise a model (or a plain dict) to compact JSON bytes."""
    if isinstance(message, BaseModel):
        return orjson.dumps(message.model_dump(mode="json", exclude_none=False), option=_OPTIONS)
    return orjson.dumps(message, option=_OPTIONS)


def loads(data: bytes | str) -> Any:
    """Parse JSON bytes; raises orjson.JSONDecodeError (a ValueError) on bad input."""
    return orjson.loads(data)


def decode(model: type[M], data: bytes | str) -> M:
    """Parse and validate bytes as `model`; raises ValueError or pydantic.ValidationError."""
    return model.model_validate(orjson.loads(data))
