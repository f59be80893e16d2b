"""Tokens and sentences with offsets (streams.enrich.text)."""

from __future__ import annotations

from streams.enrich.text import sentence_spans, split_sentences, tokenize


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
