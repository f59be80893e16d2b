"""Entities resolved within an article (streams.stages.enrich.resolve) on articles we wrote."""

from __future__ import annotations

from schemas.models import CleanArticle, EnrichedArticle, ResolvedEntity
from streams.evaluate.resolution import FIXTURES, resolution_scores
from streams.stages.enrich import enrich
from streams.stages.enrich.ner import extract_entities
from streams.stages.enrich.resolve import resolve, slug


def resolved(text: str) -> dict[str, ResolvedEntity]:
    found = resolve(text, extract_entities(text))
    for entity in found:
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text
    return {e.name: e for e in found}


def test_a_surname_is_the_person_named_in_full() -> None:
    by_name = resolved(
        "Menteri Luar Negeri Retno Marsudi tiba di Tokyo. Retno mengatakan kerja sama menguat. "
        '"Kami siap," kata Retno.'
    )
    retno = by_name["Retno Marsudi"]
    assert retno.type == "PERSON"
    assert retno.key == "PERSON:retno-marsudi"
    assert [m.text for m in retno.mentions] == ["Retno Marsudi", "Retno", "Retno"]
    assert "Retno" not in by_name


def test_an_acronym_is_its_spelt_out_name_and_keys_by_the_acronym() -> None:
    by_name = resolved(
        "Otoritas Jasa Keuangan (OJK) menilai perbankan sehat. Kepala OJK Rina Kusuma "
        "menyebut Lembaga Penjamin Simpanan (LPS) ikut mengawasi, dan LPS setuju."
    )
    ojk = by_name["Otoritas Jasa Keuangan"]
    assert ojk.key == "ORG:ojk"
    assert {m.text for m in ojk.mentions} == {"Otoritas Jasa Keuangan", "OJK"}
    lps = by_name["Lembaga Penjamin Simpanan"]
    assert lps.key == "ORG:lps"
    assert len(lps.mentions) == 3


def test_epithets_are_their_places_with_iso_codes() -> None:
    by_name = resolved(
        "Jepang memperkuat pertahanan. Negeri Sakura juga mendekati Negeri Jiran, sementara "
        "Gubernur Jawa Timur berkunjung ke Kota Pahlawan."
    )
    japan = by_name["Jepang"]
    assert (japan.type, japan.key, japan.code) == ("LOC", "LOC:JP", "JP")
    assert {m.text for m in japan.mentions} == {"Jepang", "Negeri Sakura"}
    assert by_name["Malaysia"].code == "MY"
    assert (by_name["Surabaya"].key, by_name["Surabaya"].code) == ("LOC:surabaya", "ID-JI")
    assert not any(e.type == "PERSON" for e in by_name.values())


def test_a_name_split_by_a_bracket_is_one_person() -> None:
    by_name = resolved('"Jika Presiden (Rusia Vladimir) Putin menang, itu tragedi," katanya.')
    people = [e for e in by_name.values() if e.type == "PERSON"]
    assert [p.name for p in people] == ["Vladimir Putin"]
    assert [m.text for m in people[0].mentions] == ["Vladimir", "Putin"]


def test_keys_are_stable_ascii() -> None:
    assert slug("Shin Tae-yong") == "shin-tae-yong"
    assert slug("Ségolène Royal") == "segolene-royal"


def test_enrich_adds_resolved_entities_beside_the_mentions() -> None:
    text = "Presiden Joko Widodo tiba di Jakarta. Widodo disambut Gubernur Heru Budi."
    result = enrich(CleanArticle(id="r", text=text, fingerprint="f"))
    assert isinstance(result, EnrichedArticle)
    assert result.entities
    grouped = sorted((m.start, m.end) for e in result.resolved_entities for m in e.mentions)
    assert grouped == sorted((e.start, e.end) for e in result.entities)
    assert "resolve" in result.versions


def test_annotated_articles_are_grouped_as_annotated() -> None:
    scores = resolution_scores(FIXTURES)
    assert scores is not None
    assert scores.articles >= 7
    figures = scores.figures()
    assert figures["grouping B3 F1"] >= 0.95
    assert figures["canonical name accuracy"] >= 0.9
    assert figures["key accuracy"] >= 0.9
    assert figures["mention recall"] >= 0.9
