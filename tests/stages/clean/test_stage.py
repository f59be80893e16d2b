"""Clean stage end to end on our own fixtures, the user's seed, and the public data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas.models import CleanArticle, RawArticle, Rejection
from streams.core.fingerprint import fingerprint
from streams.stages.clean import VERSION, clean
from tests.conftest import FIXTURES

HERE = FIXTURES / "clean"
CHROME = ("Baca juga", "SCROLL TO", "ADVERTISEMENT", "Google News", "FOLLOW US", "TERKAIT", "Ikuti")


def has_chrome(text: str) -> bool:
    """A paragraph that opens with a chrome marker (markers may occur inside real sentences)."""
    return any(p.startswith(CHROME) or p.startswith("Jangan lupa") for p in text.split("\n\n"))


def fixture(name: str) -> str:
    return (HERE / name).read_text("utf-8")


def cleaned(raw: RawArticle) -> CleanArticle:
    out = clean(raw)
    assert isinstance(out, CleanArticle), out
    return out


def test_medcom_style_text() -> None:
    art = cleaned(RawArticle(id="a1", text=fixture("id_medcom_style.txt")))
    assert art.title == "Ribuan Relawan Tanam Mangrove di Pesisir Kendari"
    assert art.authors == ["Dewi Lestari"]
    assert art.published_at == datetime(2024, 3, 12, 9, 5, tzinfo=timezone(timedelta(hours=7)))
    assert art.confidence["published_at"] < 0.9  # the zone was assumed, not read
    assert art.dateline is not None
    assert art.dateline.place == "Kendari"
    assert art.text.startswith("Sekitar tiga ribu relawan")
    assert art.text.endswith("tiga tahun ke depan.")
    assert not has_chrome(art.text)
    assert "(DWL)" not in art.text
    assert [c.credit for c in art.captions] == ["Rudi SANTOSO / ANTARA"]
    assert [r.title for r in art.related] == [
        "Abrasi Ancam Ratusan Rumah Nelayan di Pesisir Sulawesi"
    ]
    assert "\n\n" in art.text
    assert "\n\n\n" not in art.text
    assert art.fingerprint == fingerprint(art.text)
    assert art.versions["clean"] == VERSION


def test_kompas_style_text() -> None:
    art = cleaned(RawArticle(id="a2", text=fixture("id_kompas_style.txt")))
    assert art.authors == ["Sari Wulandari", "Bagus Pratama"]
    assert art.metadata["editors"] == "Hendra Gunawan"
    assert art.published_at is not None
    assert art.published_at.isoformat() == "2025-10-20T14:30:00+08:00"
    assert art.dateline is not None
    assert (art.dateline.place, art.dateline.outlet) == ("Praya", "KOMPAS.com")
    assert art.text.startswith("Warga Desa Sukarame")
    assert art.text.endswith("hingga dua ton.")
    assert "Simak juga" not in art.text
    assert "ADVERTISEMENT" not in art.text


def test_english_wire_text() -> None:
    art = cleaned(RawArticle(id="a3", text=fixture("en_wire_style.txt")))
    assert art.authors == ["Thomas Greene", "Alice Moreau"]
    assert art.dateline is not None
    assert art.dateline.outlet == "Reuters"
    assert art.text.endswith("a spokesperson for the authority said.")
    assert "Related" not in art.text
    assert "Advertisement" not in art.text
    assert [r.title for r in art.related] == ["Commuters Welcome Longer Bus Hours"]


def test_indonesian_html_page() -> None:
    url = "https://www.kabarkita.id/ekonomi/kopi-gayo"
    art = cleaned(RawArticle(id="h1", url=url, html=fixture("id_page.html")))
    assert art.source == "kabarkita.id"
    assert art.title == "Petani Kopi Gayo Panen Raya Lebih Awal"
    assert art.authors == ["Rahmat Hidayat"]
    assert art.published_at is not None
    assert art.published_at.isoformat() == "2024-05-14T08:20:00+07:00"
    assert art.dateline is not None
    assert art.dateline.outlet == "ANTARA"
    assert art.text.startswith("Para petani kopi")
    assert art.text.endswith("harga jual petani meningkat.")
    assert "Baca juga" not in art.text
    assert "Beranda" not in art.text
    assert "<" not in art.text
    assert art.related[0].title == "Harga Kopi Arabika Dunia Menyentuh Rekor Baru"


def test_english_html_page_drops_embeds_and_ads() -> None:
    art = cleaned(
        RawArticle(id="h2", url="https://valleycourier.com/a", html=fixture("en_page.html"))
    )
    assert art.title == "Village school wins national robotics prize"
    assert art.published_at is not None
    assert art.published_at.utcoffset() == timedelta(hours=-4)
    assert "@millbrookmayor" not in art.text
    assert "Advertisement" not in art.text
    assert art.text.startswith("A team of twelve-year-olds")


def test_hints_fill_what_the_page_lacks() -> None:
    raw = RawArticle(
        id="h3",
        text="Hujan deras mengguyur kota sejak pagi dan membuat jalan utama tergenang air.",
        title="Hujan Deras Guyur Kota",
        published_at="Rabu, 6 Maret 2024 10:12 WIB",
        authors=["Tim Redaksi"],
    )
    art = cleaned(raw)
    assert art.title == "Hujan Deras Guyur Kota"
    assert art.authors == ["Tim Redaksi"]
    assert art.published_at is not None
    assert art.published_at.hour == 10
    assert art.confidence["title"] <= 0.5


@pytest.mark.parametrize(
    "raw",
    [
        RawArticle(id="e1", text="   \n  "),
        RawArticle(id="e2", html="   "),
        RawArticle(id="e3", text="ADVERTISEMENT\nFOLLOW US\nGoogle News"),
    ],
)
def test_no_content_is_rejected(raw: RawArticle) -> None:
    out = clean(raw)
    assert isinstance(out, Rejection)
    assert out.reason == "no_content"


def test_id_is_derived_stably_when_absent() -> None:
    text = fixture("en_wire_style.txt")
    a, b = cleaned(RawArticle(text=text)), cleaned(RawArticle(text=text))
    assert a.id == b.id
    assert len(a.id) >= 16


def test_seed_acceptance(seed_text: str) -> None:
    art = cleaned(RawArticle(id="seed", text=seed_text))
    assert art.title == "NATO Serukan Kemitraan yang Lebih Kuat dengan Jepang"
    assert art.authors == ["Willy Haryono"]
    assert art.published_at is not None
    assert art.published_at.isoformat() == "2023-01-31T15:50:00+07:00"
    assert art.dateline is not None
    assert art.dateline.place == "Sayama"
    assert art.text.startswith("Sekretaris Jenderal")
    assert art.text.endswith("pada Desember lalu.")
    assert len(art.captions) == 1
    assert "AFP" in (art.captions[0].credit or "")
    assert not has_chrome(art.text)
    assert "(WIL)" not in art.text


@pytest.mark.data
def test_fundus_pages_extract_well(data_dir: Path) -> None:
    from streams.evaluate.extraction import Tally, load_fundus, ours, score

    tally = Tally()
    for i, page in enumerate(load_fundus(data_dir)):
        if i >= 15:
            break
        tally.pages += 1
        score(page, ours(page), tally)
    summary = tally.summary()
    assert summary["f1"] is not None
    assert summary["f1"] > 0.85
    assert summary["date"] is not None
    assert summary["date"] > 0.7


def test_markup_never_survives_in_text() -> None:
    page = RawArticle(id="m1", text="<html><body><script>var a = 1;</script></body></html>")
    out = clean(page)
    assert isinstance(out, Rejection)
    assert out.reason == "no_content"
    art = cleaned(RawArticle(id="m2", text="Harga <b>beras</b> naik tajam pekan ini.<br/>"))
    assert art.text == "Harga beras naik tajam pekan ini."


def test_lone_surrogates_are_dropped() -> None:
    art = cleaned(RawArticle(id="s1", text="Teks \ud800rusak tetap terbaca oleh pembaca berita."))
    assert art.text == "Teks rusak tetap terbaca oleh pembaca berita."
