"""Pydantic v2 models of every message on warta's public topics: the contracts clients rely on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

NonEmpty = Annotated[str, Field(min_length=1)]
Score = Annotated[float, Field(ge=0.0, le=1.0)]


class Message(BaseModel):
    """Base of every message: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class RawArticle(Message):
    """What producers push into `articles.raw`: a scraped page or its extracted text."""

    id: NonEmpty | None = None
    url: str | None = None
    source: str | None = None
    html: str | None = None
    text: str | None = None
    title: str | None = None
    # A hint in any form the producer has ("Selasa, 31 Januari 2023 15:50", ISO 8601, ...);
    # the clean stage parses it into an aware datetime or ignores it.
    published_at: str | None = None
    language: str | None = None
    authors: list[str] = Field(default_factory=list)
    fetched_at: AwareDatetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class Dateline(Message):
    """The opening "JAKARTA, KOMPAS.com -" of a story: where it was filed and by whom."""

    place: str | None = None
    outlet: str | None = None


class Caption(Message):
    """A photo caption taken out of the body, with its credit when one is given."""

    text: NonEmpty
    credit: str | None = None


class Related(Message):
    """A teaser ("Baca juga: ...") removed from the body."""

    title: NonEmpty
    url: str | None = None


class CleanArticle(Message):
    """The clean stage's output on `articles.clean`: plain-text body and parsed metadata."""

    id: NonEmpty
    url: str | None = None
    source: str | None = None
    title: str | None = None
    text: NonEmpty
    authors: list[str] = Field(default_factory=list)
    published_at: AwareDatetime | None = None
    dateline: Dateline | None = None
    captions: list[Caption] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
    language_hint: str | None = None
    fetched_at: AwareDatetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    # Confidence (0..1) of each extracted metadata field; a field absent here was not found.
    confidence: dict[str, Score] = Field(default_factory=dict)
    # How likely the body is the whole article and nothing else (0..1): its agreement with a
    # second reading of the page, the chrome removed, its length against the page's prose.
    body_confidence: Score | None = None
    # Hash of the normalised body: equal for copies that differ only in case, spacing or chrome.
    fingerprint: NonEmpty
    versions: dict[str, str] = Field(default_factory=dict)


class Language(Message):
    """Detected language: ISO 639-1 code and the detector's confidence."""

    code: NonEmpty
    confidence: Score


EntityType = Literal["PERSON", "ORG", "LOC"]


class Entity(Message):
    """A named entity; `start`/`end` are character offsets into the article's `text`."""

    text: NonEmpty
    type: EntityType
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]


class Mention(Message):
    """Where an article names an entity: the text and its character offsets into `text`."""

    text: NonEmpty
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]


class ResolvedEntity(Message):
    """One person, organisation or place of an article, with every mention of it.

    `name` is its canonical name in the article (the longest full form; an organisation's
    spelt-out name rather than its acronym); `key` joins it across articles
    (`PERSON:jens-stoltenberg`, `ORG:nato`, `LOC:JP`); `code` is a place's ISO 3166 code.
    """

    key: NonEmpty
    name: NonEmpty
    type: EntityType
    code: str | None = None
    mentions: list[Mention] = Field(default_factory=list)


class Place(Message):
    """A country (or province) named by the article, with its ISO 3166 code."""

    name: NonEmpty
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    subdivision_code: str | None = None


class Keyword(Message):
    """A key phrase; a higher score means more central to the article."""

    text: NonEmpty
    score: Score


class Quote(Message):
    """A direct quote and the person it is attributed to (None when unresolved)."""

    text: NonEmpty
    speaker: str | None = None


class EnrichedArticle(CleanArticle):
    """The enrich stage's output on `articles.enriched`."""

    language: Language
    entities: list[Entity] = Field(default_factory=list)
    # The entities above grouped per person, organisation or place (see ResolvedEntity).
    resolved_entities: list[ResolvedEntity] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    keywords: list[Keyword] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    summary: str | None = None


class Topic(Message):
    """An IPTC Media Topic (`medtop:11000000` politics) with its score."""

    code: Annotated[str, Field(pattern=r"^medtop:\d{8}$")]
    label: NonEmpty
    score: Score


class TaggedArticle(EnrichedArticle):
    """The tag stage's output on `articles.tagged`; also the value on `articles.unique`."""

    topics: list[Topic] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    cluster_id: str | None = None
    # On articles.unique: how many times the article changed after it was first published (the
    # same id with a changed body is a new revision; the latest is published). 0 elsewhere.
    revision: int = 0


class DuplicateEvent(Message):
    """Dedupe's verdict that `id` repeats `duplicate_of`, on `articles.duplicates`.

    `duplicate_of` is the canonical article of the story (its smallest order key). When an
    earlier verdict of `id` changes (a copy overtook its original; two stories merged), a new
    event is published with `revises`: the id's own id when it had been published on
    `articles.unique` (drop it from your unique articles), else the canonical it pointed at.
    The last event of an id is its verdict."""

    id: NonEmpty
    duplicate_of: NonEmpty
    kind: Literal["exact", "near"]
    similarity: Score
    cluster_id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    revises: str | None = None
    # How many times the article's body changed after its first verdict (see TaggedArticle).
    revision: int = 0


class DeadLetter(Message):
    """A message that a stage could not process, with why, on `articles.dlq`."""

    stage: NonEmpty
    reason: NonEmpty
    error: str
    # The original message unchanged: as text when it is valid UTF-8, else base64.
    payload: str | None
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    # True when `payload` is only the head of a message too large to carry whole.
    payload_truncated: bool = False
    # The whole original of a truncated payload: a claim check file, relative to the worker's
    # WARTA_DATA_DIR (`claims/<sha256>`), kept until redriven or expired; null when not kept.
    payload_ref: str | None = None
    key: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    received_at: AwareDatetime


class Rejection(Message):
    """An expected refusal of a stage (errors as data): a reason code and readable text."""

    reason: NonEmpty
    error: str


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    from datetime import UTC

    return datetime.now(UTC)
