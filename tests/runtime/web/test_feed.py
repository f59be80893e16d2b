"""The dashboard feed: latest articles, dead letters, duplicate rate, hourly tops, throughput."""

from __future__ import annotations

from typing import Any

from schemas import codec
from streams.core import topics
from streams.runtime.web import feed as feed_module
from streams.runtime.web.feed import WINDOW_SECONDS, Feed
from tests.factories import duplicate, tagged


def _article(article_id: str, **extra: object) -> bytes:
    return codec.dumps(tagged(article_id, f"Isi {article_id}.", **extra))


def test_latest_articles_newest_first_and_tops_of_the_hour() -> None:
    feed = Feed()
    ent = [{"text": "Budi Santoso", "type": "PERSON", "start": 0, "end": 12}]
    places = [{"name": "Indonesia", "country_code": "ID"}]
    feed.add(topics.UNIQUE, _article("a1", entities=ent, places=places), at=1000.0)
    feed.add(topics.UNIQUE, _article("a2", entities=ent), at=1001.0)
    feed.add(topics.DUPLICATES, codec.dumps(duplicate("a3", of="a1")), at=1002.0)
    snap = feed.snapshot(now=1003.0)
    assert [a["id"] for a in snap["latest"]] == ["a2", "a1"]
    assert snap["latest"][0]["topics"] == ["politics"]
    assert snap["top"]["entities"] == [{"name": "Budi Santoso", "count": 2, "type": "PERSON"}]
    assert snap["top"]["places"] == [{"name": "Indonesia", "count": 1}]
    assert snap["duplicate_rate"] == round(1 / 3, 4)
    later = feed.snapshot(now=1000.5 + WINDOW_SECONDS)
    assert later["top"]["entities"] == [{"name": "Budi Santoso", "count": 1, "type": "PERSON"}]
    assert later["top"]["places"] == []


def test_top_entities_count_each_canonical_entity_once_per_article() -> None:
    feed = Feed()
    text = "Jens Stoltenberg tiba. Stoltenberg berbicara."
    ent = [
        {"text": "Jens Stoltenberg", "type": "PERSON", "start": 0, "end": 16},
        {"text": "Stoltenberg", "type": "PERSON", "start": 23, "end": 34},
    ]
    mentions = [{"text": e["text"], "start": e["start"], "end": e["end"]} for e in ent]
    resolved = [
        {"key": "PERSON:jens-stoltenberg", "name": "Jens Stoltenberg", "type": "PERSON"}
        | {"mentions": mentions}
    ]
    feed.add(topics.UNIQUE, _article("a1", entities=ent, resolved_entities=resolved), at=1.0)
    feed.add(topics.UNIQUE, codec.dumps(tagged("a2", text, entities=ent[1:])), at=2.0)
    top = feed.snapshot(now=3.0)["top"]["entities"]
    # a2 predates resolution: its raw mention counts as it did.
    assert {(t["name"], t["count"]) for t in top} == {("Jens Stoltenberg", 1), ("Stoltenberg", 1)}


def test_dead_letters_and_garbage() -> None:
    feed = Feed()
    letter = {"stage": "clean", "reason": "no_content", "error": "<b>kosong</b>", "payload": "{}"}
    feed.add(topics.DLQ, codec.dumps(letter), at=5.0)
    feed.add(topics.DLQ, b"not json", at=6.0)
    feed.add(topics.UNIQUE, b"[1]", at=6.0)
    snap = feed.snapshot(now=7.0)
    assert snap["letter_reasons"] == {"no_content": 1}
    assert snap["letters"][0]["error"] == "<b>kosong</b>"  # escaped by the page, kept as text here
    assert snap["latest"] == []


def test_throughput_is_the_rate_between_samples() -> None:
    feed = Feed()
    feed.sample(10.0, {"clean": 0, "tag": 0})
    feed.sample(12.0, {"clean": 10, "tag": 4})
    feed.sample(14.0, {"clean": 10, "tag": 8, "enrich": 2})
    rates = feed.rates()
    assert rates["t"] == [12.0, 14.0]
    assert rates["stages"]["clean"] == [5.0, 0.0]
    assert rates["stages"]["tag"] == [2.0, 2.0]
    assert rates["stages"]["enrich"] == [0.0, 1.0]


def test_extraction_quality_per_source() -> None:
    feed = Feed()
    feed.add(topics.UNIQUE, _article("q1", authors=["Rina"], source="Pos.example"), at=1.0)
    body = "Isi berita.\n\nBaca juga: Berita lain\n\nADVERTISEMENT"
    feed.add(
        topics.UNIQUE, codec.dumps(tagged("q2", body, source="pos.example", title=None)), at=2.0
    )
    (row,) = feed.snapshot(now=3.0)["quality"]
    assert row == {
        "source": "pos.example",
        "articles": 2,
        "chrome": 2,
        "title": 0.5,
        "date": 1.0,
        "author": 0.5,
    }


def test_mentions_expire_as_articles_arrive_and_are_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(feed_module, "WINDOW_ARTICLES", 3)
    feed = Feed()
    for i in range(10):
        ent = [{"text": f"Tokoh {i}", "type": "PERSON", "start": 0, "end": 7}]
        feed.add(topics.UNIQUE, _article(f"a{i}", entities=ent), at=1000.0 + i)
    assert len(feed) == 3, "nobody looked, yet only the bound is kept"
    top = feed.top(1009.0)
    assert {e["name"] for e in top["entities"]} == {"Tokoh 7", "Tokoh 8", "Tokoh 9"}
    assert {t["name"] for t in top["topics"]} == {"politics"}
    feed.add(topics.UNIQUE, _article("late"), at=1009.0 + WINDOW_SECONDS + 1)
    assert len(feed) == 1, "the hour has passed: only the late article's mentions are held"
