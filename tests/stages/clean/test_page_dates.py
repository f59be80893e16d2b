"""Clean stage, page dates: declared first, then <time> stamps, htmldate's fast mode, page text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lxml.html import fromstring

from streams.stages.clean.metadata import read_page_meta
from streams.stages.clean.page_dates import FAST, SCAN, TIME, page_date, scan_text, time_element

NOW = datetime(2024, 6, 1)


def body(inner: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{inner}</body></html>"


def find(html: str, url: str | None = None) -> tuple[datetime, str] | None:
    tree = fromstring(html)
    out = page_date(read_page_meta(tree), tree, url)
    return (out[0].value, out[1]) if out else None


def test_declared_date_wins_over_the_page() -> None:
    head = '<meta property="article:published_time" content="2023-03-02T10:00:00+01:00">'
    html = body('<time datetime="2023-04-05T11:00:00+02:00">5 April</time>', head)
    got = find(html)
    assert got is not None
    assert got == (datetime(2023, 3, 2, 10, tzinfo=timezone(timedelta(hours=1))), "meta")


def test_json_ld_article_inside_a_web_page_is_read() -> None:
    ld = (
        '{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Banjir",'
        ' "datePublished": "2024-02-03T09:10:00+07:00", "author": {"name": "Sari Dewi"}}}'
    )
    meta = read_page_meta(
        fromstring(body("<p>x</p>", f'<script type="application/ld+json">{ld}</script>'))
    )
    assert meta.published == "2024-02-03T09:10:00+07:00"
    assert meta.authors == ["Sari Dewi"]
    assert meta.headline == "Banjir"


def test_first_time_stamp_with_a_time_of_day() -> None:
    html = body(
        '<span class="date">miércoles, 4 de mayo de 2022</span>'
        '<time datetime="2022-05-04T07:59:48-04:00">07:59</time>'
        '<aside><time datetime="2022-05-03T10:00:00-04:00">ayer</time></aside>'
    )
    got = find(html)
    assert got == (datetime(2022, 5, 4, 7, 59, tzinfo=timezone(timedelta(hours=-4))), TIME)


def test_date_only_time_stamp_is_left_to_htmldate() -> None:
    assert time_element(fromstring(body('<time datetime="2022-08-22">22.08.2022</time>'))) is None
    got = find(body('<p class="date">Published <time datetime="2022-08-22">22.08.2022</time></p>'))
    assert got is not None
    assert got[0].date() == datetime(2022, 8, 22).date()
    assert got[1] in (FAST, SCAN)


def test_written_date_in_page_text_is_found_without_dateparser() -> None:
    html = body(
        "<nav><a>Beranda</a></nav><div><span>Diterbitkan 16 marca 2021</span>"
        "<p>Rapat dewan berlangsung panjang dan hasilnya diumumkan pada sore hari.</p></div>"
    )
    tree = fromstring(html)
    found = scan_text(tree, now=NOW)
    assert found is not None
    assert found.value == datetime(2021, 3, 16)


def test_scan_skips_long_text_and_implausible_years() -> None:
    long_text = "Pada 17 Agustus 1945 kemerdekaan diproklamasikan, " + "kata dia " * 20
    html = body(f"<p>{long_text}</p><span>Hak cipta 1 Januari 1990</span><span>2 Mei 2030</span>")
    assert scan_text(fromstring(html), now=NOW) is None


def test_page_without_any_date_gives_none() -> None:
    assert find(body("<p>Tidak ada tanggal di halaman ini sama sekali.</p>")) is None
