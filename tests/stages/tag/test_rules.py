"""Operator tag rules: loading, validation messages, and matching on our own articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schemas.models import EnrichedArticle, Entity, Language, Place, Topic
from streams.stages.tag import RulesError, RuleSet, load_rules, parse_rules
from tests.conftest import FIXTURES, ROOT

EXAMPLE = ROOT / "streams" / "stages" / "tag" / "rules.example.yaml"
BAD = FIXTURES / "tag" / "rules"
TEXT = (
    "Sekjen NATO Jens Stoltenberg bertemu Perdana Menteri Kirana Halim di Tokyo. "
    "Keduanya membahas perang di Ukraina dan kerja sama pertahanan."
)


def _article(**extra: Any) -> EnrichedArticle:
    fields: dict[str, Any] = {
        "id": "a1",
        "source": "news.detik.com",
        "title": "NATO dan Jepang Perkuat Kerja Sama",
        "text": TEXT,
        "fingerprint": "f1",
        "language": Language(code="id", confidence=0.99),
        "entities": [Entity(text="Jens Stoltenberg", type="PERSON", start=12, end=28)],
        "places": [
            Place(name="Ukraina", country_code="UA"),
            Place(name="Jepang", country_code="JP"),
        ],
    }
    fields.update(extra)
    return EnrichedArticle(**fields)


def _rules(*rules: dict[str, Any]) -> RuleSet:
    return parse_rules({"version": 1, "rules": list(rules)})


def _apply(rule: dict[str, Any], article: EnrichedArticle | None = None) -> list[str]:
    tags, _ = _rules(rule).apply(article or _article(), [])
    return tags


def test_example_file_is_valid_and_tags_a_nato_story() -> None:
    rules = load_rules(EXAMPLE)
    tags, topics = rules.apply(_article(), [])
    assert {"nato", "perang-ukraina"} <= set(tags)
    assert {t.code for t in topics} >= {"medtop:20000638", "medtop:16000000"}


@pytest.mark.parametrize(
    ("when", "matches"),
    [
        ({"keywords": ["nato"]}, True),  # case-insensitive
        ({"keywords": ["NAT"]}, False),  # whole words only
        ({"keywords": ["Perdana  Menteri"]}, True),  # any whitespace inside a phrase
        ({"all_keywords": ["NATO", "Ukraina"]}, True),
        ({"all_keywords": ["NATO", "Gaza"]}, False),
        ({"keywords": ["NATO"], "exclude_keywords": ["Tokyo"]}, False),
        ({"entities": [{"text": "jens stoltenberg", "type": "PERSON"}]}, True),
        ({"entities": [{"text": "Jens Stoltenberg", "type": "ORG"}]}, False),
        ({"entities": [{"type": "PERSON"}]}, True),
        ({"sources": ["detik.com"]}, True),  # subdomain
        ({"sources": ["tik.com"]}, False),
        ({"languages": ["en"]}, False),
        ({"countries": ["UA", "RU"]}, True),
        ({"countries": ["KP"]}, False),
        ({"keywords": ["NATO"], "languages": ["id"], "countries": ["JP"]}, True),
    ],
)
def test_conditions(when: dict[str, Any], matches: bool) -> None:
    assert _apply({"name": "r", "when": when, "tags": ["t"]}) == (["t"] if matches else [])


def test_topic_condition_and_added_topics() -> None:
    rules = _rules(
        {"name": "a", "when": {"topics": ["medtop:11000000"]}, "tags": ["pol"]},
        {
            "name": "b",
            "when": {"keywords": ["NATO"]},
            "topics": ["medtop:16000000"],
            "topic_score": 0.7,
        },
    )
    politics = [Topic(code="medtop:11000000", label="politics", score=0.6)]
    tags, topics = rules.apply(_article(), politics)
    assert tags == ["pol"]
    assert [(t.code, t.label, t.score) for t in topics] == [
        ("medtop:16000000", "conflict, war and peace", 0.7)
    ]
    assert rules.apply(_article(), [])[0] == []


def test_tags_keep_rule_order_without_repeats() -> None:
    rules = _rules(
        {"name": "a", "when": {"keywords": ["NATO"]}, "tags": ["x", "y"]},
        {"name": "b", "when": {"keywords": ["Tokyo"]}, "tags": ["y", "z"]},
    )
    assert rules.apply(_article(), [])[0] == ["x", "y", "z"]


def test_version_follows_the_content() -> None:
    one = _rules({"name": "a", "when": {"keywords": ["NATO"]}, "tags": ["x"]})
    same = _rules({"name": "a", "when": {"keywords": ["NATO"]}, "tags": ["x"]})
    other = _rules({"name": "a", "when": {"keywords": ["NATO"]}, "tags": ["y"]})
    assert one.version == same.version != other.version


def test_unknown_field_names_the_file_rule_and_field() -> None:
    with pytest.raises(RulesError) as err:
        load_rules(BAD / "invalid_unknown_field.yaml")
    msg = str(err.value)
    assert "invalid_unknown_field.yaml" in msg
    assert "rule #2 ('typo') when.keyword" in msg
    assert "Extra inputs are not permitted" in msg


def test_unknown_topic_code_is_refused() -> None:
    with pytest.raises(RulesError, match=r"rule #1 \('wrong-code'\) topics.*medtop:99999999"):
        load_rules(BAD / "invalid_bad_code.yaml")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"name": "a", "when": {"keywords": ["x"]}}, "needs `tags` or `topics`"),
        ({"name": "a", "when": {}, "tags": ["t"]}, "at least one condition"),
        ({"name": "a", "when": {"exclude_keywords": ["x"]}, "tags": ["t"]}, "at least one"),
        ({"name": "a", "when": {"entities": [{}]}, "tags": ["t"]}, "`text`, `type` or both"),
        ({"name": "a", "when": {"languages": ["ind"]}, "tags": ["t"]}, "languages[0]"),
        ({"name": "a", "when": {"countries": ["jp"]}, "tags": ["t"]}, "countries[0]"),
        ({"name": "a", "when": {"keywords": ["x"]}, "tags": [""]}, "tags[0]"),
        ({"when": {"keywords": ["x"]}, "tags": ["t"]}, "rule #1 name: Field required"),
        (
            {"name": "a", "when": {"keywords": ["x"]}, "tags": ["t"], "topic_score": 2},
            "topic_score",
        ),
    ],
)
def test_invalid_rules_are_explained(rule: dict[str, Any], expected: str) -> None:
    with pytest.raises(RulesError) as err:
        parse_rules({"rules": [rule]}, "mine.yaml")
    assert str(err.value).startswith("mine.yaml: ")
    assert expected in str(err.value)


def test_duplicate_names_and_bad_top_level_are_refused(tmp_path: Path) -> None:
    rule = {"name": "same", "when": {"keywords": ["x"]}, "tags": ["t"]}
    with pytest.raises(RulesError, match="repeated: same"):
        parse_rules({"rules": [rule, rule]})
    with pytest.raises(RulesError, match="version"):
        parse_rules({"version": 2, "rules": []})
    with pytest.raises(RulesError, match="rules: Field required"):
        parse_rules({"version": 1})
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", "utf-8")
    with pytest.raises(RulesError, match=r"broken\.yaml: not valid YAML"):
        load_rules(broken)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    with pytest.raises(RulesError, match=r"empty\.yaml"):
        load_rules(empty)
