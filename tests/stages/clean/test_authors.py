"""Clean stage, HTML authors: declared names checked, outlet names, byline elements, comments."""

from __future__ import annotations

from lxml.html import fromstring

from streams.stages.clean.authors import byline_names, clean_name, page_authors
from streams.stages.clean.header import names
from streams.stages.clean.metadata import read_page_meta


def authors(html: str, domain: str = "harian.example") -> list[str]:
    tree = fromstring(html)
    return page_authors(read_page_meta(tree), tree, domain)[0]


def test_names_split_on_connectors_between_names_only() -> None:
    assert names("Monika Weber und Anna Keller") == ["Monika Weber", "Anna Keller"]
    assert names("Luana Prado e Rafael Lima") == ["Luana Prado", "Rafael Lima"]
    assert names("Dan Harlow") == ["Dan Harlow"]
    assert names("Budi Santoso dan Rina Wati") == ["Budi Santoso", "Rina Wati"]


def test_labels_handles_and_addresses_are_no_names() -> None:
    assert clean_name("Von") is None
    assert clean_name("Autorenseite von") is None
    assert clean_name("nina.weber@harian.example") is None
    assert clean_name("https://harian.example/author/nina") is None
    assert clean_name("nina-weber") is None
    assert clean_name("Foto: Andi Rahman") is None
    assert clean_name("Elena Brunner (ebr)") == "Elena Brunner"
    assert clean_name("Redacci&oacute;n Harian") == "Redacción Harian"
    assert byline_names("Veröffentlicht von Sandra Hoff") == ["Sandra Hoff"]


def test_outlet_declared_as_author_gives_way_to_a_byline() -> None:
    head = '<meta name="author" content="Harian Example"><meta property="og:site_name" content="Harian Example">'
    body = '<p class="author">Oleh Rahmat Hidayat</p><p>Isi berita.</p>'
    assert authors(f"<html><head>{head}</head><body>{body}</body></html>") == ["Rahmat Hidayat"]
    alone = f"<html><head>{head}</head><body><p>Isi berita.</p></body></html>"
    assert authors(alone) == ["Harian Example"]


def test_commenters_are_not_authors() -> None:
    page = (
        "<html><body><article><p>Isi berita yang panjang.</p></article>"
        '<section id="comments"><span class="comment-author">budi88</span>'
        '<span class="author">Sari Dewi</span></section>'
        '<div class="sidebar"><span class="author">Joko Susilo</span></div></body></html>'
    )
    assert authors(page) == ["Joko Susilo"]


def test_first_byline_element_naming_someone_wins() -> None:
    page = (
        '<html><body><span class="author">Von</span><span class="author">Nina Weber</span>'
        '<aside><a rel="author" href="/x">Paul Kern</a></aside><p>Text.</p></body></html>'
    )
    assert authors(page) == ["Nina Weber"]
