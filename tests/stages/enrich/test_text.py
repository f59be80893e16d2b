"""Tokens and sentences with offsets (streams.stages.enrich.text)."""

from __future__ import annotations

from streams.stages.enrich.text import (
    all_tokens,
    sentence_spans,
    split_prefix,
    split_sentences,
    tokenize,
)


def test_tokens_keep_offsets_and_inner_punctuation() -> None:
    text = "Ketua PDI-P hadir (29/10/2013) di negara-negara ASEAN."
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    words = [t.text for t in tokens]
    assert "PDI-P" in words
    assert "29/10/2013" in words
    assert "negara-negara" in words
    assert words[-1] == "."


def test_sentences_respect_abbreviations_quotes_and_lines() -> None:
    text = (
        'Dr. Sari tiba di Jl. Merdeka. "Kami siap," kata dia. Lalu pergi!\n'
        "Baris tanpa titik\n\n"
        '"Sudah selesai." Rapat ditutup.'
    )
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == [
        "Dr. Sari tiba di Jl. Merdeka.",
        '"Kami siap," kata dia.',
        "Lalu pergi!",
        "Baris tanpa titik",
        '"Sudah selesai."',
        "Rapat ditutup.",
    ]


def test_split_sentences_is_empty_for_blank_text() -> None:
    assert split_sentences("  \n\n ") == ()


def test_prefix_split_and_shared_tokens_match_the_plain_ones() -> None:
    text = (
        "Jl. Merdeka no. 5 ditutup. Warga kecewa!\n\n"
        'Kata dia: "Kami tunggu." Lalu pulang.\nBaris akhir tanpa titik'
    )
    assert list(all_tokens(text)) == tokenize(text)
    assert tokenize(text[4:17], 4) == [t for t in tokenize(text) if t.start >= 4 and t.end <= 17]
    for limit in range(len(text) + 2):
        # Every cut point, including mid-word, mid-line and right on a line break.
        assert split_prefix(text, limit) == split_sentences(text[:limit]), limit
