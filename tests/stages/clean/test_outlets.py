"""Clean stage on our own pages in the styles of Indonesian and Malaysian outlets: the publish
time to the minute from the date line by the title, with the zone the line names."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml.html import fromstring

from schemas import CleanArticle, RawArticle
from streams.stages.clean import clean
from streams.stages.clean.dates import parse_text_date
from streams.stages.clean.metadata import read_page_meta
from streams.stages.clean.page_dates import page_date

OUTLETS = Path(__file__).resolve().parents[2] / "fixtures" / "clean" / "outlets"
EXPECTED: dict[str, dict[str, str]] = json.loads((OUTLETS / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outlet_pages_give_the_minute_and_the_zone(name: str) -> None:
    want = EXPECTED[name]
    out = clean(RawArticle(id=name, url=want["url"], html=(OUTLETS / name).read_text("utf-8")))
    assert isinstance(out, CleanArticle), out
    published = datetime.fromisoformat(want["published"])
    assert out.published_at == published
    assert out.published_at is not None
    assert out.published_at.utcoffset() == published.utcoffset()
    assert out.title == want["title"]


def zone(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Jumat, 7 Maret 2025 | 08:41 WIB", datetime(2025, 3, 7, 8, 41, tzinfo=zone(7))),
        ("Sabtu, 8 Maret 2025 - 19:05 wib", datetime(2025, 3, 8, 19, 5, tzinfo=zone(7))),
        ("Minggu, 09/03/2025 06:12 WIB", datetime(2025, 3, 9, 6, 12, tzinfo=zone(7))),
        ("Senin, 10 Maret 2025, 21:30 WIB", datetime(2025, 3, 10, 21, 30, tzinfo=zone(7))),
        ("Selasa, 11 Maret 2025 pukul 14.05 WITA", datetime(2025, 3, 11, 14, 5, tzinfo=zone(8))),
        ("Rabu, 12 Maret 2025 – 07:30 WIT", datetime(2025, 3, 12, 7, 30, tzinfo=zone(9))),
        ("Jumaat, 14 Mac 2025 @ 11:20 MYT", datetime(2025, 3, 14, 11, 20, tzinfo=zone(8))),
        ("Khamis, 3 Julai 2025 | 9:05 pm", datetime(2025, 7, 3, 21, 5)),
    ],
)
def test_date_lines_with_a_time_of_day(line: str, want: datetime) -> None:
    found = parse_text_date(line)
    assert found is not None
    assert found.has_time
    assert found.value == want
    assert found.zoned == (want.tzinfo is not None)


def found(html: str, url: str | None = None) -> tuple[datetime, bool]:
    tree = fromstring(html)
    got = page_date(read_page_meta(tree), tree, url)
    assert got is not None
    return got[0].value, got[0].has_time


def test_a_date_only_tag_yields_to_the_date_line_of_that_day() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-09"></head><body>'
        '<div class="date"><span>Minggu, 9 Maret 2025</span> <span>06:12 WIB</span></div>'
        "<p>Isi berita.</p></body></html>"
    )
    assert found(html) == (datetime(2025, 3, 9, 6, 12, tzinfo=zone(7)), True)


def test_a_date_in_the_url_yields_to_the_date_line_of_that_day() -> None:
    html = (
        "<html><body><h1>Judul</h1><div>Kompas.com - 07/03/2025, 08:41 WIB</div>"
        "<p>Isi berita.</p></body></html>"
    )
    got = found(html, "https://regional.kompas.com/read/2025/03/07/08410011/judul")
    assert got == (datetime(2025, 3, 7, 8, 41, tzinfo=zone(7)), True)


def test_a_time_on_another_day_does_not_replace_the_declared_day() -> None:
    # a related story's stamp from the day before is no time of this one
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-09"></head><body>'
        "<p>Isi berita.</p><aside><span>Sabtu, 8 Maret 2025 21:00 WIB</span></aside>"
        "</body></html>"
    )
    assert found(html) == (datetime(2025, 3, 9), False)


CHROME = (
    "baca juga",
    "pilihan editor",
    "simak video",
    "scroll to continue",
    "copyright",
    "terpopuler",
)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outlet_bodies_hold_the_story_only(name: str) -> None:
    want = EXPECTED[name]
    out = clean(RawArticle(id=name, url=want["url"], html=(OUTLETS / name).read_text("utf-8")))
    assert isinstance(out, CleanArticle), out
    lowered = out.text.casefold()
    assert not [c for c in CHROME if c in lowered], out.text[-300:]
    assert want["title"] not in out.text  # the headline is the title, not the body's first line


def test_a_hint_with_the_minute_beats_a_page_that_gives_the_day_only() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-09"></head>'
        "<body><article><p>"
        + "Isi berita tentang banjir di pesisir utara Semarang. " * 8
        + "</p></article></body></html>"
    )
    raw = RawArticle(
        id="h", url="https://kabar.example.id/a", html=html, published_at="09/03/2025 06:12 WIB"
    )
    out = clean(raw)
    assert isinstance(out, CleanArticle)
    assert out.published_at == datetime(2025, 3, 9, 6, 12, tzinfo=zone(7))
    other_day = clean(raw.model_copy(update={"published_at": "08/03/2025 21:00 WIB"}))
    assert isinstance(other_day, CleanArticle)
    assert other_day.published_at == datetime(2025, 3, 9, tzinfo=zone(7))
