"""Clean stage, header: titles, bylines, datelines and site names around headlines."""

from __future__ import annotations

import pytest

from streams.stages.clean.header import read_dateline, read_header
from streams.stages.clean.metadata import tidy_title
from streams.stages.clean.trim import trim_head

BODY = (
    "Sekitar tiga ribu relawan menanam bibit mangrove di sepanjang pesisir kota pada Selasa pagi."
)


@pytest.mark.parametrize(
    ("para", "place", "outlet"),
    [
        ("Sayama: " + BODY, "Sayama", None),
        ("JAKARTA, KOMPAS.com - " + BODY, "Jakarta", "KOMPAS.com"),
        ("Mataram, NTB (ANTARA News) - " + BODY, "Mataram, NTB", "ANTARA News"),
        ("LONDON (Reuters) - " + BODY, "London", "Reuters"),
        ("WASHINGTON — " + BODY, "Washington", None),
    ],
)
def test_datelines(para: str, place: str, outlet: str | None) -> None:
    found = read_dateline(para)
    assert found is not None
    dateline, rest = found
    assert (dateline.place, dateline.outlet) == (place, outlet)
    assert rest == BODY


@pytest.mark.parametrize("para", [BODY, "Foto: " + BODY, "Menurut dia, " + BODY])
def test_no_dateline_in_ordinary_openings(para: str) -> None:
    assert read_dateline(para) is None


def test_bullet_byline_gives_author_time_and_title() -> None:
    paras = ["Ribuan Relawan Tanam Mangrove", "Dewi Lestari • 12 Maret 2024 09:05", BODY]
    header = read_header(paras)
    assert header.title == "Ribuan Relawan Tanam Mangrove"
    assert header.authors == ["Dewi Lestari"]
    assert header.date is not None
    assert header.date.value.hour == 9
    assert header.body == [BODY]


def test_labelled_byline_separates_writers_and_editors() -> None:
    paras = [
        "Judul Berita Hari Ini",
        "Penulis: Sari Wulandari, Bagus Pratama | Editor: Hendra",
        BODY,
    ]
    header = read_header(paras)
    assert header.authors == ["Sari Wulandari", "Bagus Pratama"]
    assert header.editors == ["Hendra"]


def test_without_header_the_first_paragraph_stays() -> None:
    header = read_header([BODY, BODY + " Lagi."])
    assert header.title is None
    assert header.body[0] == BODY


@pytest.mark.parametrize(
    ("title", "site", "domain", "expected"),
    [
        ("Harga Beras Naik - Kompas.com", "Kompas.com", "kompas.com", "Harga Beras Naik"),
        ("KapanLagi.com: Artis Rilis Album", None, "kapanlagi.com", "Artis Rilis Album"),
        ("Banjir Surut | Tempo", "Tempo", "tempo.co", "Banjir Surut"),
        ("Ferry - the long debate", None, "example.com", "Ferry - the long debate"),
    ],
)
def test_title_loses_site_name(title: str, site: str | None, domain: str, expected: str) -> None:
    assert tidy_title(title, site, domain) == expected


def test_trim_head_drops_repeated_headline_byline_and_date() -> None:
    paras = ["Opini: Harga Beras Naik Lagi", "Oleh Dewi Lestari", "12.03.2024, 09:05", BODY]
    assert trim_head(paras, ["Harga Beras Naik Lagi"], ["Dewi Lestari"]) == [BODY]


def test_trim_head_never_empties_the_body() -> None:
    assert trim_head(["Harga Beras Naik Lagi"], ["Harga Beras Naik Lagi"], []) == [
        "Harga Beras Naik Lagi"
    ]


@pytest.mark.parametrize(
    "first",
    [
        '"Biasa, ekonomi," kata Menteri, Jumat (17/10/2025).',
        "Oleh karena itu, warga diminta waspada terhadap banjir susulan pekan ini.",
        "Pemerintah mengucurkan Rp 1,1 triliun untuk 20 ribu peserta magang nasional.",
        "Asisten pelatih tim nasional diisukan pindah. Kabar itu beredar sejak Senin",
    ],
)
def test_first_paragraph_is_never_taken_for_a_header(first: str) -> None:
    header = read_header([first, BODY, BODY + " Lagi."])
    assert header.body[0] == first
    assert header.title is None
    assert header.authors == []
