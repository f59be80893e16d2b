"""Countries and provinces with ISO codes (streams.stages.enrich.places)."""

from __future__ import annotations

import pytest

from schemas.models import Entity
from streams.stages.enrich.places import find_places


def codes(text: str) -> list[str]:
    return [p.country_code for p in find_places(text)]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Jepang", "JP"),
        ("Korea Selatan", "KR"),
        ("Korea Utara", "KP"),
        ("Tiongkok", "CN"),
        ("Amerika Serikat", "US"),
        ("Inggris", "GB"),
        ("Rusia", "RU"),
        ("Ukraina", "UA"),
        ("Taiwan", "TW"),
        ("South Korea", "KR"),
        ("Germany", "DE"),
        ("AS", "US"),
    ],
)
def test_country_names_in_indonesian_and_english(name: str, code: str) -> None:
    assert codes(f"Delegasi dari {name} tiba kemarin.") == [code]


def test_longest_name_wins_and_order_is_first_mention() -> None:
    text = "Korea Utara menembakkan rudal; Korea Selatan dan Jepang memprotes. Korea Utara diam."
    assert codes(text) == ["KP", "KR", "JP"]


def test_language_names_are_not_countries() -> None:
    assert codes("Ia fasih berbahasa Inggris dan belajar bahasa Jepang.") == []


def test_provinces_carry_subdivision_codes() -> None:
    places = find_places("Banjir melanda Jawa Barat dan DKI Jakarta sejak Senin.")
    assert [(p.country_code, p.subdivision_code) for p in places] == [
        ("ID", "ID-JB"),
        ("ID", "ID-JK"),
    ]


def test_ambiguous_words_need_a_location_entity() -> None:
    text = "Chad Miller scored twice."
    assert codes(text) == []
    loc = Entity(text="Chad", type="LOC", start=0, end=4)
    assert [p.country_code for p in find_places("Chad held elections.", [loc])] == ["TD"]


def test_capitalised_headline_still_matches() -> None:
    assert codes("KOREA SELATAN SIAGA") == ["KR"]


def test_epithets_name_their_countries_and_provinces() -> None:
    from streams.stages.enrich.ner import extract_entities

    text = (
        "Negeri Paman Sam dan Negeri Tirai Bambu bersaing di Bumi Cenderawasih. Kota Pahlawan sepi."
    )
    codes = [
        (p.country_code, p.subdivision_code) for p in find_places(text, extract_entities(text))
    ]
    assert codes == [("US", None), ("CN", None), ("ID", "ID-PA")]
