"""Names of every topic warta reads or writes, public and internal, defined once."""

from __future__ import annotations

RAW = "articles.raw"
CLEAN = "articles.clean"
ENRICHED = "articles.enriched"
TAGGED = "articles.tagged"
UNIQUE = "articles.unique"
DUPLICATES = "articles.duplicates"
DLQ = "articles.dlq"

# Internal: tagged articles re-keyed by their fingerprint, so that copies meet on one partition.
BY_FINGERPRINT = "warta.dedupe.by-fingerprint"
# Internal: one message per LSH band of an article, keyed by the band value.
BANDS = "warta.dedupe.bands"
# Internal: candidates found by the band owners, keyed back by the article id.
CANDIDATES = "warta.dedupe.candidates"
# Internal: each decided article with the matches it saw, all on partition 0 (the story owner).
LINKS = "warta.dedupe.links"

PUBLIC = (RAW, CLEAN, ENRICHED, TAGGED, UNIQUE, DUPLICATES, DLQ)
INTERNAL = (BY_FINGERPRINT, BANDS, CANDIDATES, LINKS)

# The topology: the topics each agent consumes. The agents subscribe from here, and the list of
# topics the worker's group consumes (its lag is the work still to do; `warta run` drains it
# before stopping the embedded broker) is derived from it, never written out by hand.
# Clean, enrich and tag run in one agent ("stages"): articles.clean and articles.enriched are
# written for consumers, and no agent of warta reads them back.
READS: dict[str, tuple[str, ...]] = {
    "stages": (RAW,),
    "rekey": (TAGGED,),
    "exact": (BY_FINGERPRINT,),
    "band": (BANDS,),
    "decide": (CANDIDATES,),
    "story": (LINKS,),
    "store": (UNIQUE, DUPLICATES),
}
CONSUMED = tuple(dict.fromkeys(topic for reads in READS.values() for topic in reads))

# Faust tables, each backed by the changelog topic `{app_id}-{table}-changelog`.
TABLES = ("fingerprints", "filed", "held", "pending", "verdicts", "stories")


def changelog(app_id: str, table: str) -> str:
    """The changelog topic faust uses for `table`."""
    return f"{app_id}-{table}-changelog"


def all_topics(app_id: str) -> list[str]:
    """Every topic that must exist before a worker starts."""
    return [*PUBLIC, *INTERNAL, *(changelog(app_id, t) for t in TABLES)]
