"""Search over stored articles: PostgreSQL full-text per language, SQLite FTS5, or LIKE."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

# ISO 639-1 code -> PostgreSQL text-search configuration; Malay shares Indonesian's stemmer.
PG_CONFIGS = {"id": "indonesian", "ms": "indonesian", "en": "english"}
FTS_TABLE = "articles_fts"
MARK = ("\u00ab", "\u00bb")  # « » around matched words in snippets
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    """One stored article that matches a query."""

    id: str
    title: str | None
    source: str | None
    language: str | None
    published_at: str | None
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields."""
        return asdict(self)


def words(query: str) -> list[str]:
    """The query's words; operators and punctuation are never passed to a query parser."""
    return _WORD.findall(query)[:20]


def pg_config_case(available: set[str]) -> str:
    """SQL choosing each row's configuration from its `language`; `simple` when unknown."""
    whens = " ".join(
        f"WHEN '{code}' THEN '{cfg}'::regconfig"
        for code, cfg in sorted(PG_CONFIGS.items())
        if cfg in available
    )
    return (
        f"(CASE language {whens} ELSE 'simple'::regconfig END)" if whens else "'simple'::regconfig"
    )


def pg_document(available: set[str]) -> str:
    """The tsvector expression the GIN index of migration 0002 is built on."""
    return f"to_tsvector({pg_config_case(available)}, coalesce(title, '') || ' ' || text)"


def pg_configs(connection: Connection) -> set[str]:
    """Names of the text-search configurations this server has."""
    return {r[0] for r in connection.execute(sa.text("SELECT cfgname FROM pg_ts_config"))}


def search(engine: Engine, query: str, limit: int = 20, language: str | None = None) -> list[Hit]:
    """Stored articles matching every word of `query`, best first."""
    terms = words(query)
    if not terms:
        return []
    limit = max(1, min(limit, 100))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = _postgres(connection, terms, limit, language)
        elif _has_fts(connection):
            rows = _fts5(connection, terms, limit, language)
        else:
            rows = _like(connection, terms, limit, language)
    return [_hit(row) for row in rows]


def _hit(row: Any) -> Hit:
    # The article's own value keeps its UTC offset; SQLite's column has lost it.
    published = row.published_doc or row.published_at
    return Hit(
        id=row.id,
        title=row.title,
        source=row.source,
        language=row.language,
        published_at=published.isoformat() if hasattr(published, "isoformat") else published,
        snippet=(row.snippet or "")[:400],
        score=round(float(row.score or 0.0), 6),
    )


def _pg_match(doc: str, available: set[str]) -> str:
    """One `@@` per configuration, each with a constant query, so the GIN index serves them."""
    by_config: dict[str, list[str]] = {}
    for code, cfg in sorted(PG_CONFIGS.items()):
        if cfg in available:
            by_config.setdefault(cfg, []).append(code)
    known = [code for codes in by_config.values() for code in codes]
    parts = [
        f"({doc} @@ plainto_tsquery('{cfg}', :q) AND language IN ({_quoted(codes)}))"
        for cfg, codes in by_config.items()
    ]
    other = "language IS NULL" + (f" OR language NOT IN ({_quoted(known)})" if known else "")
    parts.append(f"({doc} @@ plainto_tsquery('simple', :q) AND ({other}))")
    return "(" + " OR ".join(parts) + ")"


def _quoted(codes: list[str]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def _postgres(
    connection: Connection, terms: list[str], limit: int, language: str | None
) -> list[Any]:
    available = pg_configs(connection)
    cfg = pg_config_case(available)
    doc = pg_document(available)
    # plainto_tsquery ANDs the words after stemming them the way the row's language does.
    tsq = f"plainto_tsquery({cfg}, :q)"
    sql = f"""
        SELECT id, title, source, language, published_at,
               data->>'published_at' AS published_doc,
               ts_headline({cfg}, text, {tsq},
                           'StartSel={MARK[0]}, StopSel={MARK[1]}, MaxWords=30, MinWords=10')
                 AS snippet,
               ts_rank({doc}, {tsq}) AS score
        FROM articles
        WHERE {_pg_match(doc, available)} AND (CAST(:lang AS text) IS NULL OR language = :lang)
        ORDER BY score DESC, published_at DESC NULLS LAST
        LIMIT :limit
    """
    params = {"q": " ".join(terms), "lang": language, "limit": limit}
    return list(connection.execute(sa.text(sql), params))


def _has_fts(connection: Connection) -> bool:
    return bool(
        connection.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
            {"n": FTS_TABLE},
        ).first()
    )


def _fts5(connection: Connection, terms: list[str], limit: int, language: str | None) -> list[Any]:
    # Each word quoted (no FTS syntax from users); the last one also matches as a prefix.
    match = " ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*'
    sql = f"""
        SELECT a.id, a.title, a.source, a.language, a.published_at,
               json_extract(a.data, '$.published_at') AS published_doc,
               snippet({FTS_TABLE}, 2, '{MARK[0]}', '{MARK[1]}', '…', 24) AS snippet,
               -bm25({FTS_TABLE}) AS score
        FROM {FTS_TABLE} JOIN articles AS a ON a.id = {FTS_TABLE}.id
        WHERE {FTS_TABLE} MATCH :match AND (:lang IS NULL OR a.language = :lang)
        ORDER BY bm25({FTS_TABLE})
        LIMIT :limit
    """
    params = {"match": match.strip(), "lang": language, "limit": limit}
    return list(connection.execute(sa.text(sql), params))


def _like(connection: Connection, terms: list[str], limit: int, language: str | None) -> list[Any]:
    from streams.store.tables import articles

    conditions = []
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            sa.or_(
                articles.c.title.ilike(pattern, escape="\\"),
                articles.c.text.ilike(pattern, escape="\\"),
            )
        )
    if language:
        conditions.append(articles.c.language == language)
    stmt = (
        sa.select(
            articles.c.id,
            articles.c.title,
            articles.c.source,
            articles.c.language,
            articles.c.published_at,
            articles.c.data["published_at"].as_string().label("published_doc"),
            sa.func.substr(articles.c.text, 1, 200).label("snippet"),
            sa.literal(0.0).label("score"),
        )
        .where(sa.and_(*conditions))
        .order_by(articles.c.stored_at.desc())
        .limit(limit)
    )
    return list(connection.execute(stmt))


def entity_facets(engine: Engine, ids: list[str], limit: int = 10) -> list[dict[str, Any]]:
    """The canonical entities the articles `ids` name, most articles first.

    Counted by `resolved_entities[].key` (`ORG:nato`), once per article, so that "NATO" and
    "Pakta Pertahanan Atlantik Utara (NATO)" in one hit are one entity. A person an article
    names only by surname (`PERSON:stoltenberg`) joins the one full name among the hits that
    ends with it (`PERSON:jens-stoltenberg`). Articles stored before resolution existed have
    no such field and add nothing."""
    from streams.store.tables import articles

    if not ids:
        return []
    seen: dict[str, set[str]] = {}
    first: dict[str, dict[str, Any]] = {}
    stmt = sa.select(articles.c.id, articles.c.data).where(articles.c.id.in_(ids))
    with engine.connect() as connection:
        for article_id, data in connection.execute(stmt):
            for entity in _resolved(data):
                key = str(entity["key"])
                seen.setdefault(key, set()).add(article_id)
                first.setdefault(
                    key, {"key": key, "name": entity.get("name"), "type": entity.get("type")}
                )
    for short, full in _surnames(set(seen)).items():
        seen[full] |= seen.pop(short)
    ranked = sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [{**first[key], "articles": len(members)} for key, members in ranked]


def _surnames(keys: set[str]) -> dict[str, str]:
    """Single-word person keys -> the one longer person key that ends with that word."""
    merged: dict[str, str] = {}
    for key in keys:
        kind, _, name = key.partition(":")
        if kind != "PERSON" or "-" in name:
            continue
        longer = [k for k in keys if k.startswith("PERSON:") and k.endswith(f"-{name}")]
        if len(longer) == 1:  # two Widodos among the hits: leave the surname alone
            merged[key] = longer[0]
    return merged


def _resolved(data: Any) -> list[dict[str, Any]]:
    entities = data.get("resolved_entities") if isinstance(data, dict) else None
    if not isinstance(entities, list):
        return []
    return [e for e in entities if isinstance(e, dict) and e.get("key")]


def recent(engine: Engine, limit: int = 30) -> list[dict[str, Any]]:
    """The most recently stored articles' full messages, newest first."""
    from streams.store.tables import articles

    stmt = sa.select(articles.c.data).order_by(articles.c.stored_at.desc()).limit(limit)
    with engine.connect() as connection:
        return [dict(r[0]) for r in connection.execute(stmt)]
