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

from schemas import DuplicateEvent, Rejection, TaggedArticle, codec
from streams.core.decode import decode
from streams.runtime import metrics
from streams.runtime.app import app, settings
from streams.runtime.events import Event, Stream, each_event, to_dlq
from streams.runtime.tables import (
    WINDOW,
    filed,
    filed_expiry,
    fingerprint_expiry,
    fingerprints,
    held,
    held_expiry,
    keyed,
    owned,
    pending,
    pending_expiry,
    verdict_expiry,
    verdicts,
)
from streams.runtime.topics import (
    bands_topic,
    by_fingerprint_topic,
    candidates_topic,
    duplicates_topic,
    source,
    unique_topic,
)
from streams.stages.dedupe import (
    Candidate,
    Signature,
    Verdict,
    article_time,
    band_keys,
    judge,
    signature,
)
from streams.stages.dedupe.owned import filed_key


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


async def _rekey(event: Event) -> None:
    item = decode(TaggedArticle, event.value, settings.max_message_bytes)
    if isinstance(item, Rejection):
        await to_dlq("dedupe", event, item)
    else:
        await by_fingerprint_topic.send(key=item.fingerprint.encode(), value=event.value)


@app.agent(source("rekey"))
async def rekey_agent(stream: Stream) -> None:
    """articles.tagged -> the internal topic keyed by fingerprint, so that copies meet."""
    await each_event("dedupe", stream, _rekey)


@app.agent(source("exact"))
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


@app.agent(source("band"))
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


@app.agent(source("decide"))
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
