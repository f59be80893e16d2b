"""Dedupe stage on the stream: consumes articles.tagged, produces articles.unique or .duplicates.

Exact copies meet on the partition that owns their fingerprint. Near copies meet through LSH band
keys: each band key is owned by one partition of `warta.dedupe.bands`, which holds the canonical
articles filed under it; the article's own partition of `warta.dedupe.candidates` gathers the
answers and judges. No worker holds the whole index, and all state is keyed, so a replay after a
crash finds the verdict it gave before.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Any

from aiokafka.partitioner import murmur2

from schemas import DuplicateEvent, Rejection, TaggedArticle, codec
from streams import metrics, topics
from streams.app import (
    app,
    by_fingerprint_topic,
    byte_topic,
    duplicates_topic,
    fingerprints,
    settings,
    unique_topic,
)
from streams.dedupe import Candidate, Signature, Verdict, article_time, band_keys, judge, signature
from streams.expiry import Expiry
from streams.pipeline import decode
from streams.sinks import Event, Stream, each_event, to_dlq

WINDOW = settings.dedupe_window_days * 86400.0
MAX_PER_BAND = 512


bands_topic = byte_topic(topics.BANDS, internal=True)
candidates_topic = byte_topic(topics.CANDIDATES, internal=True)

# band key -> [[id, signature, published], ...]: canonical articles filed under that band.
bands = app.Table("bands", default=None, partitions=settings.partitions)
# article id -> what has arrived for its decision so far.
pending = app.Table("pending", default=None, partitions=settings.partitions)
# article id -> the verdict given, so that a replay repeats it.
verdicts = app.Table("verdicts", default=None, partitions=settings.partitions)


def keyed(key: str) -> int:
    """The partition the producer's default partitioner gives a message key (and its table row)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % settings.partitions


def owner(band_key: str) -> int:
    """The partition of the bands topic that owns a band key (stable across processes)."""
    return zlib.crc32(band_key.encode()) % settings.partitions


def route(keys: list[str]) -> dict[int, list[str]]:
    """Band keys grouped by owning partition: one message per partition, not per band."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        grouped[owner(key)].append(key)
    return dict(grouped)


def eligible(other: float, published: float) -> bool:
    """Two articles can be copies only within the dedupe window of each other."""
    return abs(other - published) <= WINDOW


# Without expiry these tables grow with every article ever seen: entries kept longer than the
# window (in ingest time) are deleted as the stream advances.
fingerprint_expiry = Expiry(fingerprints, WINDOW, keyed)
verdict_expiry = Expiry(verdicts, WINDOW, keyed)
band_expiry = Expiry(bands, WINDOW, owner)


@app.agent(by_fingerprint_topic)
async def exact_agent(stream: Stream) -> None:
    """The first article of a fingerprint claims it; later ones are exact copies of it."""
    await each_event("dedupe", stream, _exact)


async def _exact(event: Event) -> None:
    item = decode(TaggedArticle, event.value, settings.max_message_bytes)
    if isinstance(item, Rejection):
        await to_dlq("dedupe", event, item)
        return
    published = article_time(item)
    claim = fingerprints.get(item.fingerprint)
    if claim is not None and claim["id"] != item.id and eligible(claim["at"], published):
        await publish_duplicate(item, Verdict("exact", claim["id"], 1.0, claim["id"]))
        return
    if claim is None or claim["id"] != item.id:
        fingerprints[item.fingerprint] = {"id": item.id, "at": published}
        fingerprint_expiry.note(event.message.partition, item.fingerprint)
    fingerprint_expiry.sweep(event.message.partition)
    await ask_bands(item, published)


async def ask_bands(item: TaggedArticle, published: float) -> None:
    """Send the article to its decision partition and its band keys to their owners."""
    sig = signature(item.text)
    routes = route(band_keys(sig))
    await candidates_topic.send(
        key=item.id.encode(),
        value=codec.dumps(
            {
                "op": "article",
                "article": item.model_dump(mode="json"),
                "sig": sig.to_str(),
                "at": published,
                "expect": sorted(routes),
            }
        ),
    )
    for partition, keys in routes.items():
        query = {"op": "query", "id": item.id, "keys": keys, "at": published, "from": partition}
        await bands_topic.send(key=keys[0].encode(), value=codec.dumps(query), partition=partition)


@app.agent(bands_topic)
async def band_agent(stream: Stream) -> None:
    """Answers which canonical articles share a band key, and files new canonical articles."""
    await each_event("dedupe", stream, _band)


async def _band(event: Event) -> None:
    msg = codec.loads(event.value)
    if msg["op"] == "query":
        found = _lookup(msg["keys"], msg["id"], msg["at"])
        answer = {"op": "band", "from": msg["from"], "candidates": found}
        await candidates_topic.send(key=msg["id"].encode(), value=codec.dumps(answer))
    elif msg["op"] == "index":
        _file(msg["keys"], [msg["id"], msg["sig"], msg["at"]])
        for key in msg["keys"]:
            band_expiry.note(event.message.partition, key)
    band_expiry.sweep(event.message.partition)


def _lookup(keys: list[str], article_id: str, published: float) -> list[list[Any]]:
    found: dict[str, list[Any]] = {}
    for key in keys:
        for entry in bands.get(key) or []:
            if entry[0] != article_id and eligible(entry[2], published):
                found[entry[0]] = entry
    return list(found.values())


def _file(keys: list[str], entry: list[Any]) -> None:
    for key in keys:
        entries = [e for e in (bands.get(key) or []) if e[0] != entry[0]]
        entries.append(entry)
        newest = max(e[2] for e in entries)
        # Expire by publication time, and bound a hot band key: memory stays bounded.
        entries = sorted((e for e in entries if newest - e[2] <= WINDOW), key=lambda e: e[2])
        bands[key] = entries[-MAX_PER_BAND:]


@app.agent(candidates_topic)
async def decide_agent(stream: Stream) -> None:
    """Gathers the article and every band owner's answer, then judges it once."""
    await each_event("dedupe", stream, _gather)


async def _gather(event: Event) -> None:
    msg = codec.loads(event.value)
    article_id = bytes(event.key or b"").decode()
    if verdicts.get(article_id) is not None:
        # Decided before (a replay after a crash or a rebalance): repeat that verdict as soon as
        # the article is at hand; the answers are not needed for it.
        held = pending.get(article_id) or {}
        article = msg if msg["op"] == "article" else held.get("article")
        if article is not None:
            await decide(article_id, {"answers": {}, "article": article})
        if article_id in pending:
            del pending[article_id]
        return
    state = pending.get(article_id) or {"answers": {}, "article": None}
    if msg["op"] == "article":
        state["article"] = msg
    else:
        state["answers"][str(msg["from"])] = msg["candidates"]
    if state["article"] is None or len(state["answers"]) < len(state["article"]["expect"]):
        pending[article_id] = state
        return
    await decide(article_id, state)
    # Forgotten only after the outcome is sent: forgetting first could leave a replayed answer
    # waiting for an article that will never come again.
    if article_id in pending:
        del pending[article_id]
    verdict_expiry.note(event.message.partition, article_id)
    verdict_expiry.sweep(event.message.partition)


async def decide(article_id: str, state: dict[str, Any]) -> None:
    """Judge against the gathered candidates (or repeat an earlier verdict) and publish."""
    msg = state["article"]
    item = TaggedArticle.model_validate(msg["article"])
    sig = Signature.from_str(msg["sig"])
    known = verdicts.get(article_id)
    if known is not None:
        verdict = Verdict.from_dict(known)
    else:
        cands = {
            c[0]: Candidate(c[0], Signature.from_str(c[1]), float(c[2]), c[0])
            for answers in state["answers"].values()
            for c in answers
        }
        verdict = judge(article_id, sig, cands.values())
        verdicts[article_id] = verdict.to_dict()
    if verdict.is_duplicate:
        await publish_duplicate(item, verdict)
        return
    metrics.MESSAGES.labels("dedupe", "unique").inc()
    unique = item.model_copy(update={"cluster_id": verdict.cluster_id})
    await unique_topic.send(key=article_id.encode(), value=codec.dumps(unique))
    for partition, keys in route(band_keys(sig)).items():
        index = {"op": "index", "id": article_id, "keys": keys, "sig": msg["sig"], "at": msg["at"]}
        await bands_topic.send(key=keys[0].encode(), value=codec.dumps(index), partition=partition)


async def publish_duplicate(item: TaggedArticle, verdict: Verdict) -> None:
    """Send the duplicate event of `item`."""
    assert verdict.duplicate_of is not None
    metrics.MESSAGES.labels("dedupe", "duplicate").inc()
    metrics.DUPLICATES.labels(verdict.kind).inc()
    event = DuplicateEvent(
        id=item.id,
        duplicate_of=verdict.duplicate_of,
        kind="exact" if verdict.kind == "exact" else "near",
        similarity=verdict.similarity,
        cluster_id=verdict.cluster_id,
        title=item.title,
        source=item.source,
        url=item.url,
    )
    await duplicates_topic.send(key=item.id.encode(), value=codec.dumps(event))
