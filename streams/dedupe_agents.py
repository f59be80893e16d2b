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
from streams.dedupe.owned import OwnedBands, filed_key, filed_partition, split_filed_key
from streams.expiry import Expiry
from streams.pipeline import decode
from streams.sinks import Event, Stream, each_event, to_dlq

WINDOW = settings.dedupe_window_days * 86400.0
# How long a decided article's message and answers are kept for a replay of the decision.
GRACE = 120.0


bands_topic = byte_topic(topics.BANDS, internal=True)
candidates_topic = byte_topic(topics.CANDIDATES, internal=True)

# "<bands partition>:<article id>" -> {"sig", "at", "keys"}: the canonical articles filed on that
# partition, with the band keys it owns; the band index itself is derived in memory (owned.py).
filed = app.Table("filed", default=None, partitions=settings.partitions)
# article id -> {"expect": how many answers, "text": its "article" message as JSON text}: written
# once; the text (a third of the parsed article's memory) is parsed only for the decision.
held = app.Table("held", default=None, partitions=settings.partitions)
# article id -> {bands partition: candidates}: the band owners' answers gathered so far.
pending = app.Table("pending", default=None, partitions=settings.partitions)
# article id -> the verdict given, so that a replay repeats it.
verdicts = app.Table("verdicts", default=None, partitions=settings.partitions)

owned = OwnedBands(filed)


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


def _unfile(key: str, row: dict[str, Any]) -> None:
    # The derived band index forgets what the table forgets, or it would grow without bound.
    owned.remove(*split_filed_key(key), row["keys"])


def _decided(key: str) -> bool:
    return key in verdicts


# Without expiry these tables grow with every article ever seen: entries kept longer than the
# window (in ingest time) are deleted as the stream advances.
fingerprint_expiry = Expiry(fingerprints, WINDOW, keyed)
verdict_expiry = Expiry(verdicts, WINDOW, keyed)
filed_expiry = Expiry(filed, WINDOW, filed_partition, on_delete=_unfile)
# A decided article's message and answers outlive the decision by a grace period: the outcome is
# published by the producer after the table writes, so a crash or a rebalance in between replays
# the decision, which must still find the article to publish it again.
held_expiry = Expiry(held, GRACE, keyed, recovered=_decided)
pending_expiry = Expiry(pending, GRACE, keyed, recovered=_decided)
EXPIRIES = (fingerprint_expiry, verdict_expiry, filed_expiry, held_expiry, pending_expiry)


@app.on_partitions_revoked.connect
async def _on_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
    _forget(*args)


@app.on_partitions_assigned.connect
async def _on_assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
    # Recovery may bring a partition back with rows another worker wrote meanwhile.
    _forget(*args)


def _forget(tps: set[Any]) -> None:
    partitions = {tp.partition for tp in tps}
    owned.forget(partitions)
    for expiry in EXPIRIES:
        expiry.forget(partitions)


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
    partition = event.message.partition
    if msg["op"] == "query":
        found = owned.lookup(partition, msg["keys"], msg["id"])
        near = [c for c in found if eligible(c[2], msg["at"])]
        answer = {"op": "band", "from": msg["from"], "candidates": near}
        await candidates_topic.send(key=msg["id"].encode(), value=codec.dumps(answer))
    elif msg["op"] == "index":
        key = filed_key(partition, msg["id"])
        filed[key] = {"sig": msg["sig"], "at": msg["at"], "keys": msg["keys"]}
        owned.add(partition, msg["id"], msg["keys"])
        filed_expiry.note(partition, key)
    filed_expiry.sweep(partition)


@app.agent(candidates_topic)
async def decide_agent(stream: Stream) -> None:
    """Gathers the article and every band owner's answer, then judges it once."""
    await each_event("dedupe", stream, _gather)


async def _gather(event: Event) -> None:
    msg = codec.loads(event.value)
    article_id = bytes(event.key or b"").decode()
    partition = event.message.partition
    if msg["op"] == "article":
        if held.get(article_id) is None:
            text = bytes(event.value or b"").decode()
            held[article_id] = {"expect": len(msg["expect"]), "text": text}
    else:
        answers = pending.get(article_id) or {}
        if str(msg["from"]) not in answers:
            answers[str(msg["from"])] = msg["candidates"]
            pending[article_id] = answers
    kept = held.get(article_id)
    answers = pending.get(article_id) or {}
    if kept is not None and (article_id in verdicts or len(answers) >= kept["expect"]):
        # Decided before (a replay after a crash or a rebalance) or now complete: (re)publish.
        article = msg if msg["op"] == "article" else codec.loads(kept["text"])
        await decide(article_id, article, answers)
        held_expiry.note(partition, article_id)
        pending_expiry.note(partition, article_id)
    for expiry in (held_expiry, pending_expiry, verdict_expiry):
        expiry.sweep(partition)


async def decide(article_id: str, msg: dict[str, Any], answers: dict[str, Any]) -> None:
    """Judge against the gathered candidates (or repeat an earlier verdict) and publish."""
    item = TaggedArticle.model_validate(msg["article"])
    sig = Signature.from_str(msg["sig"])
    known = verdicts.get(article_id)
    if known is not None:
        verdict = Verdict.from_dict(known)
    else:
        cands = {
            c[0]: Candidate(c[0], Signature.from_str(c[1]), float(c[2]), c[0])
            for found in answers.values()
            for c in found
        }
        verdict = judge(article_id, sig, cands.values())
        verdicts[article_id] = verdict.to_dict()
        verdict_expiry.note(keyed(article_id), article_id)
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
