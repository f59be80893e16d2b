"""Language detection (streams.stages.enrich.language)."""

from __future__ import annotations

import pytest

from streams.stages.enrich.language import detect


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pemerintah kota menaikkan tarif angkutan umum mulai bulan depan, kata wali kota.", "id"),
        ("The city council voted on Tuesday to raise bus fares from next month.", "en"),
        ("Harga cabai naik jelang Lebaran", "id"),
        ("Polisi tangkap dua pencuri motor", "id"),
        ("Storm closes schools across the region", "en"),
        ("Die Regierung hat am Dienstag neue Regeln für den Bahnverkehr beschlossen.", "de"),
    ],
)
def test_detects_bodies_and_short_titles(text: str, code: str) -> None:
    result = detect(text)
    assert result.code == code
    assert 0.0 < result.confidence <= 1.0


def test_hint_decides_when_text_is_too_short() -> None:
    assert detect("OK 2-1", hint="id").code == "id"
    assert detect("OK 2-1", hint="EN").code == "en"


def test_hint_does_not_override_clear_text() -> None:
    text = "The central bank kept interest rates unchanged for a third month in a row."
    assert detect(text, hint="id").code == "en"


def test_empty_text_is_undetermined() -> None:
    assert detect("   ").code == "und"
