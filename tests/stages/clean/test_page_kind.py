"""Clean stage, page kind: home pages, listings, search results and galleries without text are
refused as `not_an_article`; articles, with all their related-story lists, are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import CleanArticle, RawArticle, Rejection
from streams.stages.clean import clean
from streams.stages.clean.page_kind import _listing_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "clean"
NOT_ARTICLES: dict[str, str] = json.loads(
    (FIXTURES / "not_articles" / "urls.json").read_text("utf-8")
)
OUTLETS: dict[str, dict[str, str]] = json.loads(
    (FIXTURES / "outlets" / "expected.json").read_text("utf-8")
)


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
def test_pages_that_are_not_articles_are_refused(name: str) -> None:
    html = (FIXTURES / "not_articles" / name).read_text("utf-8")
    out = clean(RawArticle(id=name, url=NOT_ARTICLES[name], html=html))
    assert isinstance(out, Rejection), out
    assert out.reason == "not_an_article", out


ARTICLES = [(f"outlets/{name}", item["url"]) for name, item in sorted(OUTLETS.items())] + [
    ("id_page.html", "https://kabarkita.id/ekonomi/petani-kopi-gayo-panen-raya-lebih-awal"),
    ("en_page.html", "https://example.com/news/2024/05/14/story"),
    # the same article pages found under a listing-like url or with none are still articles
    ("outlets/kompas.html", "https://www.kompas.com/tag/banjir-rob-rendam-pesisir-semarang-warga"),
    ("outlets/detik.html", None),
]


@pytest.mark.parametrize(("name", "url"), ARTICLES)
def test_article_pages_are_kept(name: str, url: str | None) -> None:
    out = clean(RawArticle(id=name, url=url, html=(FIXTURES / name).read_text("utf-8")))
    assert isinstance(out, CleanArticle), out


@pytest.mark.parametrize(
    ("path", "listing"),
    [
        ("/", True),
        ("/tag/banjir", True),
        ("/en/topics/climate/", True),
        ("/kategori/ekonomi/page/2", True),
        ("/category/politik/2025/03/07/dpr-setujui-rancangan-undang-undang-baru", False),
        ("/tag/banjir/12345678", False),
        ("/nasional/kpu-mulai-rekrut-petugas-pemilihan-ulang", False),
    ],
)
def test_listing_paths(path: str, listing: bool) -> None:
    assert _listing_path(path) == listing


def test_a_post_named_by_the_query_is_not_the_front_page() -> None:
    html = (FIXTURES / "not_articles" / "home.html").read_text("utf-8")
    # the front page's markup under a url naming one post: not refused on the url's account
    out = clean(RawArticle(id="p", url="https://blog.example.org/?p=2895", html=html))
    assert isinstance(out, CleanArticle)
