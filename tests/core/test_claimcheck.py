"""Claim checks: the whole bytes of a too-large dead letter, kept, verified, released, expired."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from schemas import Rejection
from streams.core import claimcheck
from streams.core.deadletter import Unrecoverable, dead_letter, original_payload


def test_kept_bytes_come_back_whole_and_are_released(tmp_path: Path) -> None:
    payload = b"\xff\x00" + b"x" * 200_000
    ref = claimcheck.keep(tmp_path, payload, 30)
    assert ref.startswith("claims/")
    assert claimcheck.load(tmp_path, ref) == payload
    claimcheck.release(tmp_path, ref)
    with pytest.raises(claimcheck.ClaimError, match="gone"):
        claimcheck.load(tmp_path, ref)


def test_a_damaged_or_foreign_reference_is_refused(tmp_path: Path) -> None:
    ref = claimcheck.keep(tmp_path, b"asli", 30)
    (tmp_path / ref).write_bytes(b"diubah")
    with pytest.raises(claimcheck.ClaimError, match="damaged"):
        claimcheck.load(tmp_path, ref)
    with pytest.raises(claimcheck.ClaimError, match="not a claim check"):
        claimcheck.load(tmp_path, "../../etc/passwd")


def test_old_claims_expire_when_a_new_one_is_kept(tmp_path: Path) -> None:
    old = claimcheck.keep(tmp_path, b"lama", 30)
    month_ago = time.time() - 31 * 86400
    os.utime(tmp_path / old, (month_ago, month_ago))
    new = claimcheck.keep(tmp_path, b"baru", 30)
    assert not (tmp_path / old).exists()
    assert (tmp_path / new).exists()


def test_a_truncated_letter_is_recovered_from_its_claim_or_refused(tmp_path: Path) -> None:
    whole = b'{"text": "' + b"a" * 1000 + b'"}'
    letter = dead_letter("clean", Rejection(reason="too_large", error="besar"), whole[:100])
    cut = letter.model_copy(update={"payload_truncated": True})
    with pytest.raises(Unrecoverable, match="only the head"):
        original_payload(cut)
    ref = claimcheck.keep(tmp_path, whole, 30)
    claimed = cut.model_copy(update={"payload_ref": ref})
    assert original_payload(claimed, tmp_path) == whole
    assert original_payload(letter) == whole[:100]  # an untruncated letter is its payload
