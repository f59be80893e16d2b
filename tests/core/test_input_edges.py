"""Input at the edges: a byte order mark, invalid UTF-8, and urls that are not web addresses."""

from __future__ import annotations

import pytest

from schemas import RawArticle, Rejection
from streams.core.decode import decode
from streams.core.ids import identify
from streams.runtime.web.ingest import parse_body


def test_json_with_a_utf8_byte_order_mark_is_accepted() -> None:
    article = decode(RawArticle, b'\xef\xbb\xbf{"text": "Kabar baik."}', 4096)
    assert isinstance(article, RawArticle)
    assert article.text == "Kabar baik."
    assert parse_body(b'\xef\xbb\xbf{\n  "text": "Kabar baik."\n}', 4096).articles


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"\xed\xa0\x80", b"\xc3"])
def test_invalid_utf8_is_named_readably(bad: bytes) -> None:
    refused = decode(RawArticle, b'{"text": "kabar ' + bad + b'"}', 4096)
    assert isinstance(refused, Rejection)
    assert refused.reason == "invalid_json"
    assert refused.error.startswith("not valid UTF-8: byte(s) ")
    assert "at offset 16" in refused.error
    assert "surrogates" not in refused.error


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "contoh.example/tanpa-skema",
    ],
)
def test_a_url_that_is_not_http_is_dropped_and_the_article_kept(url: str) -> None:
    article = identify(RawArticle(url=url, text="Isi berita."))
    assert article.url is None
    assert article.source is None
    assert article.id == identify(RawArticle(text="Isi berita.")).id  # known by its content
    given = identify(RawArticle(id="x", url=url, source="s", text="Isi."))
    assert given.url is None
    assert given.id == "x"


def test_web_urls_are_kept() -> None:
    for url in ("https://contoh.example/a", "HTTP://contoh.example/b"):
        assert identify(RawArticle(url=url, text="Isi.")).url == url
