"""Quotes and speakers (streams.stages.enrich.quotes) on our own sentences."""

from __future__ import annotations

from schemas.models import Entity
from streams.stages.enrich.ner import extract_entities
from streams.stages.enrich.quotes import find_quotes


def person(text: str, name: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Entity(text=name, type="PERSON", start=start, end=start + len(name))


def test_indonesian_attributions_and_pronouns() -> None:
    text = (
        "Menteri Bayu Santoso membuka rapat. "
        '"Anggaran ini harus dipakai untuk sekolah," kata Bayu. '
        '"Kami akan mengawasi setiap rupiah yang keluar," lanjut dia. '
        '"Tidak ada pengecualian bagi siapa pun," ujarnya.'
    )
    ents = [person(text, "Bayu Santoso"), person(text, "Bayu", 1)]
    quotes = find_quotes(text, ents)
    assert [q.speaker for q in quotes] == ["Bayu Santoso"] * 3
    assert quotes[0].text == "Anggaran ini harus dipakai untuk sekolah"


def test_pronoun_skips_people_named_inside_quotes() -> None:
    text = (
        '"Saya tidak takut pada ancaman," kata Rina Sari. '
        '"Kalau Dimas Aji menang, kami tetap bekerja seperti biasa," tambah dia.'
    )
    ents = [person(text, "Rina Sari"), person(text, "Dimas Aji")]
    assert [q.speaker for q in find_quotes(text, ents)] == ["Rina Sari", "Rina Sari"]


def test_english_said_forms() -> None:
    text = (
        'Harbour master Tom Reyes spoke first. "The channel will reopen on Friday," said Reyes. '
        '"We cannot rush the divers," he said. '
        'Port chief Amy Cole said: "Cargo is already waiting at anchor."'
    )
    quotes = find_quotes(text, extract_entities(text, "en"))
    assert [q.speaker for q in quotes] == ["Tom Reyes", "Tom Reyes", "Amy Cole"]


def test_scare_quotes_are_not_statements() -> None:
    text = 'Hubungan kedua negara disebut "sangat erat" oleh pengamat.'
    assert find_quotes(text, []) == []


def test_unattributed_long_quote_has_no_speaker() -> None:
    text = 'Spanduk itu bertuliskan "Kami menolak penggusuran tanpa ganti rugi yang layak".'
    quotes = find_quotes(text, [])
    assert len(quotes) == 1
    assert quotes[0].speaker is None


def test_speaker_before_a_quote_late_in_a_long_paragraph() -> None:
    filler = "Rapat itu berlangsung lama dan membahas banyak hal penting bagi warga desa. " * 8
    text = (
        f'{filler}Kepala desa Bayu Santoso mengatakan, "Kami akan memperbaiki jalan itu tahun ini."'
    )
    people = [person(text, "Bayu Santoso")]
    quotes = find_quotes(text, people)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("Kami akan memperbaiki jalan itu tahun ini.", "Bayu Santoso")
    ]
    # Without a verb of saying before it, the long quote has no speaker.
    plain = text.replace(" mengatakan,", ":")
    assert [q.speaker for q in find_quotes(plain, people)] == [None]
