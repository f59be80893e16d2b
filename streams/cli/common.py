"""Helpers shared by the commands: user errors, broker checks, readable message lines."""

from __future__ import annotations

import asyncio
from typing import Any

from schemas import codec
from streams.core import topics
from streams.runtime.broker import ensure_topics, port_open
from streams.settings import Settings


class UserError(Exception):
    """A mistake of the user's, shown as one line with a hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def require_broker(settings: Settings) -> None:
    """Fail with a hint when no broker answers at the configured address."""
    for server in settings.bootstrap_servers.split(","):
        host, _, port = server.rpartition(":")
        if port_open(host or "127.0.0.1", int(port)):
            return
    where = settings.broker or f"the embedded broker at {settings.bootstrap_servers}"
    raise UserError(
        f"no Kafka broker answers at {where}",
        "start one with `warta run` (broker and worker) or `warta broker`, "
        "or set WARTA_BROKER=kafka://host:port",
    )


def create_topics(settings: Settings) -> list[str]:
    """Create every topic warta uses, with the configured partition count."""
    return asyncio.run(
        ensure_topics(
            settings.bootstrap_servers,
            topics.all_topics(settings.app_id),
            settings.partitions,
            settings.replication_factor,
        )
    )


def summary_line(topic: str, value: bytes, key: bytes | None = None) -> str:
    """One readable line for a message of any warta topic (a dead letter's names its key)."""
    try:
        data: Any = codec.loads(value)
    except ValueError:
        return f"[{topic}] (not JSON) {value[:80]!r}"
    if not isinstance(data, dict):
        return f"[{topic}] {str(data)[:100]}"
    if topic == topics.DLQ:
        name = key.decode("utf-8", "replace") if key else "(no key)"
        error = str(data.get("error"))[:100]
        return f"[dlq] {name} {data.get('stage')}/{data.get('reason')}: {error}"
    if topic == topics.DUPLICATES:
        return (
            f"[duplicate] {data.get('id')} = {data.get('kind')} copy of {data.get('duplicate_of')}"
            f" ({float(data.get('similarity') or 0):.2f})"
        )
    lang = (
        (data.get("language") or {}).get("code") if isinstance(data.get("language"), dict) else ""
    )
    topic_labels = ", ".join(t.get("label", "") for t in (data.get("topics") or [])[:2])
    when = data.get("published_at") or "-"
    title = (data.get("title") or "(untitled)")[:70]
    return f"[{topic.removeprefix('articles.')}] {title} | {data.get('source') or '-'} | {lang or '-'} | {when} | {topic_labels}"
