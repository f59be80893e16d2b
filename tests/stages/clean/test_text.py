"""Clean stage, plain-text rules: chrome lines, teasers, footers, initials, captions, unicode."""

from __future__ import annotations

import re
import unicodedata

import pytest

from streams.stages.clean.rules import rules
from streams.stages.clean.text import (
    is_chrome,
    is_stop,
    paragraphs,
    repair,
    split_caption,
    strip_chrome,
    strip_tags,
    take_repeated_captions,
    teaser_title,
)

BODY_FIRST = "Gubernur meresmikan pasar baru di pusat kota pada Rabu pagi bersama ratusan pedagang."
BODY_LAST = "Pasar itu akan buka setiap hari mulai pukul lima pagi hingga sore hari."


@pytest.mark.parametrize(
    "line",
    [
        "SCROLL TO CONTINUE WITH CONTENT",
        "ADVERTISEMENT",
        "Jangan lupa ikuti update berita lainnya dan follow akun google news Kabarkita.id",
        "Ikuti media sosial kabarkita.id dan dapatkan berbagai keuntungan",
        "Cek Berita dan Artikel yang lain di",
        "Google News",
        "FOLLOW US",
        "(WIL)",
        "(ant/hrd)",
        "Advertisement",
    ],
)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert is_chrome(line, rules())


@pytest.mark.parametrize(
    "line", [BODY_FIRST, BODY_LAST, "Google mengumumkan produk baru di Jakarta."]
)
def test_body_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome(line, rules())


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Baca juga:  Harga Cabai Turun Menjelang Ramadan", "Harga Cabai Turun Menjelang Ramadan"),
        ("Simak juga Video 'Banjir Rob di Pekalongan'", "Banjir Rob di Pekalongan"),
        ("Lihat juga: Festival Layang-Layang", "Festival Layang-Layang"),
        ("Saksikan juga: Wawancara Khusus Menteri", "Wawancara Khusus Menteri"),
        ("Read more: Commuters Welcome Longer Bus Hours", "Commuters Welcome Longer Bus Hours"),
    ],
)
def test_teasers_give_their_title(line: str, title: str) -> None:
    assert teaser_title(line, rules()) == title


@pytest.mark.parametrize("line", ["TERKAIT", "BERITA LAINNYA", "Related Articles"])
def test_footer_headings(line: str) -> None:
    assert is_stop(line, rules())


def test_strip_chrome_keeps_first_and_last_paragraph_and_collects_teasers() -> None:
    paras = [
        BODY_FIRST,
        "ADVERTISEMENT",
        "Baca juga: Harga Cabai Turun Menjelang Ramadan",
        BODY_LAST + " (ant/hrd)",
        "TERKAIT",
        "Festival Layang-Layang Digelar",
    ]
    out = strip_chrome(paras)
    assert out.paragraphs == [BODY_FIRST, BODY_LAST]
    assert [r.title for r in out.related] == ["Harga Cabai Turun Menjelang Ramadan"]


def test_footer_heading_inside_a_long_story_does_not_cut_it() -> None:
    paras = [BODY_FIRST, "TERKAIT", *([BODY_LAST] * 5)]
    assert strip_chrome(paras).paragraphs == [BODY_FIRST, *([BODY_LAST] * 5)]


def test_bare_teaser_takes_the_next_line_as_title() -> None:
    out = strip_chrome([BODY_FIRST, "Baca Juga", "Banjir di Pidie", BODY_LAST])
    assert out.paragraphs == [BODY_FIRST, BODY_LAST]
    assert out.related[0].title == "Banjir di Pidie"


def test_repeated_caption_is_taken_once_with_credit() -> None:
    caption = "Presiden menyapa warga di Palu, 2 Mei 2024. (Andi PUTRA / AFP)"
    out = take_repeated_captions([caption, caption, BODY_FIRST])
    assert out.paragraphs == [BODY_FIRST]
    assert len(out.captions) == 1
    assert out.captions[0].credit == "Andi PUTRA / AFP"
    assert out.captions[0].text == "Presiden menyapa warga di Palu, 2 Mei 2024."


def test_body_sentence_with_parenthesis_is_not_a_caption_unless_repeated() -> None:
    line = "Harga minyak naik (Brent/WTI) pada perdagangan Senin."
    assert take_repeated_captions([line, BODY_LAST]).paragraphs == [line, BODY_LAST]


def test_caption_with_foto_prefix() -> None:
    cap = split_caption("Foto: Suasana sidang di gedung DPR.")
    assert cap is not None
    assert cap.text == "Suasana sidang di gedung DPR."


def test_repair_fixes_mojibake_spaces_and_normalises() -> None:
    broken = "Caf\u00c3\u00a9\u00a0baru di Bandung\u200b dibuka"
    fixed = repair(broken)
    assert fixed == "Café baru di Bandung dibuka"
    decomposed = unicodedata.normalize("NFD", "Café")
    assert repair(decomposed) == unicodedata.normalize("NFC", "Café")


def test_repair_keeps_publisher_quotes() -> None:
    assert repair("„Ja“, sagte sie – “yes”") == "„Ja“, sagte sie – “yes”"


def test_paragraphs_split_lines_and_drop_blanks() -> None:
    assert paragraphs("  satu  dua \n \n\ntiga\n") == ["satu dua", "tiga"]


def test_scripts_and_styles_leave_with_their_content() -> None:
    text = (
        "Banjir rob merendam pesisir Semarang.\n<script type='text/javascript'>\nvar a = 1 < 2;\n"
        "track('x');\n</script>\n<style>p { color: red }</style>Warga mengungsi ke balai desa."
    )
    out = strip_tags(text)
    assert "var a" not in out
    assert "track" not in out
    assert "color" not in out
    assert "Banjir rob" in out
    assert "Warga mengungsi" in out


def test_escaped_and_nested_markup_goes_too() -> None:
    assert "alert" not in strip_tags("Banjir &lt;script&gt;alert(1)&lt;/script&gt; rob")
    out = strip_tags("Awal. <scr<script>ipt>alert(1)</script> Akhir <b>tebal</b> &amp; jelas.")
    assert "alert" not in out
    assert "<b>" not in out
    assert "<script" not in out
    assert not re.search(r"<[a-zA-Z][^<>]*>", out)
    assert "Akhir tebal & jelas." in " ".join(out.split())


def test_unclosed_script_takes_its_line_only_and_comparisons_stay() -> None:
    out = strip_tags("Peretas menyisipkan <script> pada formulir.\nHarga naik 5 < 7 persen.")
    assert out.splitlines()[1] == "Harga naik 5 < 7 persen."
    assert out.splitlines()[0].strip() == "Peretas menyisipkan"


@pytest.mark.parametrize(
    "line",
    [
        "For the latest breaking news from Kota Harian, sign up for our free newsletter here.",
        "Get the latest news from harian.example in your inbox.",
        "Follow Harian on Google News and add us as a preferred source.",
        "Join our commenting forum",
        "For more stories like this, check our news page.",
    ],
)
def test_english_newsletter_and_comment_prompts_are_chrome(line: str) -> None:
    assert is_chrome(line, rules())


def test_prose_mentioning_newsletters_is_not_chrome() -> None:
    line = (
        "The council said residents who sign up for the newsletter will hear about road closures."
    )
    assert not is_chrome(line, rules())


@pytest.mark.parametrize(
    "line",
    [
        "An dieser Stelle finden Sie einen externen Inhalt, der den Artikel ergänzt.",
        "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.",
        "Link zum YouTube-Inhalt",
        "Wie hat Ihnen dieser Artikel gefallen?",
        "We independently select these products. Buying through us may earn us a commission.",
        "Tu suscripción se está usando en otro dispositivo",
    ],
)
def test_consent_rating_and_affiliate_lines_are_chrome(line: str) -> None:
    assert is_chrome(line, rules())


def test_also_read_is_a_teaser() -> None:
    assert teaser_title("ALSO READ: Harbour works to resume next month", rules()) == (
        "Harbour works to resume next month"
    )
