"""Dedupe stage on the stream: consumes articles.tagged, produces articles.unique or .duplicates.

Exact copies meet on the partition that owns their fingerprint. Near copies meet through LSH band
keys: each band key is owned by one partition of `warta.dedupe.bands`, which holds the canonical
articles filed under it; the article's own partition of `warta.dedupe.candidates` gathers the
answers and judges. No worker holds the whole index, and all state is keyed, so a replay after a
crash finds the verdict it gave before.
"""

from __future__ import annotations

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
    Signature,
    Verdict,
    article_time,
    band_keys,
    eligible,
    judge,
    signature,
)
from streams.stages.dedupe.messages import (
    ArticleForDecision,
    BandAnswer,
    BandQuery,
    FileOrder,
    FingerprintClaim,
    HeldRow,
    PendingRow,
    decode_band_message,
    decode_decision_message,
)
from streams.stages.dedupe.owned import filed_key
from streams.stages.dedupe.routing import route


def _route(keys: list[str]) -> dict[int, list[str]]:
    return route(keys, settings.partitions)


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
    wire = fingerprints.get(item.fingerprint)
    claim = FingerprintClaim.from_wire(wire) if wire is not None else None
    if claim is not None and claim.id != item.id and eligible(claim.at, published, WINDOW):
        await publish_duplicate(item, Verdict("exact", claim.id, 1.0, claim.id))
        return
    if claim is None or claim.id != item.id:
        fingerprints[item.fingerprint] = FingerprintClaim(item.id, published).to_wire()
        fingerprint_expiry.note(event.message.partition, item.fingerprint)
    fingerprint_expiry.sweep(event.message.partition)
    await ask_bands(item, published)


async def ask_bands(item: TaggedArticle, published: float) -> None:
    """Send the article to its decision partition and its band keys to their owners."""
    sig = signature(item.text)
    routes = _route(band_keys(sig))
    article = ArticleForDecision.of(item, sig, published, sorted(routes))
    await candidates_topic.send(key=item.id.encode(), value=codec.dumps(article.to_wire()))
    for partition, keys in routes.items():
        query = BandQuery(item.id, tuple(keys), published, partition)
        await bands_topic.send(
            key=keys[0].encode(), value=codec.dumps(query.to_wire()), partition=partition
        )


@app.agent(source("band"))
async def band_agent(stream: Stream) -> None:
    """Answers which canonical articles share a band key, and files new canonical articles."""
    await each_event("dedupe", stream, _band)


async def _band(event: Event) -> None:
    msg = decode_band_message(codec.loads(event.value))
    partition = event.message.partition
    if isinstance(msg, BandQuery):
        found = owned.lookup(partition, msg.keys, msg.id)
        near = tuple(c for c in found if eligible(c.at, msg.at, WINDOW))
        answer = BandAnswer(msg.origin, near)
        await candidates_topic.send(key=msg.id.encode(), value=codec.dumps(answer.to_wire()))
    else:
        key = filed_key(partition, msg.id)
        filed[key] = msg.row().to_wire()
        owned.add(partition, msg.id, msg.keys)
        filed_expiry.note(partition, key)
    filed_expiry.sweep(partition)


@app.agent(source("decide"))
async def decide_agent(stream: Stream) -> None:
    """Gathers the article and every band owner's answer, then judges it once."""
    await each_event("dedupe", stream, _gather)


async def _gather(event: Event) -> None:
    msg = decode_decision_message(codec.loads(event.value))
    article_id = bytes(event.key or b"").decode()
    partition = event.message.partition
    answers = PendingRow.from_wire(pending.get(article_id))
    if isinstance(msg, ArticleForDecision):
        if held.get(article_id) is None:
            text = bytes(event.value or b"").decode()
            held[article_id] = HeldRow(len(msg.expect), text).to_wire()
    else:
        added = answers.with_answer(msg)
        if added is not None:
            answers = added
            pending[article_id] = answers.to_wire()
    wire = held.get(article_id)
    kept = HeldRow.from_wire(wire) if wire is not None else None
    if kept is not None and (article_id in verdicts or len(answers.answers) >= kept.expect):
        # Decided before (a replay after a crash or a rebalance) or now complete: (re)publish.
        article = msg if isinstance(msg, ArticleForDecision) else kept.message()
        await decide(article_id, article, answers)
        held_expiry.note(partition, article_id)
        pending_expiry.note(partition, article_id)
    for expiry in (held_expiry, pending_expiry, verdict_expiry):
        expiry.sweep(partition)


async def decide(article_id: str, msg: ArticleForDecision, answers: PendingRow) -> None:
    """Judge against the gathered candidates (or repeat an earlier verdict) and publish."""
    item = msg.tagged()
    sig = Signature.from_str(msg.sig)
    known = verdicts.get(article_id)
    if known is not None:
        verdict = Verdict.from_wire(known)
    else:
        verdict = judge(article_id, sig, answers.candidates())
        verdicts[article_id] = verdict.to_wire()
        verdict_expiry.note(keyed(article_id), article_id)
    if verdict.is_duplicate:
        await publish_duplicate(item, verdict)
        return
    metrics.MESSAGES.labels("dedupe", "unique").inc()
    unique = item.model_copy(update={"cluster_id": verdict.cluster_id})
    await unique_topic.send(key=article_id.encode(), value=codec.dumps(unique))
    for partition, keys in _route(band_keys(sig)).items():
        order = FileOrder(article_id, tuple(keys), msg.sig, msg.at)
        await bands_topic.send(
            key=keys[0].encode(), value=codec.dumps(order.to_wire()), partition=partition
        )


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
