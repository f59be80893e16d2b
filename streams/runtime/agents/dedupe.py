"""Dedupe stage on the stream: consumes articles.tagged, produces links for the story owner.

Exact copies meet on the partition that owns their fingerprint. Near copies meet through LSH band
keys: each band key is owned by one partition of `warta.dedupe.bands`, which files every article
under its keys when its query arrives (so of two similar articles the second to ask sees the
first, whatever the timing) and answers with the articles filed before it; the article's own
partition of `warta.dedupe.candidates` gathers the answers and verifies them. The band partition
numbered like the article's by-fingerprint partition is owned by the same worker (faust assigns
topics of one partition count together), so it is asked in-process while that event is handled
(its `filed` row and changelog record belong to that partition number), and its answer travels
inside the article's message: no query, no answer, no `pending` write. The verified matches
go, as a `Link`, to the story owner (`streams.runtime.agents.stories`), which publishes verdicts
and corrections on articles.unique and articles.duplicates. All state is keyed, so a replay after
a crash finds what it wrote before.
"""

from __future__ import annotations

from schemas import Rejection, TaggedArticle, codec
from streams.core.decode import decode
from streams.runtime.app import app, settings
from streams.runtime.events import Event, Stream, each_event, to_dlq
from streams.runtime.tables import (
    STORY_PARTITION,
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
    links_topic,
    source,
)
from streams.stages.dedupe import (
    Signature,
    Verdict,
    article_time,
    band_keys,
    eligible,
    match,
    signature,
    unique,
)
from streams.stages.dedupe.messages import (
    ArticleForDecision,
    BandAnswer,
    BandQuery,
    Edge,
    FingerprintClaim,
    HeldRow,
    Link,
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
        # The raw record's timestamp travels with the article (the stages forward it): it is the
        # order key of an article without published_at or fetched_at, the same on every replay.
        await by_fingerprint_topic.send(
            key=item.fingerprint.encode(), value=event.value, timestamp=event.message.timestamp
        )


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
    published = article_time(item, clock=lambda: float(event.message.timestamp))
    wire = fingerprints.get(item.fingerprint)
    claim = FingerprintClaim.from_wire(wire) if wire is not None else None
    if claim is not None and claim.id != item.id and eligible(claim.at, published, WINDOW):
        # Same body: the same signature, so the claimant's band matches are this one's too. The
        # story owner decides which of the two is canonical (the smaller order key).
        sig = signature(item.text).to_str()
        edge = Edge(claim.id, claim.at, sig, 1.0, "exact")
        await send_link(Link(item.id, published, item.fingerprint, sig, (edge,), _json(item)))
        return
    if claim is None or claim.id != item.id:
        fingerprints[item.fingerprint] = FingerprintClaim(item.id, published).to_wire()
        fingerprint_expiry.note(event.message.partition, item.fingerprint)
    fingerprint_expiry.sweep(event.message.partition)
    await ask_bands(item, published, event.message.partition)


async def ask_bands(item: TaggedArticle, published: float, here: int) -> None:
    """Send the article to its decision partition and its band keys to their owners.

    `here` is the partition of the event being handled: the bands partition of that number is
    this worker's, and is asked in-process (filed and answered as its band agent would, in the
    order of this worker's events for that partition)."""
    sig = signature(item.text)
    text = sig.to_str()
    routes = _route(band_keys(sig))
    local = None
    if here in routes:
        local = answer(here, BandQuery(item.id, tuple(routes[here]), published, here, text))
        filed_expiry.sweep(here)
    article = ArticleForDecision.of(item, sig, published, sorted(routes), local)
    await candidates_topic.send(key=item.id.encode(), value=codec.dumps(article.to_wire()))
    for partition, keys in routes.items():
        if partition == here:
            continue
        query = BandQuery(item.id, tuple(keys), published, partition, text)
        await bands_topic.send(
            key=keys[0].encode(), value=codec.dumps(query.to_wire()), partition=partition
        )


@app.agent(source("band"))
async def band_agent(stream: Stream) -> None:
    """Answers which articles share a band key, filing the asking article there at once."""
    await each_event("dedupe", stream, _band)


async def _band(event: Event) -> None:
    msg = decode_band_message(codec.loads(event.value))
    partition = event.message.partition
    if isinstance(msg, BandQuery):
        found = answer(partition, msg)
        await candidates_topic.send(key=msg.id.encode(), value=codec.dumps(found.to_wire()))
    else:
        key = filed_key(partition, msg.id)
        filed[key] = msg.row().to_wire()
        owned.add(partition, msg.id, msg.keys)
        filed_expiry.note(partition, key)
    filed_expiry.sweep(partition)


def answer(partition: int, msg: BandQuery) -> BandAnswer:
    """The articles filed on `partition` under the query's keys within the window, the asking
    article filed there first; only while an event of that partition number is handled (faust
    writes the `filed` row's changelog record, and the store its row, to that partition)."""
    found = owned.lookup(partition, msg.keys, msg.id)
    near = tuple(c for c in found if eligible(c.at, msg.at, WINDOW))
    row = msg.row()
    if row is not None:
        # Filed before it is decided ("meeting"): a later query for the same key sees it. A
        # replay writes the same row again; it expires like any filed row.
        key = filed_key(partition, msg.id)
        if key not in filed:
            owned.add(partition, msg.id, msg.keys)
        filed[key] = row.to_wire()
        filed_expiry.note(partition, key)
    return BandAnswer(msg.origin, near)


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
        text = bytes(event.value or b"").decode()
        wire = held.get(article_id)
        old = HeldRow.from_wire(wire) if wire is not None else None
        first = old.message() if old is not None and old.text != text else None
        if first is not None and first.replays(msg):
            msg = first  # a replay whose in-process answer grew: the first one stands
        elif old is None or first is not None:
            # First sight, or a new revision (same id, changed body): later answers decide
            # with the newest body. The same content again (a replay) writes nothing.
            held[article_id] = HeldRow(msg.awaited(), text).to_wire()
    wire = held.get(article_id)
    kept = HeldRow.from_wire(wire) if wire is not None else None
    if isinstance(msg, BandAnswer):
        added = answers.with_answer(msg)
        if added is not None:
            answers = added
            if kept is None or len(answers.answers) < kept.expect:
                # The answer that completes the article is not written: the decision follows at
                # once, and the producer is flushed before this event's offset is committed, so
                # a crash before then replays this event (the article's last on its partition),
                # which gathers it again.
                pending[article_id] = answers.to_wire()
    if kept is not None and len(answers.answers) >= kept.expect:
        # Complete: decide, or restate the decision (a replay after a crash or a rebalance).
        # Never on fewer answers: the one that completed it was not written (above).
        article = msg if isinstance(msg, ArticleForDecision) else kept.message()
        await decide(article_id, article, answers)
        held_expiry.note(partition, article_id)
        pending_expiry.note(partition, article_id)
    for expiry in (held_expiry, pending_expiry, verdict_expiry):
        expiry.sweep(partition)


async def decide(article_id: str, msg: ArticleForDecision, answers: PendingRow) -> None:
    """Verify the gathered candidates and send the matches to the story owner.

    The same answers give the same link, so a replay sends an equal one (the story owner
    restates, it does not judge twice)."""
    sig = Signature.from_str(msg.sig)
    edges: list[Edge] = []
    for cand in answers.gathered(msg).candidates():
        if cand.id == article_id:
            continue
        sim = match(sig, cand.signature)
        if sim is not None:
            edges.append(Edge(cand.id, cand.published, cand.signature.to_str(), round(sim, 4)))
    if article_id not in verdicts:
        # The local view, kept as the mark that this article was decided (its held message and
        # answers may then expire): the smallest match, or unique.
        first = min(edges, key=lambda e: (e.at, e.id), default=None)
        local = (
            Verdict("near", first.id, first.similarity, first.id)
            if first is not None and (first.at, first.id) < (msg.at, article_id)
            else unique(article_id)
        )
        verdicts[article_id] = local.to_wire()
        verdict_expiry.note(keyed(article_id), article_id)
    fp = str(msg.article.get("fingerprint") or "")
    await send_link(Link(article_id, msg.at, fp, msg.sig, tuple(edges), msg.article))


async def send_link(link: Link) -> None:
    """One message to the story owner, on its one partition."""
    await links_topic.send(
        key=link.id.encode(), value=codec.dumps(link.to_wire()), partition=STORY_PARTITION
    )


def _json(item: TaggedArticle) -> dict[str, object]:
    return item.model_dump(mode="json")
