"""Hostile input on the pure path: decode, the HTML screen and the stages never raise.

The stages run under `guarded`, which turns a crash into a `<stage>_error` rejection so that the
stream goes on: a test that accepted any rejection would pass on a crashing stage. Every outcome
here is therefore either a processed article or a refusal of the input for a reason the input
explains (an allow-list, never `*_error`), and every named case asserts its exact outcome.
"""

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
from trafilatura.utils import load_html

from schemas import RawArticle, Rejection, TaggedArticle
from streams.core.decode import decode
from streams.core.limits import HtmlLimits, TimeLimit, screen, screen_html
from streams.stages.pipeline import process

MAX = 5 * 1024 * 1024
LIMITS = HtmlLimits()
NEAR_LIMIT = HtmlLimits(max_depth=LIMITS.max_depth - 1)
SWALLOWS = re.compile(r"<svg|<script>document\.write\('.{0,20}<", re.I | re.S)
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
                "<html><body>" + "<div>" * draw(st.integers(0, 400)) + f"<p>{PROSE} {body}</p>",
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


# Refusals of the message itself, before any stage runs (`streams.core.decode`).
DECODE_REFUSALS = frozenset(
    {"empty_message", "too_large", "invalid_json", "not_an_object", "schema_violation"}
)
# Refusals of a well-formed article: the HTML screen, nothing left to enrich.
INPUT_REFUSALS = DECODE_REFUSALS | {"pathological_html", "no_content"}
PROCESSED = "processed"


def outcome(result: TaggedArticle | Rejection) -> str:
    """`processed`, or the reason of the refusal."""
    return PROCESSED if isinstance(result, TaggedArticle) else result.reason


def assert_accounted(
    result: TaggedArticle | Rejection, allowed: frozenset[str] | set[str] = INPUT_REFUSALS
) -> None:
    """Processed and free of markup, or refused for one of the `allowed` input reasons.

    A `*_error` reason (a stage that raised, caught by `guarded`) is never allowed.
    """
    assert isinstance(result, TaggedArticle | Rejection)
    if isinstance(result, Rejection):
        assert not result.reason.endswith("_error"), f"a stage crashed: {result.error}"
        assert result.reason in allowed, result
        return
    for text in [result.text, result.title or "", *result.authors]:
        assert not TAG.search(text), text[:300]
        assert "\x00" not in text


def expected_for(value: bytes) -> set[str]:
    """The outcomes a generated article may have: exactly one, except for bodies of stray markup.

    A message decode refuses is refused for that reason; a page the HTML screen refuses is
    `pathological_html`; an article whose body holds the prose paragraph is processed; any other
    body (hostile fragments only) is processed or, when nothing but markup is left, `no_content`.
    """
    raw = decode(RawArticle, value, MAX)
    if isinstance(raw, Rejection):
        return {raw.reason}
    refused = screen(raw, LIMITS)
    if refused is not None:
        return {refused.reason}
    page = raw.html or raw.text or ""
    if PROSE not in page or SWALLOWS.search(page):
        # Hostile fragments only, or markup that (as in a browser) swallows the paragraphs after
        # it: an unclosed <svg>, a `<!--` or `<script` inside a script. Nothing may be left.
        return {PROCESSED, "no_content"}
    if raw.html and screen_html(raw.html, NEAR_LIMIT) is not None:
        # The screen's count of levels can fall a level or two short of libxml2's on odd markup:
        # this near the limit the body may be lost.
        return {PROCESSED, "no_content"}
    return {PROCESSED}


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(value: bytes) -> None:
    assert_accounted(run_pure(value))


@settings(max_examples=800, deadline=None)
@given(json_values)
def test_any_json_is_accounted_for(value: Any) -> None:
    encoded = json.dumps(value).encode()
    result = run_pure(encoded)
    if isinstance(value, dict):
        assert_accounted(result, {"schema_violation", "no_content"})
    else:  # invalid_json: a number orjson cannot hold
        assert_accounted(result, {"not_an_object", "invalid_json"})
        assert isinstance(result, Rejection)
    # Truncation of valid JSON is invalid JSON (or a shorter scalar), never a crash.
    if len(encoded) > 2:
        truncated = run_pure(encoded[: len(encoded) // 2])
        assert_accounted(truncated, {"invalid_json", "not_an_object"})
        assert isinstance(truncated, Rejection)


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(articles())
def test_hostile_articles_are_processed_or_refused(data: dict[str, Any]) -> None:
    value = json.dumps(data).encode()
    result = run_pure(value)
    assert_accounted(result)
    assert outcome(result) in expected_for(value), result


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"", "empty_message"),
        (b"   \n", "empty_message"),
        (b"\xff\xfe\x00\x00{", "invalid_json"),
        (b'{"text": "\xc3\x28 invalid utf-8"}', "invalid_json"),
        (b'{"text": "lone surrogate \\ud800 here"}', "invalid_json"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "invalid_json"),
        (b'{"id": "x", "text": ' + b'"' + b"a" * 100 + b"\x00" + b'"}', "invalid_json"),
        (b'{"text": null, "html": null}', "no_content"),
        (b'{"text": 123}', "schema_violation"),
        (b'{"text": "<script>alert(1)</script><!-- x -->"}', "no_content"),
        (orjson.dumps({"text": f"{PROSE} <img src=x onerror=alert(1)>\x00"}), PROCESSED),
        (orjson.dumps({"html": f"<p>{PROSE}</p><svg onload=alert(1)>"}), PROCESSED),
        (orjson.dumps({"text": f"{PROSE}\n\n<P"}), PROCESSED),  # a tag cut off by the end
        (orjson.dumps({"text": PROSE, "title": "Robert'); DROP TABLE students;--"}), PROCESSED),
    ],
    ids=lambda v: repr(v[:20]),
)
def test_named_hostile_messages(value: bytes, expected: str) -> None:
    result = run_pure(value)
    assert_accounted(result)
    assert outcome(result) == expected, result


def _forbid(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{target} was called")

    monkeypatch.setattr(target, refuse)


def test_too_large_is_refused_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    value = orjson.dumps({"text": "a" * MAX})
    _forbid(monkeypatch, "streams.core.decode.codec.loads")
    result = run_pure(value)
    assert isinstance(result, Rejection)
    assert result.reason == "too_large"


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
    assert isinstance(refused, Rejection)
    assert refused.reason == "pathological_html"
    assert what in refused.error


def _parsed_depth(html: str) -> int:
    """Levels of the tree libxml2 builds (html = 1), as trafilatura loads it."""
    tree = load_html(html)
    assert tree is not None
    deepest, todo = 0, [(tree, 1)]
    while todo:
        el, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in el)
    return deepest


# Deep by a count of start tags, ordinary to the parser: what the screen used to refuse.
NAIVELY_DEEP = {
    "legacy-table": "<table>" + "<tr><td><p>sel<br>" * 2000 + "</table>",
    "unclosed-lists": "<ul>" + "<li><a href=/x>tautan</a>" * 2000 + "</ul>",
    "script-markup": "<script>" + "document.write('<div><span>');" * 2000 + "</script>",
    "comments": "<!--" + "<div>" * 400 + "-->",
    "inline-closed-by-block": "<div><font><b><i>x</div>" * 2000,
    "end-tag-closes-many": ("<section>" + "<span><b><a href=/x>" * 10 + "</section>") * 100,
    "paragraph-ended-by-block": "<p><b>teks<p><i>lagi<div>x</div>" * 2000,
}


@pytest.mark.parametrize("body", NAIVELY_DEEP.values(), ids=NAIVELY_DEEP.keys())
def test_pages_deep_only_by_a_naive_count_pass_the_screen(body: str) -> None:
    html = f"<html><body>{body}<p>{PROSE}</p></body></html>"
    assert html.count("<") > LIMITS.max_depth  # deep if every start tag opened a level
    assert _parsed_depth(html) < 40  # ... but not as the parser reads it
    assert screen_html(html, LIMITS) is None
    assert outcome(run_pure(orjson.dumps({"id": "n", "html": html}))) == PROCESSED


@pytest.mark.parametrize(
    "body",
    [
        "<div>" * 300,
        "<font>x" * 300,  # unclosed inline elements that do nest
        "<source>" * 300,  # libxml2 does not know newer void elements: they nest
        "<table><tr><td><p>sel<li>x<br>" * 100,  # a <tr> inside an <li> opens a new table level
        "<template>" + "<div>" * 300 + "</template>",  # a template's markup is parsed as such
        ("<section>" + "<div>" * 60 + "</section>") * 5,  # `</section>` cannot close a <div>
    ],
    ids=["divs", "fonts", "sources", "cells-in-items", "template", "low-priority-end-tag"],
)
def test_pages_the_parser_nests_too_deep_are_refused(body: str) -> None:
    html = f"<html><body>{body}<p>{PROSE}</p></body></html>"
    assert _parsed_depth(html) >= LIMITS.max_depth - 1  # libxml2 gave up: the prose is lost
    refused = screen_html(html, LIMITS)
    assert refused is not None
    assert "nested" in (refused.error or "")


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{PROSE}</p>",
        f"<article><p>{PROSE}</p></article>",
        "<div>" * 3 + f"<p>{PROSE}</p><p>{PROSE}</p>",
    ],
    ids=["paragraph", "article", "divs"],
)
def test_an_html_fragment_is_read(html: str) -> None:
    result = run_pure(orjson.dumps({"id": "f", "html": html}))
    assert_accounted(result)
    assert outcome(result) == PROCESSED, result


def test_a_page_nested_at_the_parser_limit_is_refused() -> None:
    html = "<html><body>" + "<div>" * (LIMITS.max_depth - 2) + f"<p>{PROSE}</p>"
    result = run_pure(orjson.dumps({"id": "d", "html": html}))
    assert_accounted(result)
    assert outcome(result) in {PROCESSED, "pathological_html"}, result


def test_a_multi_megabyte_text_body_is_processed() -> None:
    # Larger text bodies pass too, but enrich needs ~30 s per MB: too slow for every CI run.
    paragraphs = [f"{PROSE} Paragraf nomor {i} <script>alert({i})</script>." for i in range(1600)]
    value = orjson.dumps({"id": "big", "text": "\n\n".join(paragraphs)})
    assert len(value) > 300_000
    result = run_pure(value)
    assert_accounted(result)
    assert isinstance(result, TaggedArticle), result
    assert result.text.count("Paragraf nomor") == 1600


async def test_time_limit_gives_up_on_a_stalled_stage() -> None:
    limit = TimeLimit(0.2)
    started = time.perf_counter()
    result = await limit.run(time.sleep, 3.0)
    assert isinstance(result, Rejection)
    assert result.reason == "timeout"
    assert time.perf_counter() - started < 1.0
    assert limit.abandoned == 1
    assert await limit.run(len, "abc") == 3
    with pytest.raises(ZeroDivisionError):
        await limit.run(lambda x: 1 / x, 0)


def test_an_abandoned_run_that_outlives_its_loop_ends_quietly() -> None:
    errors: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    before = set(threading.enumerate())
    try:
        limit = TimeLimit(0.05)
        result = asyncio.run(limit.run(time.sleep, 0.3))  # the loop closes before the sleep ends
        assert isinstance(result, Rejection)
        assert result.reason == "timeout"
        for thread in set(threading.enumerate()) - before:  # the abandoned run, until it ends
            thread.join(5.0)
    finally:
        threading.excepthook = previous
    assert errors == []


def test_a_giant_data_attribute_passes_the_screen() -> None:
    # Pages keep whole JSON configs in data-* attributes (a video carousel's list): never read by
    # the extractor, so they do not count toward a tag's size; a class of that size does.
    config = "[" + ",".join(f'{{"id": {i}, "url": "/video/{i}"}}' for i in range(12_000)) + "]"
    html = f"<html><body><div class='carousel' data-videos='{config}'></div><p>{PROSE}</p>"
    assert len(config) > LIMITS.max_tag_bytes
    assert screen_html(html, LIMITS) is None
    assert screen_html(html.replace("data-videos", "class"), LIMITS) is not None
