"""Topic classification on our own Indonesian and English articles, the seed, and detik (data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.stages.tag import evaluate_topics
from streams.stages.tag.features import analyze, document, document_tokens, tokens
from streams.stages.tag.iptc import SECOND_LEVEL, TOP_LEVEL
from streams.stages.tag.model import MODEL_PATH, default_model
from streams.stages.tag.topics import classify
from tests.conftest import FIXTURES

HERE = FIXTURES / "tag"
ARTICLES: list[dict[str, Any]] = yaml.safe_load((HERE / "articles.yaml").read_text("utf-8"))


@pytest.mark.parametrize("art", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_first_topic_is_the_expected_top_level_code(art: dict[str, Any]) -> None:
    topics = classify(art["title"], art["text"], art["language"])
    assert topics[0].code in art["expect"], topics


@pytest.mark.parametrize("art", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_topics_are_well_formed(art: dict[str, Any]) -> None:
    topics = classify(art["title"], art["text"], art["language"])
    tops = [t for t in topics if t.code in TOP_LEVEL]
    subs = [t for t in topics if t.code not in TOP_LEVEL]
    assert tops, "a top-level code is always given"
    assert topics[: len(tops)] == tops, "top-level codes come first"
    assert [t.score for t in tops] == sorted((t.score for t in tops), reverse=True)
    assert all(0.0 <= t.score <= 1.0 for t in topics)
    assert len({t.code for t in topics}) == len(topics)
    assert all(SECOND_LEVEL[t.code][1] in {p.code for p in tops} for t in subs)


@pytest.mark.parametrize("art", [a for a in ARTICLES if "also" in a], ids=lambda a: a["id"])
def test_a_clear_second_theme_is_listed_as_another_top_level_code(art: dict[str, Any]) -> None:
    codes = {t.code for t in classify(art["title"], art["text"], art["language"])}
    assert set(art["also"]) <= codes, codes


def test_confident_second_level_codes_are_given() -> None:
    by_id = {a["id"]: a for a in ARTICLES}
    econ = by_id["id-economy"]
    codes = {t.code for t in classify(econ["title"], econ["text"], "id")}
    assert "medtop:20000344" in codes  # economy > economy (inflation, interest rates)
    war = by_id["id-conflict"]
    codes = {t.code for t in classify(war["title"], war["text"], "id")}
    assert "medtop:20000056" in codes  # armed conflict


def test_an_article_without_any_cue_still_gets_one_top_level_code() -> None:
    for lang in ("id", "en", "fr"):
        topics = classify(None, "Lorem ipsum dolor sit amet.", lang)
        assert topics
        assert topics[0].code in TOP_LEVEL


def test_english_text_misdetected_as_indonesian_still_gets_its_subject() -> None:
    art = next(a for a in ARTICLES if a["id"] == "en-sport")
    assert classify(art["title"], art["text"], "id")[0].code == "medtop:15000000"


def test_model_is_small_versioned_and_loaded_once() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = default_model()
    assert model is default_model()
    assert model.version.startswith("detik5-")
    assert model.meta["sklearn_version"]
    assert model.meta["data_sha256"]
    assert len(model.classes) == 5
    assert set(model.classes) <= set(TOP_LEVEL)


def test_seed_gets_a_politics_or_conflict_topic(seed_text: str) -> None:
    topics = classify(None, seed_text, "id")
    assert topics[0].code in {"medtop:11000000", "medtop:16000000"}, topics


@pytest.mark.data
def test_cross_validated_agreement_with_detik_desks(data_dir: Path) -> None:
    if not (data_dir / "indonesian-news" / "detik_dev.jsonl").is_file():
        pytest.skip("detik_dev.jsonl absent")
    results = evaluate_topics(data_dir)
    key = "topics.detik_dev.cv5.top1"
    assert key in results, "the shipped model should have been trained on detik_dev"
    assert results[key] >= 0.80, results


def test_one_pass_tokens_match_the_model_and_lexicon_inputs() -> None:
    text = (
        "Banjir merendam 300 rumah di Semarang.\n\nADVERTISEMENT\nSCROLL TO CONTINUE WITH CONTENT\n"
        "Baca juga: Harga beras naik\r\nWarga mengungsi ke balai desa.\n\n  \nΣΟΦΙΑΣ δρόμος"
    )
    for title in (None, "", "Banjir Rob di Semarang", "Dua\nbaris"):
        title_tokens, body, doc = document_tokens(title, text)
        assert title_tokens == tokens(title or "")
        assert body == tokens(text)
        assert doc == analyze(document(title, text))
    assert "advertisement" not in doc
    assert "advertisement" in body


def test_macro_f1_and_abstention_threshold() -> None:
    from streams.stages.tag.evaluate import abstention, macro_f1

    pairs = [("a", "a", 0.9), ("a", "a", 0.8), ("b", "a", 0.7), ("b", "b", 0.6), ("b", "a", 0.5)]
    # a: tp 2, fp 2, fn 0 -> 0.667; b: tp 1, fp 0, fn 2 -> 0.5
    assert abs(macro_f1(pairs) - (4 / 6 + 2 / 4) / 2) < 1e-9
    assert abstention(pairs, 0.9) == {"threshold": 0.8, "precision": 1.0, "tagged": 0.4}
    assert abstention(pairs, 1.01)["tagged"] == 0.0
