"""The enrich stage end to end: our fixtures, the seed (when present) and the public data."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.models import CleanArticle, EnrichedArticle, RawArticle, Rejection
from streams.stages.enrich import COMPONENT_VERSIONS, enrich
from tests.conftest import FIXTURES

HERE = FIXTURES / "enrich"


def article(text: str, title: str | None = None, **extra: object) -> CleanArticle:
    return CleanArticle.model_validate(
        {"id": "a1", "title": title, "text": text, "fingerprint": "f" * 16, **extra}
    )


def from_fixture(name: str) -> CleanArticle:
    title, text = (HERE / name).read_text("utf-8").split("\n\n", 1)
    return article(text.strip(), title, versions={"clean": "clean-x"})


def test_enriches_indonesian_fixture() -> None:
    result = enrich(from_fixture("id_diplomasi.txt"))
    assert isinstance(result, EnrichedArticle)
    assert result.language.code == "id"
    assert result.versions["clean"] == "clean-x"
    assert {k: result.versions[k] for k in COMPONENT_VERSIONS} == COMPONENT_VERSIONS
    assert all(result.text[e.start : e.end] == e.text for e in result.entities)
    assert {"DE", "FR", "KR", "US", "CN"} <= {p.country_code for p in result.places}
    speakers = [q.speaker for q in result.quotes]
    assert speakers.count("Kirana Wulandari") == 2
    assert result.summary
    assert result.keywords


def test_enriches_english_fixture() -> None:
    result = enrich(from_fixture("en_summit.txt"))
    assert isinstance(result, EnrichedArticle)
    assert result.language.code == "en"
    assert {"JP", "KR", "PH"} <= {p.country_code for p in result.places}
    assert "Kenji Aoyama" in [q.speaker for q in result.quotes]


def test_language_hint_decides_for_a_tiny_text() -> None:
    result = enrich(article("Skor 2-1.", language_hint="id"))
    assert isinstance(result, EnrichedArticle)
    assert result.language.code == "id"


def test_text_without_words_is_rejected() -> None:
    result = enrich(article("— ... —"))
    assert isinstance(result, Rejection)
    assert result.reason == "no_content"


def seed_article(seed_text: str) -> CleanArticle:
    """The seed through the clean stage when it exists, else split into paragraphs."""
    clean = getattr(importlib.import_module("streams.stages.clean"), "clean", None)
    if clean is not None:
        cleaned = clean(RawArticle(text=seed_text))
        if isinstance(cleaned, CleanArticle):
            return cleaned
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", seed_text) if p.strip()]
    return article("\n\n".join(paragraphs))


@pytest.mark.data
def test_seed_acceptance(seed_text: str) -> None:
    result = enrich(seed_article(seed_text))
    assert isinstance(result, EnrichedArticle)
    assert result.language.code == "id"
    people = {e.text for e in result.entities if e.type == "PERSON"}
    assert {"Jens Stoltenberg", "Fumio Kishida"} <= people
    assert people & {"Putin", "Vladimir Putin"}
    assert "NATO" in {e.text for e in result.entities if e.type == "ORG"}
    places = {p.country_code for p in result.places}
    assert {"JP", "UA", "RU", "KR", "TW", "KP", "US", "CN"} <= places
    stoltenberg = [q for q in result.quotes if q.speaker and "Stoltenberg" in q.speaker]
    assert len(stoltenberg) >= 2


@pytest.mark.data
def test_ner_f1_on_idner_dev(data_dir: Path) -> None:
    from streams.evaluate.enrich import ner_scores

    scores = ner_scores(data_dir / "ner" / "idner_dev.txt", "idner_dev")
    assert scores.f1 >= 0.80


def test_eval_command_skips_without_data(tmp_path: Path) -> None:
    from streams.evaluate.enrich import command

    result = CliRunner().invoke(command, [str(tmp_path / "missing")])
    assert result.exit_code == 0
    assert "skipping" in result.output


_PIECES = st.sampled_from(
    [
        "Jakarta",
        "Presiden",
        "Ana",
        "ANA",
        "Negeri Sakura",
        "NATO",
        "Vladimir",
        "Putin",
        "kata",
        "dia",
        " ",
        "\n",
        '"',
        "“",
        "”",
        "(",
        ")",
        ".",
        ",",
        "İ",
        "ß",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=60).map("".join))
def test_any_text_gives_valid_offsets_or_a_rejection(text: str) -> None:
    result = enrich(article(text, language_hint="id"))
    if isinstance(result, Rejection):
        assert not any(ch.isalnum() for ch in text)
        return
    for entity in result.entities:
        assert result.text[entity.start : entity.end] == entity.text
        assert entity.text[:1].isalnum()
        assert entity.text[-1:].isalnum()
    # Every mention is grouped under exactly one resolved entity, and nothing else is.
    grouped = sorted((m.start, m.end) for r in result.resolved_entities for m in r.mentions)
    assert grouped == sorted((e.start, e.end) for e in result.entities)
    assert len({r.key for r in result.resolved_entities}) == len(result.resolved_entities)
    assert all(0.0 <= k.score <= 1.0 for k in result.keywords)


@pytest.mark.data
def test_seed_entities_read_as_a_reader_marks_them(seed_text: str) -> None:
    result = enrich(seed_article(seed_text))
    assert isinstance(result, EnrichedArticle)
    for e in result.entities:
        assert e.text[:1].isalnum(), e
        assert e.text[-1:].isalnum(), e
    assert "NATO)" not in {k.text for k in result.keywords}
    by_name = {e.name: e for e in result.resolved_entities}
    nato = by_name["Pakta Pertahanan Atlantik Utara"]
    assert (nato.type, nato.key) == ("ORG", "ORG:nato")
    assert {m.text for m in nato.mentions} == {"Pakta Pertahanan Atlantik Utara", "NATO"}
    jens = by_name["Jens Stoltenberg"]
    assert {m.text for m in jens.mentions} == {"Jens Stoltenberg", "Stoltenberg"}
    assert len(jens.mentions) >= 4
    people = {e.name for e in result.resolved_entities if e.type == "PERSON"}
    assert people == {"Jens Stoltenberg", "Vladimir Putin", "Fumio Kishida"}
    japan = by_name["Jepang"]
    assert (japan.type, japan.code) == ("LOC", "JP")
    assert "Negeri Sakura" in {m.text for m in japan.mentions}
    assert {"Rusia", "Ukraina", "Korea Selatan", "Korea Utara", "Tokyo"} <= {
        e.name for e in result.resolved_entities if e.type == "LOC"
    }
