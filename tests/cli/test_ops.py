"""The operator commands: search, show, schema asyncapi (fresh), completion, readable errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import yaml
from click.testing import CliRunner

from streams.cli import main
from streams.cli.common import summary_line
from streams.core import topics
from streams.ops import asyncapi
from streams.settings import get_settings
from streams.store import Store
from tests.factories import duplicate, tagged


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("WARTA_DATABASE_URL", url)
    get_settings.cache_clear()
    store = Store(url)
    store.migrate()
    store.upsert_articles(
        [
            tagged(
                "kereta",
                "Kereta cepat Jakarta–Bandung mengangkut sejuta penumpang.",
                title="Kereta",
            ),
            tagged("pasar", "Harga beras di Pasar Induk Cipinang turun.", title="\x1b[31mBeras"),
        ]
    )
    store.upsert_duplicates([duplicate("pasar-2", of="pasar")])
    yield store
    get_settings.cache_clear()


def test_search_finds_words_and_prints_json(database: Store) -> None:
    result = CliRunner().invoke(main, ["search", "penumpang", "kereta", "--json"])
    assert result.exit_code == 0, result.output
    hits = [orjson.loads(line) for line in result.output.splitlines()]
    assert [h["id"] for h in hits] == ["kereta"]
    none = CliRunner().invoke(main, ["search", "pesawat"])
    assert none.exit_code == 1


def test_show_prints_the_article_without_terminal_escapes(database: Store) -> None:
    result = CliRunner().invoke(main, ["show", "pasar"])
    assert result.exit_code == 0
    assert "Beras" in result.output
    assert "\x1b[31m" not in result.output
    assert "Pasar Induk Cipinang" in result.output
    as_json = CliRunner().invoke(main, ["show", "pasar", "--json"])
    assert orjson.loads(as_json.output)["id"] == "pasar"
    dup = CliRunner().invoke(main, ["show", "pasar-2"])
    assert "pasar-2 is an exact duplicate of pasar" in dup.output


def test_user_mistakes_are_one_line_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARTA_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["search", "apa"])
        assert result.exit_code == 2
        assert "error: no database at" in result.output
        assert "hint:" in result.output
        assert "Traceback" not in result.output
        shown = CliRunner().invoke(main, ["replay", str(tmp_path / "nope.jsonl")])
        assert shown.exit_code == 2
        assert "does not exist" in shown.output
    finally:
        get_settings.cache_clear()


def test_asyncapi_document_is_fresh() -> None:
    assert not asyncapi.stale(), "schemas/asyncapi.yaml is stale: run `warta schema asyncapi`"


def test_asyncapi_covers_every_public_topic_and_its_refs_resolve() -> None:
    doc = yaml.safe_load(asyncapi.OUT.read_text("utf-8"))
    assert doc["asyncapi"].startswith("3.")
    assert {c["address"] for c in doc["channels"].values()} == set(topics.PUBLIC)

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc):
        target: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict), ref
            assert part in target, ref
            target = target[part]
    raw = doc["components"]["schemas"]["RawArticle"]
    assert {"html", "text", "url", "id"} <= set(raw["properties"])


def test_completion_script_is_printed() -> None:
    result = CliRunner().invoke(main, ["completion", "bash"])
    assert result.exit_code == 0
    assert "_WARTA_COMPLETE" in result.output


def test_replay_command_reports_writes_and_then_finds_nothing(database: Store) -> None:
    # The factory's articles never went through enrich and tag, so the current stages differ.
    first = CliRunner().invoke(main, ["replay", "--json"])
    assert first.exit_code == 0, first.output
    report = orjson.loads(first.output)
    assert report["total"] == 2
    assert report["changed"] == 2
    assert report["written"] == 0
    assert report["fields"]["versions.enrich"]["count"] == 2
    written = CliRunner().invoke(main, ["replay", "--write"])
    assert written.exit_code == 0
    assert "wrote 2 new version(s)" in written.output
    again = orjson.loads(CliRunner().invoke(main, ["replay", "--json"]).output)
    assert again["changed"] == 0
    assert again["unchanged"] == 2


def test_show_lists_the_other_outlets_that_ran_the_story(database: Store) -> None:
    from schemas import DuplicateEvent

    database.upsert_duplicates(
        [
            DuplicateEvent(
                id="pasar-3",
                duplicate_of="pasar",
                kind="near",
                similarity=0.81,
                source="lain.example",
                url="https://lain.example/beras",
                published_at="2024-03-14T11:00:00+07:00",
            )
        ]
    )
    shown = CliRunner().invoke(main, ["show", "pasar"])
    assert shown.exit_code == 0, shown.output
    assert "story: 3 articles, 2 outlets" in shown.output
    assert "lain.example  near 0.81  2024-03-14T11:00:00+07:00  https://lain.example/beras" in (
        shown.output
    )
    as_json = orjson.loads(CliRunner().invoke(main, ["show", "pasar-3", "--json"]).output)
    assert as_json["story"]["canonical"] == "pasar"
    assert [m["id"] for m in as_json["story"]["members"]] == ["pasar", "pasar-2", "pasar-3"]


def test_a_dead_letter_line_names_its_key() -> None:
    letter = orjson.dumps({"stage": "clean", "reason": "invalid_json", "error": "not JSON"})
    line = summary_line(topics.DLQ, letter, b"artikel-7")
    assert line == "[dlq] artikel-7 clean/invalid_json: not JSON"
