"""Claim checks: the whole bytes of a message too large to travel inside its dead letter.

Consumes an oversized payload (from a stage's dead-lettering) and the data directory; produces a
file `claims/<sha256>` under it and the reference the dead letter carries (`payload_ref`). Redrive
reads the bytes back by that reference, verified against their hash, and releases the file once
they are sent; files older than the retention are expired when the next one is written.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

FOLDER = "claims"
_REF = re.compile(r"claims/[0-9a-f]{64}")


class ClaimError(Exception):
    """The original bytes cannot be recovered: the reference is unknown, gone or damaged."""


def keep(data_dir: Path, payload: bytes, retention_days: float) -> str:
    """Write `payload` under `data_dir` and return its reference; same bytes, same file."""
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    expire(data_dir, retention_days)
    ref = f"{FOLDER}/{hashlib.sha256(payload).hexdigest()}"
    target = data_dir / ref
    # Written aside and renamed: a reader never sees half a file, a crash leaves no claim.
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(payload)
    partial.replace(target)
    return ref


def load(data_dir: Path, ref: str) -> bytes:
    """The exact bytes behind `ref`; ClaimError when they cannot be recovered whole."""
    if not _REF.fullmatch(ref):
        raise ClaimError(f"{ref!r} is not a claim check reference")
    path = data_dir / ref
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise ClaimError(
            f"the original is gone from {path} ({exc.strerror or exc}): redriven or expired "
            "already, or WARTA_DATA_DIR is not the worker's"
        ) from None
    if hashlib.sha256(payload).hexdigest() != ref.removeprefix(f"{FOLDER}/"):
        raise ClaimError(f"the original at {path} is damaged (its hash does not match)")
    return payload


def release(data_dir: Path, ref: str) -> None:
    """Delete the file behind `ref` (after its bytes were redriven); a missing one is fine."""
    if _REF.fullmatch(ref):
        (data_dir / ref).unlink(missing_ok=True)


def expire(data_dir: Path, retention_days: float) -> int:
    """Delete claim files older than the retention; returns how many."""
    folder = data_dir / FOLDER
    cutoff = time.time() - retention_days * 86400
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # another process expired or released it first
            continue
    return removed
