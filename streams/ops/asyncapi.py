"""An AsyncAPI 3.0 document of warta's public topics and messages, generated from schemas/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

import schemas
from schemas.models import (
    CleanArticle,
    DeadLetter,
    DuplicateEvent,
    EnrichedArticle,
    RawArticle,
    TaggedArticle,
)
from streams import __version__
from streams.core import topics

OUT = Path(schemas.__file__).with_name("asyncapi.yaml")
REF = "#/components/schemas/{model}"

# topic -> (channel id, message model, what is on it, does warta send or receive it)
CHANNELS: dict[str, tuple[str, type[BaseModel], str, list[str]]] = {
    topics.RAW: ("articlesRaw", RawArticle, "Raw articles pushed by producers.", ["receive"]),
    # One agent cleans, enriches and tags each raw article and writes all three results; warta
    # reads only articles.tagged back (dedupe), the other two are for consumers.
    topics.CLEAN: (
        "articlesClean",
        CleanArticle,
        "Cleaned text and metadata, for consumers (warta itself does not read it back).",
        ["send"],
    ),
    topics.ENRICHED: (
        "articlesEnriched",
        EnrichedArticle,
        "Language, entities, places, keywords, quotes, summary, for consumers.",
        ["send"],
    ),
    topics.TAGGED: (
        "articlesTagged",
        TaggedArticle,
        "IPTC topics and rule tags; dedupe reads it.",
        ["send", "receive"],
    ),
    topics.UNIQUE: (
        "articlesUnique",
        TaggedArticle,
        "The canonical article of each story (its smallest order key so far). A later"
        " DuplicateEvent with `revises` equal to the article's own id moves it into another"
        " story: follow articles.duplicates too.",
        ["send"],
    ),
    topics.DUPLICATES: (
        "articlesDuplicates",
        DuplicateEvent,
        "Exact and near duplicates, linked to their story's canonical article. The last event"
        " of an id is its verdict; one with `revises` corrects an earlier one (a copy that"
        " overtook its original, or two stories merged).",
        ["send"],
    ),
    topics.DLQ: ("articlesDlq", DeadLetter, "Messages a stage refused, with the reason.", ["send"]),
}


def _schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for _, model, _, _ in CHANNELS.values():
        schema = model.model_json_schema(mode="serialization", ref_template=REF)
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return dict(sorted(found.items()))


def _message(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "name": model.__name__,
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "payload": {"$ref": REF.format(model=model.__name__)},
        "bindings": {"kafka": {"key": {"type": "string", "description": "the article id"}}},
    }


def document() -> dict[str, Any]:
    """The AsyncAPI document as data."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for address, (cid, model, description, actions) in CHANNELS.items():
        messages[model.__name__] = _message(model)
        channels[cid] = {
            "address": address,
            "description": description,
            "messages": {model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}},
        }
        for action in actions:
            operations[f"{action}{cid[0].upper()}{cid[1:]}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{cid}"},
                "summary": f"warta {action}s {model.__name__} on {address}.",
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "warta",
            "version": __version__,
            "description": (
                "Event-driven news processing: clean, enrich, tag and de-duplicate articles. "
                "Values are JSON (UTF-8); keys are article ids. Generated from schemas/ by "
                "`warta schema asyncapi`; do not edit by hand."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "The embedded broker of `warta run`.",
            },
            "compose": {
                "host": "localhost:29092",
                "protocol": "kafka",
                "description": "Apache Kafka of the docker-compose stack.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }


def rendered() -> str:
    """The YAML text of the document, as it should be on disk."""
    return yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=100)


def stale(path: Path = OUT) -> bool:
    """True when the file on disk differs from what the models generate."""
    return not path.exists() or path.read_text("utf-8") != rendered()


def write(path: Path = OUT) -> bool:
    """Write the document; True when the file changed."""
    if not stale(path):
        return False
    path.write_text(rendered(), "utf-8")
    return True
