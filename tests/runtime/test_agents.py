"""The agents through faust's test driver: what each one sends for good and bad messages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faust
import orjson
import pytest

from schemas import CleanArticle, EnrichedArticle, RawArticle, TaggedArticle, codec
from streams.core import topics
from streams.core.decode import decode
from streams.runtime import tables
from streams.runtime.agents import dedupe as dedupe_agents
from streams.runtime.agents import stages as agents
from streams.runtime.agents import store as store_agents
from streams.runtime.app import settings
from streams.stages import pipeline
from streams.stages.dedupe import band_keys, signature
from streams.stages.dedupe.routing import owner, route
from streams.stages.pipeline import clean_stage, enrich_stage, tag_stage
from streams.store import Store
from tests.factories import duplicate, tagged

Sent = list[tuple[str, bytes | None, dict[str, Any], dict[str, Any]]]


@pytest.fixture
def changed() -> asyncio.Event:
    """Set whenever an agent sends or the store writes: what a test waits on for its fact."""
    return asyncio.Event()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, changed: asyncio.Event) -> Sent:
    """Every message the agents send, instead of a broker: (topic, key, value, options)."""
    out: Sent = []

    async def send(self: faust.Topic, key: Any = None, value: Any = None, **kw: Any) -> None:
        out.append((self.get_topic_name(), key, codec.loads(value), kw))
        changed.set()

    monkeypatch.setattr(faust.Topic, "send", send)
    return out


def watch_writes(store: Store, changed: asyncio.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set `changed` after each write of `store` (done in a worker thread by the store agent)."""
    write, loop = store.write, asyncio.get_running_loop()

    def written(items: Any, events: Any) -> None:
        try:
            write(items, events)
        finally:
            loop.call_soon_threadsafe(changed.set)

    monkeypatch.setattr(store, "write", written)


async def until(check: Callable[[], bool], changed: asyncio.Event) -> None:
    """Return once `check()` holds, looking again at each change; fail after 5 s."""
    async with asyncio.timeout(5.0):
        while True:
            changed.clear()  # before the look: a change during it is not missed
            if check():
                return
            await changed.wait()


def _by_topic(sent: Sent, topic: str) -> list[dict[str, Any]]:
    return [value for name, _, value, _ in sent if name == topic]


ARTICLE = {
    "id": "agen-1",
    "url": "https://contoh.example/agen-1",
    "text": "Warga Desa Sukamaju Gelar Kerja Bakti\n\n"
    "Bogor: Ratusan warga Desa Sukamaju, Kabupaten Bogor, menggelar kerja bakti membersihkan "
    "saluran air pada Minggu pagi menjelang musim hujan.\n\n"
    '"Kami tidak ingin banjir seperti tahun lalu terulang," kata Kepala Desa Sukamaju Asep '
    "Saepudin.\n\nKegiatan itu juga diikuti anggota TNI dan Polri dari wilayah setempat.",
}


def _expected(value: bytes) -> dict[str, dict[str, Any]]:
    """What the three stage functions give for one raw message, as JSON per output topic."""
    raw = decode(RawArticle, value, settings.max_message_bytes)
    assert isinstance(raw, RawArticle)
    cleaned = clean_stage(raw)
    assert isinstance(cleaned, CleanArticle)
    enriched = enrich_stage(cleaned)
    assert isinstance(enriched, EnrichedArticle)
    tagged_article = tag_stage(enriched)
    assert isinstance(tagged_article, TaggedArticle)
    return {
        topics.CLEAN: codec.loads(codec.dumps(cleaned)),
        topics.ENRICHED: codec.loads(codec.dumps(enriched)),
        topics.TAGGED: codec.loads(codec.dumps(tagged_article)),
    }


STAGE_TOPICS = (topics.CLEAN, topics.ENRICHED, topics.TAGGED)


async def test_one_agent_writes_clean_enriched_and_tagged(sent: Sent) -> None:
    value = orjson.dumps(ARTICLE)
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"agen-1", value=value, timestamp=1_700_000_000.5)
    assert [name for name, _, _, _ in sent] == list(STAGE_TOPICS), "in order, nothing else"
    want = _expected(value)
    for name, key, body, options in sent:
        assert body == want[name], f"{name}: not what the stage function gives"
        assert key == b"agen-1"
        assert options["timestamp"] == 1_700_000_000.5, "the raw record's timestamp goes on"
    assert "Sukamaju" in want[topics.CLEAN]["text"]
    assert want[topics.TAGGED]["language"]["code"] == "id"
    assert want[topics.TAGGED]["topics"], "every article gets at least one topic"


async def test_the_key_is_the_article_id_the_stages_give(sent: Sent) -> None:
    # No id in the message: clean derives it (from the url), and every topic is keyed by it.
    article = {k: v for k, v in ARTICLE.items() if k != "id"}
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"producer-key", value=orjson.dumps(article))
    keys = {key for _, key, _, _ in sent}
    [body] = _by_topic(sent, topics.TAGGED)
    assert keys == {body["id"].encode()}
    assert body["id"] != "producer-key"


async def test_a_refusal_at_clean_is_dead_lettered_as_clean(sent: Sent) -> None:
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"broken", value=b'{"id": "broken", "text": ')
        await agent.put(key=b"empty", value=orjson.dumps({"id": "empty", "text": "   "}))
    assert not [name for name, _, _, _ in sent if name in STAGE_TOPICS]
    letters = {letter["key"]: letter for letter in _by_topic(sent, topics.DLQ)}
    assert letters["broken"]["reason"] == "invalid_json"
    assert letters["broken"]["payload"] == '{"id": "broken", "text": '
    assert letters["broken"]["topic"] == topics.RAW
    assert letters["empty"]["reason"] in {"no_content", "schema_violation"}
    assert {letter["stage"] for letter in letters.values()} == {"clean"}


async def test_a_refusal_at_enrich_is_dead_lettered_as_enrich(sent: Sent) -> None:
    # Clean keeps punctuation as the body; enrich finds no word in it.
    value = orjson.dumps({"id": "marks", "text": "!!! ??? ..."})
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"marks", value=value)
    assert [name for name, _, _, _ in sent] == [topics.CLEAN, topics.DLQ]
    [letter] = _by_topic(sent, topics.DLQ)
    assert (letter["stage"], letter["reason"]) == ("enrich", "no_content")
    # The original message, so that a redrive to articles.raw runs the whole chain again.
    assert (letter["payload"], letter["key"], letter["topic"]) == (
        value.decode(),
        "marks",
        topics.RAW,
    )


async def test_a_refusal_at_tag_is_dead_lettered_as_tag(
    sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(article: Any, rules: Any = None) -> Any:
        raise ValueError("no topic model")

    monkeypatch.setattr(pipeline, "tag", refuse)  # what tag_stage calls
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"agen-1", value=orjson.dumps(ARTICLE))
    assert [name for name, _, _, _ in sent] == [topics.CLEAN, topics.ENRICHED, topics.DLQ]
    [letter] = _by_topic(sent, topics.DLQ)
    assert (letter["stage"], letter["reason"]) == ("tag", "tag_error")
    assert "no topic model" in letter["error"]


async def test_a_crash_is_dead_lettered_under_the_stage_that_ran(
    sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(article: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(agents, "enrich_stage", crash)
    async with agents.stages_agent.test_context() as agent:
        await agent.put(key=b"agen-1", value=orjson.dumps(ARTICLE))
        await agent.put(key=b"agen-1", value=orjson.dumps(ARTICLE))  # the agent lives on
    letters = _by_topic(sent, topics.DLQ)
    assert [(x["stage"], x["reason"]) for x in letters] == [("enrich", "internal_error")] * 2
    assert not _by_topic(sent, topics.ENRICHED)


async def test_the_stages_agent_gives_way_while_the_rest_of_the_worker_has_work() -> None:
    steps: list[int] = []

    async def later_stage() -> None:  # five events' work, a turn each
        for n in range(5):
            busy_until = time.perf_counter() + 0.002  # an event's work, on the event loop
            while time.perf_counter() < busy_until:
                pass
            steps.append(n)
            await asyncio.sleep(0)

    task = asyncio.create_task(later_stage())
    await agents.give_way()
    assert steps == [0, 1, 2, 3, 4], "every turn the rest used, before the next article"
    await task


async def test_with_nothing_else_to_run_the_stages_agent_goes_straight_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    turns: list[float] = []
    real_sleep = asyncio.sleep

    async def turn(delay: float) -> None:
        turns.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(asyncio, "sleep", turn)  # the one give_way awaits for a turn
    await agents.give_way()
    assert turns == [0], "one turn of the loop, then the next article"


async def test_exact_agent_claims_a_fingerprint_once(sent: Sent) -> None:
    first = tagged("fp-a", "Teks yang sama persis.")
    copy = tagged("fp-b", "Teks yang sama persis.")
    async with dedupe_agents.exact_agent.test_context() as agent:
        await agent.put(key=first.fingerprint.encode(), value=codec.dumps(first))
        await agent.put(key=copy.fingerprint.encode(), value=codec.dumps(copy))
        await agent.put(key=first.fingerprint.encode(), value=codec.dumps(first))  # a replay
    # The copy goes straight to the story owner, linked to the claimant by its fingerprint.
    [link] = _by_topic(sent, topics.LINKS)
    assert link["id"] == "fp-b"
    assert [e[0] for e in link["edges"]] == ["fp-a"]
    assert link["edges"][0][3:] == [1.0, "exact"]
    assert [kw["partition"] for name, _, _, kw in sent if name == topics.LINKS] == [0]
    asked = [m["article"]["id"] for m in _by_topic(sent, topics.CANDIDATES)]
    assert asked == ["fp-a", "fp-a"], "the original and its replay go on to near-dedupe"
    queries = _by_topic(sent, topics.BANDS)
    assert queries
    assert all(q["op"] == "query" and q["id"] == "fp-a" for q in queries)
    partitions = {kw["partition"] for name, _, _, kw in sent if name == topics.BANDS}
    assert partitions == {owner(k, settings.partitions) for q in queries for k in q["keys"]}


STORY = (
    "Pemerintah Kabupaten Sukamaju meresmikan jembatan gantung baru di atas Sungai Emas pada "
    "Senin pagi. Jembatan sepanjang delapan puluh meter itu menghubungkan dua desa yang selama "
    "ini terpisah saat musim hujan, kata bupati dalam sambutannya di hadapan ratusan warga."
)


def _article_message(article_id: str, text: str) -> dict[str, Any]:
    item = tagged(article_id, text)
    return {
        "op": "article",
        "article": item.model_dump(mode="json"),
        "sig": signature(text).to_str(),
        "at": 1.7e9,
        "expect": [0],
    }


async def test_decide_agent_links_once_complete_and_again_on_a_replay(sent: Sent) -> None:
    first = _article_message("dec-a", STORY)
    copy = _article_message("dec-b", STORY.replace("Senin", "Selasa"))
    other = _article_message("dec-c", "Harga cabai rawit naik dua kali lipat di pasar induk.")
    known = [["dec-a", first["sig"], 1.7e9], ["dec-c", other["sig"], 1.6e9]]
    async with dedupe_agents.decide_agent.test_context() as agent:
        await agent.put(key=b"dec-a", value=codec.dumps(first))
        assert not _by_topic(sent, topics.LINKS), "waits for the band owner's answer"
        answer = {"op": "band", "from": 0, "candidates": []}
        await agent.put(key=b"dec-a", value=codec.dumps(answer))
        # The answer again, as after a crash that lost the outcome but kept the verdict.
        await agent.put(key=b"dec-a", value=codec.dumps(answer))
        await agent.put(key=b"dec-b", value=codec.dumps({**answer, "candidates": known}))
        await agent.put(key=b"dec-b", value=codec.dumps(copy))
    links = _by_topic(sent, topics.LINKS)
    assert [(m["id"], [e[0] for e in m["edges"]]) for m in links] == [
        ("dec-a", []),
        ("dec-a", []),
        ("dec-b", ["dec-a"]),  # verified: the unrelated candidate is no edge
    ]
    assert not _by_topic(sent, topics.UNIQUE)
    assert not _by_topic(sent, topics.DUPLICATES)


async def test_exact_agent_asks_the_band_partition_it_owns_in_process(sent: Sent) -> None:
    first = tagged("loc-a", STORY)
    copy = tagged("loc-b", STORY.replace("Senin", "Selasa"))
    keys = band_keys(signature(first.text))
    shared = sorted(set(keys) & set(band_keys(signature(copy.text))))
    here = owner(shared[0], settings.partitions)
    async with dedupe_agents.exact_agent.test_context() as agent:
        for item in (first, copy):
            await agent.put(key=item.fingerprint.encode(), value=codec.dumps(item), partition=here)
    asked, seen = _by_topic(sent, topics.CANDIDATES)
    # The band partition numbered like the event's is this worker's: filed and answered here,
    # its answer inside the article message; no query travels there, the others as before.
    assert asked["local"] == {"from": here, "candidates": []}
    assert seen["local"]["from"] == here
    assert [c[0] for c in seen["local"]["candidates"]] == ["loc-a"], "the second sees the first"
    assert sorted(asked["expect"]) == sorted(route(keys, settings.partitions))
    queried = {
        kw["partition"] for name, _, v, kw in sent if name == topics.BANDS and v["id"] == "loc-a"
    }
    assert queried == set(asked["expect"]) - {here}
    # The same band index as the band agent's: a query on the topic sees both filed articles.
    query = {
        "op": "query",
        "id": "loc-c",
        "keys": route(keys, settings.partitions)[here],
        "at": asked["at"],
        "from": here,
        "sig": asked["sig"],
    }
    async with dedupe_agents.band_agent.test_context() as agent:
        await agent.put(key=b"k", value=codec.dumps(query), partition=here)
    answer = _by_topic(sent, topics.CANDIDATES)[-1]
    assert sorted(c[0] for c in answer["candidates"]) == ["loc-a", "loc-b"]


async def test_decide_agent_counts_the_in_process_answer_and_keeps_the_first_on_a_replay(
    sent: Sent,
) -> None:
    near = _article_message("inp-x", STORY.replace("Senin", "Rabu"))
    later = _article_message("inp-y", STORY.replace("Senin", "Kamis"))
    article = {
        **_article_message("inp-a", STORY),
        "expect": [0, 1],
        "local": {"from": 1, "candidates": [["inp-x", near["sig"], 1.6e9]]},
    }
    # Replayed after a crash: the band index of partition 1 had grown meanwhile.
    grown = [*article["local"]["candidates"], ["inp-y", later["sig"], 1.6e9]]
    replay = {**article, "local": {"from": 1, "candidates": grown}}
    async with dedupe_agents.decide_agent.test_context() as agent:
        await agent.put(key=b"inp-a", value=codec.dumps(article))
        assert not _by_topic(sent, topics.LINKS), "waits for partition 0's answer"
        answer = {"op": "band", "from": 0, "candidates": []}
        await agent.put(key=b"inp-a", value=codec.dumps(answer))
        # The answer that completed it was not written: the article alone decides nothing...
        assert tables.pending.get("inp-a") is None
        await agent.put(key=b"inp-a", value=codec.dumps(replay))
        assert len(_by_topic(sent, topics.LINKS)) == 1
        # ... until that answer comes again (after the article, as on the partition).
        await agent.put(key=b"inp-a", value=codec.dumps(answer))
    links = _by_topic(sent, topics.LINKS)
    assert [(m["id"], [e[0] for e in m["edges"]]) for m in links] == [
        ("inp-a", ["inp-x"]),  # one answer on the topic and the one held with the article
        ("inp-a", ["inp-x"]),  # the replay restates the same link, the first local answer
    ]


async def test_decide_agent_writes_the_answers_before_the_last(sent: Sent) -> None:
    article = {**_article_message("wr-a", STORY), "expect": [0, 1, 2]}
    found = [["wr-x", _article_message("wr-x", STORY)["sig"], 1.6e9]]
    async with dedupe_agents.decide_agent.test_context() as agent:
        await agent.put(key=b"wr-b", value=codec.dumps({"op": "band", "from": 0, "candidates": []}))
        await agent.put(key=b"wr-a", value=codec.dumps(article))
        for origin, candidates in ((0, found), (1, []), (2, [])):
            answer = {"op": "band", "from": origin, "candidates": candidates}
            await agent.put(key=b"wr-a", value=codec.dumps(answer))
        # An answer before its article is written: the article completes nothing alone.
        assert tables.pending.get("wr-b") == {"0": []}
        # Two of three written; the third completed the article and was decided at once.
        assert tables.pending.get("wr-a") == {"0": found, "1": []}
        # A replayed earlier answer restates nothing (the written ones are not complete)...
        await agent.put(key=b"wr-a", value=codec.dumps({"op": "band", "from": 1, "candidates": []}))
        assert len(_by_topic(sent, topics.LINKS)) == 1
        # ... the replayed last one restates the same link.
        await agent.put(key=b"wr-a", value=codec.dumps({"op": "band", "from": 2, "candidates": []}))
    links = _by_topic(sent, topics.LINKS)
    assert [(m["id"], [e[0] for e in m["edges"]]) for m in links] == [("wr-a", ["wr-x"])] * 2


async def test_band_agent_files_a_query_with_its_signature_before_answering(sent: Sent) -> None:
    sig = signature(STORY).to_str()

    def query(article_id: str) -> dict[str, Any]:
        keys = ["00:cc", "02:dd"]
        return {"op": "query", "id": article_id, "keys": keys, "at": 1.7e9, "from": 2, "sig": sig}

    async with dedupe_agents.band_agent.test_context() as agent:
        await agent.put(key=b"00:cc", value=codec.dumps(query("m-1")), partition=2)
        await agent.put(key=b"00:cc", value=codec.dumps(query("m-2")), partition=2)
        await agent.put(key=b"00:cc", value=codec.dumps(query("m-1")), partition=2)  # replay
    first, second, replay = _by_topic(sent, topics.CANDIDATES)
    assert first["candidates"] == [], "nothing filed before the first"
    assert second["candidates"] == [["m-1", sig, 1.7e9]], "the second sees the first"
    assert replay["candidates"] == [["m-2", sig, 1.7e9]], "never itself, filed once"


async def test_band_agent_files_canonical_articles_and_answers_within_the_window(
    sent: Sent,
) -> None:
    sig = signature(STORY).to_str()
    day = 86400.0
    window = settings.dedupe_window_days * day

    def order(article_id: str, at: float) -> dict[str, Any]:
        return {"op": "index", "id": article_id, "keys": ["00:aa", "01:bb"], "sig": sig, "at": at}

    query = {"op": "query", "id": "q", "keys": ["00:aa", "07:zz"], "at": 1.7e9, "from": 1}
    async with dedupe_agents.band_agent.test_context() as agent:
        await agent.put(key=b"00:aa", value=codec.dumps(order("near", 1.7e9 - day)), partition=1)
        await agent.put(
            key=b"00:aa", value=codec.dumps(order("old", 1.7e9 - window - day)), partition=1
        )
        await agent.put(key=b"00:aa", value=codec.dumps(order("away", 1.7e9)), partition=0)
        await agent.put(key=b"00:aa", value=codec.dumps(query), partition=1)
        await agent.put(key=b"00:aa", value=codec.dumps({**query, "id": "near"}), partition=1)
    first, own = _by_topic(sent, topics.CANDIDATES)
    # Only what partition 1 filed, within the window, never the asker itself: [id, sig, at].
    assert first == {"op": "band", "from": 1, "candidates": [["near", sig, 1.7e9 - day]]}
    assert own == {"op": "band", "from": 1, "candidates": []}
    keys = [key for name, key, _, _ in sent if name == topics.CANDIDATES]
    assert keys == [b"q", b"near"], "answers go to the asker's decision partition"


async def test_an_unknown_internal_message_is_dead_lettered(sent: Sent) -> None:
    async with dedupe_agents.band_agent.test_context() as agent:
        await agent.put(key=b"k", value=codec.dumps({"op": "mystery"}))
    async with dedupe_agents.decide_agent.test_context() as agent:
        await agent.put(key=b"k", value=codec.dumps({"op": "band", "from": 0}))
    letters = _by_topic(sent, topics.DLQ)
    assert [(x["stage"], x["reason"]) for x in letters] == [("dedupe", "internal_error")] * 2
    assert not _by_topic(sent, topics.CANDIDATES)
    assert not _by_topic(sent, topics.UNIQUE)


async def test_store_agent_writes_articles_and_duplicates(
    sent: Sent, changed: asyncio.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'agents.sqlite3'}")
    store.migrate()
    watch_writes(store, changed, monkeypatch)
    store_agents.use_store(store)
    try:
        async with store_agents.store_agent.test_context() as agent:
            # The store reads two topics; the test driver cannot name one, so we do.
            on = _on_topic(agent)
            await on(topics.UNIQUE).put(key=b"a1", value=codec.dumps(tagged("a1")))
            await on(topics.UNIQUE).put(key=b"a1", value=codec.dumps(tagged("a1")))  # replay
            await on(topics.DUPLICATES).put(key=b"a2", value=codec.dumps(duplicate("a2", "a1")))
            await on(topics.DUPLICATES).put(key=b"bad", value=b"[]")
            # One batch, written when the batch time runs out.
            await until(lambda: store.counts() == {"articles": 1, "duplicates": 1}, changed)
        assert store.counts() == {"articles": 1, "duplicates": 1}
        assert store.duplicate("a2") is not None
        [letter] = _by_topic(sent, topics.DLQ)
        assert (letter["stage"], letter["reason"], letter["topic"]) == (
            "store",
            "not_an_object",
            topics.DUPLICATES,
        )
    finally:
        store_agents.use_store(None)
        store.close()


async def test_store_agent_dead_letters_only_the_row_that_fails(
    sent: Sent, changed: asyncio.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'agents.sqlite3'}")
    store.migrate()
    real = store.write

    def refuse_boom(items: Any, events: Any) -> None:
        if any(a.id == "boom" for a in items):
            raise ValueError("row refused")
        real(items, events)

    monkeypatch.setattr(store, "write", refuse_boom)
    watch_writes(store, changed, monkeypatch)
    store_agents.use_store(store)
    try:
        async with store_agents.store_agent.test_context() as agent:
            on = _on_topic(agent)
            for article_id in ("ok-1", "boom", "ok-2"):
                await on(topics.UNIQUE).put(
                    key=article_id.encode(), value=codec.dumps(tagged(article_id))
                )
            await on(topics.UNIQUE).put(key=b"bad", value=b"[]")
            await until(
                lambda: len(_by_topic(sent, topics.DLQ)) >= 2 and store.counts()["articles"] == 2,
                changed,
            )
        assert sorted(store.ids("articles")) == ["ok-1", "ok-2"]
        letters = sorted((m["key"], m["reason"]) for m in _by_topic(sent, topics.DLQ))
        # Each once, though the batch that held them was written twice.
        assert letters == [("bad", "not_an_object"), ("boom", "internal_error")]
    finally:
        store_agents.use_store(None)
        store.close()


def _on_topic(agent: Any) -> Any:
    original = agent.to_message

    def on(topic: str) -> Any:
        def to_message(key: Any, value: Any, **kw: Any) -> Any:
            message = original(key, value, **kw)
            message.topic = topic
            return message

        agent.to_message = to_message
        return agent

    return on
