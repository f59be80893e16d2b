"""Hostile input on the pure path: decode, the HTML screen and the stages never raise."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import RawArticle, Rejection, TaggedArticle
from streams.core.decode import decode
from streams.core.limits import HtmlLimits, TimeLimit, screen_html
from streams.stages.pipeline import process

MAX = 5 * 1024 * 1024
LIMITS = HtmlLimits()
TAG = re.compile(r"</?(script|style|iframe|object|embed|svg|img|a|b|div|p)\b", re.I)
HOSTILE = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE articles; --",
    "\" OR 1=1; DELETE FROM duplicates WHERE '1'='1",
    "\x00\x00NUL\x00",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<svg onload=alert(1)>",
    "Robert'); DROP TABLE students;--",
    "\u202eevil\u202c",
    "<![CDATA[<script>x</script>]]>",
    "<!-- <script>alert(1)</script> -->",
]
PROSE = (
    "Pemerintah Kabupaten Sukamaju meresmikan jembatan gantung baru di Desa Karangjati pada "
    "Senin pagi. Warga menyambut jembatan itu karena selama ini mereka harus memutar sejauh "
    "tujuh kilometer untuk menuju pasar kecamatan."
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
hostile_text = st.lists(
    st.sampled_from(HOSTILE) | st.just(PROSE) | st.text(max_size=60), min_size=0, max_size=8
).map(" ".join)
wrong_types = st.one_of(st.integers(), st.lists(st.text(max_size=5), max_size=3), st.booleans())


@st.composite
def articles(draw: st.DrawFn) -> dict[str, Any]:
    """RawArticle-shaped objects with hostile strings, wrong types and odd nesting."""
    body = draw(hostile_text)
    html = draw(
        st.sampled_from(
            [
                None,
                f"<html><body><article><p>{body}</p><p>{PROSE}</p></article></body></html>",
                f"<div>{body}<script>document.write('{body[:20]}')</script><p>{PROSE}</p></div>",
                "<div>" * draw(st.integers(0, 400)) + f"<p>{PROSE} {body}</p>",
            ]
        )
    )
    data: dict[str, Any] = {"id": draw(st.one_of(st.none(), st.text(max_size=30), wrong_types))}
    if html is not None:
        data["html"] = html
    if html is None or draw(st.booleans()):
        data["text"] = draw(st.one_of(st.just(f"{PROSE}\n\n{body}"), st.just(body), wrong_types))
    for field in ("title", "url", "source", "published_at", "language"):
        if draw(st.booleans()):
            data[field] = draw(st.one_of(hostile_text, wrong_types, st.none()))
    if draw(st.booleans()):
        data["authors"] = draw(st.one_of(st.lists(hostile_text, max_size=3), wrong_types))
    if draw(st.booleans()):
        data["metadata"] = draw(st.one_of(st.dictionaries(st.text(max_size=5), hostile_text)))
    return data


def run_pure(value: bytes) -> TaggedArticle | Rejection:
    """What the clean, enrich and tag agents do with one message, without Kafka."""
    item = decode(RawArticle, value, MAX)
    if isinstance(item, Rejection):
        return item
    return process(item, None, LIMITS)


def assert_accounted(result: TaggedArticle | Rejection) -> None:
    assert isinstance(result, TaggedArticle | Rejection)
    if isinstance(result, Rejection):
        assert re.fullmatch(r"[a-z_]+", result.reason), result
        return
    for text in [result.text, result.title or "", *result.authors]:
        assert not TAG.search(text), text[:300]
        assert "\x00" not in text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(value: bytes) -> None:
    assert_accounted(run_pure(value))


@settings(max_examples=800, deadline=None)
@given(json_values)
def test_any_json_is_accounted_for(value: Any) -> None:
    encoded = json.dumps(value).encode()
    result = run_pure(encoded)
    assert_accounted(result)
    if not isinstance(value, dict):
        assert isinstance(result, Rejection) and result.reason in {"not_an_object", "invalid_json"}
    # Truncation of valid JSON is invalid JSON, never a crash.
    if len(encoded) > 2:
        truncated = run_pure(encoded[: len(encoded) // 2])
        assert isinstance(truncated, Rejection)


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(articles())
def test_hostile_articles_are_processed_or_refused(data: dict[str, Any]) -> None:
    assert_accounted(run_pure(json.dumps(data).encode()))


@pytest.mark.parametrize(
    "value",
    [
        b"",
        b"   \n",
        b"\xff\xfe\x00\x00{",
        b'{"text": "\xc3\x28 invalid utf-8"}',
        b'{"text": "lone surrogate \\ud800 here"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"id": "x", "text": ' + b'"' + b"a" * 100 + b"\x00" + b'"}',
        b'{"text": null, "html": null}',
        b'{"text": 123}',
    ],
    ids=lambda v: repr(v[:20]),
)
def test_named_hostile_messages(value: bytes) -> None:
    assert_accounted(run_pure(value))


def _forbid(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{target} was called")

    monkeypatch.setattr(target, refuse)


def test_too_large_is_refused_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    value = orjson.dumps({"text": "a" * MAX})
    _forbid(monkeypatch, "streams.core.decode.codec.loads")
    result = run_pure(value)
    assert isinstance(result, Rejection) and result.reason == "too_large"


@pytest.mark.parametrize(
    ("html", "what"),
    [
        ("<div>" * 5000 + "<p>isi</p>", "nested"),
        ('<div class="' + "a" * 400_000 + '">isi</div>', "a tag of"),
        ("<span>x</span>" * 60_000, "tags"),
    ],
    ids=["deep", "giant-attribute", "tag-count"],
)
def test_pathological_html_is_refused_before_extraction(
    html: str, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = orjson.dumps({"id": "p", "html": html})
    _forbid(monkeypatch, "streams.stages.pipeline.clean")
    refused = run_pure(value)
    assert isinstance(refused, Rejection) and refused.reason == "pathological_html"
    assert what in refused.error


def test_ordinary_pages_pass_the_screen() -> None:
    legacy = "<html><body><table>" + "<tr><td><p>sel<li>x<br>" * 2000 + "</table></body></html>"
    assert screen_html(legacy, LIMITS) is None
    nested = "<html><body>" + "<div>" * 40 + f"<p>{PROSE}</p>" + "</div>" * 40 + "</body></html>"
    assert screen_html(nested, LIMITS) is None


def test_a_multi_megabyte_text_body_is_processed() -> None:
    # Larger text bodies pass too, but enrich needs ~30 s per MB: too slow for every CI run.
    paragraphs = [f"{PROSE} Paragraf nomor {i} <script>alert({i})</script>." for i in range(1600)]
    value = orjson.dumps({"id": "big", "text": "\n\n".join(paragraphs)})
    assert len(value) > 300_000
    assert_accounted(run_pure(value))


async def test_time_limit_gives_up_on_a_stalled_stage() -> None:
    limit = TimeLimit(0.2)
    started = time.perf_counter()
    result = await limit.run(time.sleep, 3.0)
    assert isinstance(result, Rejection) and result.reason == "timeout"
    assert time.perf_counter() - started < 1.0 and limit.abandoned == 1
    assert await limit.run(len, "abc") == 3
    with pytest.raises(ZeroDivisionError):
        await limit.run(lambda x: 1 / x, 0)


def test_an_abandoned_run_that_outlives_its_loop_ends_quietly() -> None:
    errors: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        limit = TimeLimit(0.05)
        result = asyncio.run(limit.run(time.sleep, 0.3))  # the loop closes before the sleep ends
        assert isinstance(result, Rejection) and result.reason == "timeout"
        time.sleep(0.6)
    finally:
        threading.excepthook = previous
    assert errors == []
