"""The time limit's two paths: a small page inline in the caller's thread, any other in a thread."""

from __future__ import annotations

import threading

from schemas import Rejection
from streams.core.limits import (
    INLINE_MAX_CHARS,
    INLINE_MAX_TAGS,
    INLINE_MIN_LIMIT,
    TimeLimit,
    small_enough,
)


def test_small_pages_and_texts_are_small_enough() -> None:
    assert small_enough("<html><body><p>Berita.</p></body></html>", None)
    assert small_enough(None, "Teks berita. " * 1000)
    assert small_enough("<p>a</p>" * (INLINE_MAX_TAGS // 2 - 1), "ringkas")


def test_a_page_over_either_bound_is_not() -> None:
    assert not small_enough("<p>" + "a" * INLINE_MAX_CHARS, None)
    assert not small_enough(None, "a" * INLINE_MAX_CHARS)
    assert not small_enough("<p>a", "b" * INLINE_MAX_CHARS)  # page and text together
    # Few bytes, many tags: what extraction's cost grows with.
    assert not small_enough("<p>a" * INLINE_MAX_TAGS, None)


async def test_a_small_call_runs_in_the_callers_thread() -> None:
    limit = TimeLimit(INLINE_MIN_LIMIT)
    assert await limit.run(lambda _: threading.get_ident(), None, inline=True) == (
        threading.get_ident()
    )
    assert (limit.inline, limit.threaded) == (1, 0)


async def test_any_other_call_runs_in_a_thread_under_the_limit() -> None:
    limit = TimeLimit(INLINE_MIN_LIMIT)
    other = await limit.run(lambda _: threading.get_ident(), None)
    assert other != threading.get_ident()
    assert (limit.inline, limit.threaded) == (0, 1)


async def test_a_tight_limit_keeps_even_small_calls_in_the_thread() -> None:
    # Inline, nothing could give up on the call: with a limit this short, the thread.
    limit = TimeLimit(0.2)
    release = threading.Event()
    try:
        # The call blocks until released: only a limit that gives up on it returns at all.
        result = await limit.run(lambda _: release.wait(60), None, inline=True)
        assert not release.is_set(), "abandoned while still running"
    finally:
        release.set()  # frees the abandoned thread
    assert isinstance(result, Rejection)
    assert result.reason == "timeout"
    assert (limit.inline, limit.threaded, limit.abandoned) == (0, 1, 1)
