"""Named entities with offsets (streams.stages.enrich.ner, ner_rules, ner_data) on our own fixtures."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pycrfsuite
import pytest

from streams.stages.enrich.crf import CrfModel
from streams.stages.enrich.gazetteer import gazetteer_marks
from streams.stages.enrich.ner import MODEL_PATH, extract_entities, predict_tags, tag_sentences
from streams.stages.enrich.ner_data import Scores, Sentence, retokenize, spans
from streams.stages.enrich.ner_fast import WordScorer
from streams.stages.enrich.ner_features import sentence_features
from streams.stages.enrich.ner_post import correct
from streams.stages.enrich.text import split_sentences
from tests.conftest import FIXTURES

HERE = FIXTURES / "enrich"


def by_type(text: str, lang: str = "id") -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for e in extract_entities(text, lang):
        assert text[e.start : e.end] == e.text
        found.setdefault(e.type, set()).add(e.text)
    return found


def test_model_file_is_small_and_present() -> None:
    assert MODEL_PATH.is_file()
    assert MODEL_PATH.stat().st_size < 5 * 1024 * 1024


def test_indonesian_people_without_their_titles() -> None:
    text = (
        "Presiden Joko Widodo bertemu Perdana Menteri Jepang Fumio Kishida di Istana Bogor. "
        "Gubernur Jawa Tengah Ganjar Pranowo juga hadir."
    )
    found = by_type(text)
    people = found.get("PERSON", set())
    assert {"Joko Widodo", "Fumio Kishida", "Ganjar Pranowo"} <= people
    assert not any(p.split()[0] in {"Presiden", "Perdana", "Menteri", "Gubernur"} for p in people)


def test_fixture_article_entities() -> None:
    text = (HERE / "id_diplomasi.txt").read_text("utf-8")
    found = by_type(text)
    assert "Kirana Wulandari" in found["PERSON"]
    assert "Bayu Santoso" in found["PERSON"]
    assert "Kementerian Luar Negeri" in found["ORG"]
    assert {"Berlin", "Jawa Barat"} <= found["LOC"]


def test_english_uses_capitalisation_rules() -> None:
    text = (HERE / "en_summit.txt").read_text("utf-8")
    found = by_type(text, "en")
    assert {"Elena Marquez", "Kenji Aoyama"} <= found["PERSON"]
    assert {"Manila", "Japan"} <= found["LOC"]
    assert "Philippine Department of Foreign Affairs" in found["ORG"]
    assert "Foreign Minister Elena Marquez" not in found["PERSON"]


def test_empty_and_punctuation_only_text() -> None:
    assert extract_entities("") == []
    assert extract_entities("... !!! ---") == []


def test_retokenize_keeps_brackets_outside_entities() -> None:
    sent = Sentence(("Presiden", "(Jokowi)", "hadir"), ("O", "B-PER", "O"))
    out = retokenize(sent)
    assert out.words == ("Presiden", "(", "Jokowi", ")", "hadir")
    assert spans(out.tags) == {(2, 3, "PER")}


def test_scores_count_exact_matches() -> None:
    s = Scores()
    s.add({(0, 2, "PER"), (3, 4, "LOC")}, {(0, 2, "PER"), (3, 5, "LOC")})
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert s.f1 == pytest.approx(0.5)


def test_no_entities_for_languages_without_a_model() -> None:
    text = "Die Regierung hat am Dienstag in Berlin neue Regeln beschlossen."
    assert extract_entities(text, "de") == []


def test_retokenize_keeps_the_closing_bracket_of_a_name_with_an_acronym() -> None:
    sent = Sentence(
        ("Komisi", "Pemilihan", "Umum", "(KPU)", "hadir"), ("B-ORG",) + ("I-ORG",) * 3 + ("O",)
    )
    out = retokenize(sent)
    assert spans(out.tags) == {(0, 6, "ORG")}
    assert out.words[3:6] == ("(", "KPU", ")")


def test_post_rules_close_brackets_and_ignore_lines_in_capitals() -> None:
    words = ["Komisi", "Pemilihan", "Umum", "(", "KPU", ")", "hadir"]
    tags = ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"]
    assert correct(words, tags)[5] == "I-ORG"
    shouting = ["SCROLL", "TO", "CONTINUE", "WITH", "CONTENT"]
    assert correct(shouting, ["O", "O", "O", "B-ORG", "I-ORG"]) == ["O"] * 5


def test_english_dates_and_capitalised_datelines_are_not_people() -> None:
    text = "LA CROSSE, Wis. - Voters in New Jersey lined up on Labor Day, said Ana Ruiz."
    found = by_type(text, "en")
    assert found.get("PERSON") == {"Ana Ruiz"}
    assert "New Jersey" in found["LOC"]


def test_title_country_name_pattern() -> None:
    found = by_type('"Kalau Presiden (Brasil Marco) Tavares datang, kami siap," ujar dia.')
    assert "Tavares" in found["PERSON"]
    found = by_type("Kunjungan Kanselir Austria Lukas Brandner ke Jakarta ditunda.")
    assert "Lukas Brandner" in found["PERSON"]
    assert not any("Kanselir" in p or "Austria" in p for p in found["PERSON"])


def _shipped_tagger() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def test_article_tagger_matches_crfsuite_on_every_sentence() -> None:
    sentences = [
        [t.text for t in s]
        for name in ("id_diplomasi.txt", "en_summit.txt")
        for s in split_sentences((HERE / name).read_text("utf-8"))
    ]
    sentences += [["Jakarta"], ["Kata", "Presiden", "Joko", "Widodo", "."], ["(", "KPU", ")"]]
    tagger = _shipped_tagger()
    expected = [correct(w, list(tagger.tag(sentence_features(w)))) for w in sentences]
    # All at once (one batch of mixed lengths), one by one, and again from the word caches.
    assert tag_sentences(sentences) == expected
    assert [predict_tags(w) for w in sentences] == expected
    assert tag_sentences(sentences[::-1]) == expected[::-1]
    assert predict_tags(sentences[0], tagger) == expected[0]


def test_model_reader_has_the_weights_crfsuite_dumps() -> None:
    model = CrfModel.load(MODEL_PATH)
    info = _shipped_tagger().info()
    assert set(model.labels) == set(info.labels)
    some = list(info.state_features.items())[::97]
    for (attr, label), weight in some:
        assert model.state[model.attributes[attr], model.labels.index(label)] == pytest.approx(
            weight, abs=1e-6
        )
    for (src, dst), weight in info.transitions.items():
        got = model.transition[model.labels.index(src), model.labels.index(dst)]
        assert got == pytest.approx(weight, abs=1e-6)


def test_word_scorer_shared_by_threads_scores_as_alone() -> None:
    model = CrfModel.load(MODEL_PATH)
    text = (HERE / "id_diplomasi.txt").read_text("utf-8")
    sentences = [[t.text for t in s] for s in split_sentences(text)]
    # Distinct made-up words per batch, so that every thread adds new rows and grows the table.
    batches = [[[f"{w}{k}" for w in words] for words in sentences] for k in range(8)]
    gazs = [[gazetteer_marks(tuple(w)) for w in batch] for batch in batches]
    alone = [WordScorer(model).scores(b, g) for b, g in zip(batches, gazs, strict=True)]
    shared = WordScorer(model)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so that a missing lock shows
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            together = list(pool.map(shared.scores, batches, gazs))
    finally:
        sys.setswitchinterval(interval)
    for one, other in zip(alone, together, strict=True):
        assert all(np.array_equal(a, b) for a, b in zip(one, other, strict=True))


def _clean_ends(text: str) -> None:
    for e in extract_entities(text):
        assert e.text[:1].isalnum(), e
        assert e.text[-1:].isalnum(), e


def test_spans_never_start_or_end_with_punctuation() -> None:
    text = (
        "Sekretaris Jenderal Pakta Pertahanan Atlantik Utara (NATO) Lars Henriksen tiba di Seoul. "
        '"Kami siap," kata Henriksen. Menurut (Komisi Pemilihan Umum) KPU, data itu [rahasia].'
    )
    _clean_ends(text)
    _clean_ends((HERE / "id_diplomasi.txt").read_text("utf-8"))
    found = by_type(text)
    assert {"Pakta Pertahanan Atlantik Utara", "NATO"} <= found["ORG"]
    assert "Lars Henriksen" in found["PERSON"]


def test_a_name_with_its_acronym_is_two_names() -> None:
    text = (
        "Komisi Pemilihan Umum (KPU) menetapkan jadwal baru, kata PT Bank Sejahtera (Persero) Tbk."
    )
    found = by_type(text)
    assert {"Komisi Pemilihan Umum", "KPU"} <= found["ORG"]
    # A bracket inside a company's legal name stays; none opens or closes a name.
    assert "PT Bank Sejahtera (Persero) Tbk" in found["ORG"]


def test_known_epithets_are_places() -> None:
    text = (
        "Negeri Sakura meluncurkan strategi keamanan baru, sementara Negeri Paman Sam dan "
        "Negeri Jiran memantau. Wali Kota Kota Pahlawan hadir."
    )
    found = by_type(text)
    assert {"Negeri Sakura", "Negeri Paman Sam", "Negeri Jiran", "Kota Pahlawan"} <= found["LOC"]
    assert not found.get("PERSON", set()) & {"Negeri Sakura", "Negeri Paman Sam"}


def test_a_name_found_once_is_found_wherever_the_article_repeats_it() -> None:
    text = (
        "Ketua Umum PSSI Erick Thohir berharap penonton memadati stadion. "
        "Erick juga meminta suporter menjaga ketertiban di Universitas Erick Luhur."
    )
    mentions = [(e.text, e.type, e.start) for e in extract_entities(text)]
    assert ("Erick", "PERSON", text.index("Erick juga")) in mentions
    # Inside a longer capitalised name the model left alone, it is not the person.
    assert ("Erick", "PERSON", text.index("Erick Luhur")) not in mentions


def test_person_spans_side_by_side_and_a_leading_country() -> None:
    from streams.stages.enrich.ner_spans import reader_spans

    words = ["kata", "Omar", "Beshir", "dan", "Perancis", "Jaques", "Chirac", "."]
    tags = ["O", "B-PER", "B-PER", "O", "B-PER", "I-PER", "I-PER", "O"]
    assert reader_spans(words, tags) == [(1, 3, "PER"), (4, 5, "LOC"), (5, 7, "PER")]
