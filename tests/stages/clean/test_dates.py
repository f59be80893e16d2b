"""Clean stage, dates: Indonesian and English names, WIB/WITA/WIT, numeric and ISO forms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from streams.stages.clean.dates import WIB, localise, parse_hint, parse_iso, parse_text_date


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Selasa, 31 Januari 2023 15:50 WIB", datetime(2023, 1, 31, 15, 50, tzinfo=tz(7))),
        ("Senin (20/10/2025) 14.30 WITA", datetime(2025, 10, 20, 14, 30, tzinfo=tz(8))),
        ("Kamis, 2 Feb 2023 pukul 09.15 WIT", datetime(2023, 2, 2, 9, 15, tzinfo=tz(9))),
        ("March 3, 2024 7:45 pm GMT", datetime(2024, 3, 3, 19, 45, tzinfo=tz(0))),
        ("2024-05-14T08:20:00+07:00", datetime(2024, 5, 14, 8, 20, tzinfo=tz(7))),
    ],
)
def test_zoned_dates(text: str, expected: datetime) -> None:
    found = parse_text_date(text)
    assert found is not None
    assert found.zoned
    assert found.value == expected


def test_byline_without_zone_takes_the_outlet_default_with_lower_confidence() -> None:
    found = parse_text_date("Willy Haryono • 31 Januari 2023 15:50")
    assert found is not None
    assert not found.zoned
    value, conf = localise(found, WIB) or (None, 0.0)
    assert value == datetime(2023, 1, 31, 15, 50, tzinfo=tz(7))
    zoned = parse_text_date("31 Januari 2023 15:50 WIB")
    assert zoned is not None
    assert conf < localise(zoned, WIB)[1]  # type: ignore[index]


def test_day_only_keeps_midnight_and_low_confidence() -> None:
    found = parse_text_date("Senin (20/10/2025)")
    assert found is not None
    assert not found.has_time
    out = localise(found, WIB)
    assert out is not None
    assert out[0].hour == 0
    assert out[1] <= 0.5


def test_naive_date_without_default_is_not_guessed() -> None:
    found = parse_iso("2024-01-02 10:00")
    assert found is not None
    assert localise(found, None) is None


def test_hint_in_free_form() -> None:
    out = parse_hint("Rabu, 6 Maret 2024 | 10:12 WIB", WIB)
    assert out is not None
    assert out[0] == datetime(2024, 3, 6, 10, 12, tzinfo=tz(7))


def test_invalid_day_is_rejected() -> None:
    assert parse_text_date("31 Februari 2023") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("miércoles, 7 de junio de 2023", datetime(2023, 6, 7)),
        ("publicado em 12 de outubro de 2021", datetime(2021, 10, 12)),
        ("opublikowano: 3 listopada 2020", datetime(2020, 11, 3)),
        ("Veröffentlicht am 9. Mai 2022 um 08:45", datetime(2022, 5, 9, 8, 45)),
        ("Publié le 1er mars 2021", datetime(2021, 3, 1)),
        ("pubblicato il 14 maggio 2019", datetime(2019, 5, 14)),
        ("Stand: 26.01.2022 15:30", datetime(2022, 1, 26, 15, 30)),
        ("14 | 02 | 2022", datetime(2022, 2, 14)),
    ],
)
def test_european_written_dates(text: str, expected: datetime) -> None:
    found = parse_text_date(text)
    assert found is not None
    assert not found.zoned
    assert found.value == expected


def test_numeric_date_needs_one_separator_throughout() -> None:
    assert parse_text_date("26.01/2022") is None
