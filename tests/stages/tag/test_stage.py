"""The tag stage function: TaggedArticle fields, versions, rules, and re-tagging."""

from __future__ import annotations

from typing import Any

from schemas.models import EnrichedArticle, Language, Rejection, TaggedArticle, Topic
from streams.stages.tag import VERSION, parse_rules, tag
from streams.stages.tag.iptc import TOP_LEVEL

TEXT = (
    "Polres Metro Bekasi menangkap empat tersangka pencurian sepeda motor. Para tersangka "
    "ditahan dan dijerat pasal pencurian dengan ancaman pidana tujuh tahun penjara, kata "
    "Kapolres. Penyidik masih memburu dua pelaku lain."
)


def _article(**extra: Any) -> EnrichedArticle:
    fields: dict[str, Any] = {
        "id": "b1",
        "source": "news.contoh.example",
        "title": "Polisi Tangkap Komplotan Pencuri Motor",
        "text": TEXT,
        "fingerprint": "f1",
        "language": Language(code="id", confidence=0.98),
        "versions": {"clean": "c1", "enrich": "e1"},
    }
    fields.update(extra)
    return EnrichedArticle(**fields)


def _tagged(result: TaggedArticle | Rejection) -> TaggedArticle:
    assert isinstance(result, TaggedArticle), result
    return result


def test_tag_keeps_enriched_fields_and_adds_topics_and_versions() -> None:
    art = _article()
    out = _tagged(tag(art))
    assert out.model_dump(exclude={"topics", "tags", "versions"}) == {
        **art.model_dump(exclude={"versions"}),
        "cluster_id": None,
        "revision": 0,
    }
    assert out.topics[0].code == "medtop:02000000"
    assert out.tags == []
    assert out.versions["clean"] == "c1"
    assert out.versions["enrich"] == "e1"
    assert out.versions["topics"].startswith(VERSION + "+detik5-")
    assert out.versions["rules"] == "none"


def test_rules_add_tags_and_topics_in_order() -> None:
    rules = parse_rules(
        {
            "rules": [
                {"name": "motor", "when": {"keywords": ["sepeda motor"]}, "tags": ["curanmor"]},
                {
                    "name": "kota",
                    "when": {"sources": ["contoh.example"]},
                    "tags": ["bekasi"],
                    "topics": ["medtop:14000000", "medtop:20000129"],
                    "topic_score": 0.5,
                },
                {"name": "never", "when": {"languages": ["en"]}, "tags": ["english"]},
            ]
        }
    )
    out = _tagged(tag(_article(), rules))
    assert out.tags == ["curanmor", "bekasi"]
    assert out.versions["rules"] == rules.version
    codes = [t.code for t in out.topics]
    assert "medtop:14000000" in codes
    assert "medtop:20000129" in codes
    tops = [t for t in out.topics if t.code in TOP_LEVEL]
    assert out.topics[: len(tops)] == tops
    assert [t.score for t in tops] == sorted((t.score for t in tops), reverse=True)
    assert len(codes) == len(set(codes))


def test_a_rule_topic_already_present_keeps_the_higher_score() -> None:
    base = _tagged(tag(_article()))
    first = base.topics[0]
    rules = parse_rules(
        {
            "rules": [
                {
                    "name": "low",
                    "when": {"keywords": ["polisi"]},
                    "topics": [first.code],
                    "topic_score": 0.01,
                }
            ]
        }
    )
    again = _tagged(tag(_article(), rules))
    assert [t for t in again.topics if t.code == first.code] == [first]


def test_retagging_a_tagged_article_replaces_old_topics_and_tags() -> None:
    old = TaggedArticle(
        **_article().model_dump(),
        topics=[Topic(code="medtop:15000000", label="sport", score=1.0)],
        tags=["lama"],
        cluster_id="k1",
    )
    out = _tagged(tag(old))
    assert out.tags == []
    assert out.topics[0].code == "medtop:02000000"


def test_english_article_is_tagged() -> None:
    art = _article(
        title="Parliament passes election bill",
        text="Lawmakers in parliament passed the election bill after the coalition government "
        "agreed to the opposition's demands. The prime minister welcomed the vote.",
        language=Language(code="en", confidence=0.99),
    )
    assert _tagged(tag(art)).topics[0].code == "medtop:11000000"
