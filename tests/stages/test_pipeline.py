"""Decoding of incoming messages: every kind of bad input becomes a rejection with a reason."""

from __future__ import annotations

import orjson
import pytest

from schemas import RawArticle, Rejection
from streams.core.deadletter import dead_letter, original_payload
from streams.core.decode import decode
from streams.core.ids import identify
from streams.stages.pipeline import guarded


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty_message"),
        (None, "empty_message"),
        (b'{"text": ', "invalid_json"),
        (b"\xff\xfe\x00garbage", "invalid_json"),
        (b"[1, 2, 3]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b'{"text": 5}', "schema_violation"),
        (b'{"text": "x", "unknown_field": 1}', "schema_violation"),
        (b'{"text": "x", "fetched_at": "2024-01-01T00:00:00"}', "schema_violation"),
    ],
)
def test_bad_messages_are_rejected_with_a_reason(value: bytes | None, reason: str) -> None:
    result = decode(RawArticle, value, 1024)
    assert isinstance(result, Rejection)
    assert result.reason == reason
    assert result.error


def test_too_large_is_checked_before_parsing() -> None:
    value = orjson.dumps({"text": "kata " * 1000})
    result = decode(RawArticle, value, 1024)
    assert isinstance(result, Rejection)
    assert result.reason == "too_large"
    assert isinstance(decode(RawArticle, value, len(value)), RawArticle)


def test_identify_derives_stable_ids_and_source() -> None:
    raw = RawArticle(url="https://www.Contoh.example/a/b/?utm_source=x#top", text="isi")
    first, again = identify(raw), identify(raw.model_copy())
    assert first.id == again.id
    assert first.id is not None
    assert first.source == "contoh.example"
    other = identify(RawArticle(url="https://contoh.example/a/b", text="lain"))
    assert other.id == first.id  # same page, tracking and fragment ignored
    by_content = identify(RawArticle(text="isi yang sama"))
    assert by_content.id == identify(RawArticle(text="isi yang sama")).id
    assert by_content.id != identify(RawArticle(text="isi berbeda")).id
    assert identify(RawArticle(id="keep-me", text="x")).id == "keep-me"


def test_guarded_turns_a_crash_into_a_rejection() -> None:
    def explode(_: RawArticle) -> RawArticle:
        raise RuntimeError("boom")

    result = guarded("clean", explode, RawArticle(text="x"))
    assert isinstance(result, Rejection)
    assert result.reason == "clean_error"
    assert "boom" in result.error


@pytest.mark.parametrize("payload", [b'{"a": 1}', b"\xff\xfe\x00 not utf-8", None])
def test_dead_letter_keeps_the_payload_unchanged(payload: bytes | None) -> None:
    letter = dead_letter(
        "clean", Rejection(reason="invalid_json", error="bad"), payload, b"k", "articles.raw", 2, 7
    )
    assert original_payload(letter) == payload
    assert (letter.key, letter.topic, letter.partition, letter.offset) == (
        "k",
        "articles.raw",
        2,
        7,
    )
    assert letter.received_at.utcoffset() is not None


def test_warm_up_processes_a_sample_and_freezes_what_it_loaded() -> None:
    import gc

    from streams.stages.pipeline import warm_up
    from tests.conftest import SAMPLES

    gc.unfreeze()
    try:
        warm_up(SAMPLES.read_bytes().splitlines()[0])
        assert gc.get_freeze_count() > 10_000, "what the sample loaded is frozen"
    finally:
        gc.unfreeze()
