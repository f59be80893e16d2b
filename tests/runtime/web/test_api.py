"""The worker's HTTP API on an aiohttp test server: ingestion, lookup, search, dashboard assets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, cast

import faust
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from schemas import Mention, RawArticle, ResolvedEntity, codec
from streams.runtime.web import WebContext, register
from streams.settings import Settings
from streams.store import Store
from tests.factories import duplicate, tagged

HttpClient = TestClient[web.Request, web.Application]


def _aiohttp(app: faust.App) -> web.Application:
    """The aiohttp application behind faust's web server (faust's `Web` type does not declare it)."""
    application: web.Application = cast(Any, app.web).web_app
    return application


MAX_BYTES = 4096
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    store.migrate()
    store.upsert_articles(
        [
            tagged(
                "a1",
                "Banjir rob merendam pesisir Semarang pada Senin pagi.",
                resolved_entities=[
                    ResolvedEntity(
                        key="LOC:semarang",
                        name="Semarang",
                        type="LOC",
                        mentions=[Mention(text="Semarang", start=28, end=36)],
                    )
                ],
            ),
            tagged("evil", "Isi berita biasa.", title="<script>alert(1)</script>"),
        ]
    )
    store.upsert_duplicates([duplicate("a2", of="a1")])
    return store


@pytest.fixture
async def client(tmp_path: Path, store: Store) -> AsyncIterator[tuple[HttpClient, list[Any]]]:
    sent: list[tuple[bytes, bytes]] = []

    async def send(records: Sequence[tuple[bytes, bytes]]) -> None:
        sent.extend(records)

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", max_message_bytes=MAX_BYTES
    )
    app = faust.App(f"test-web-{tmp_path.name}", broker="kafka://127.0.0.1:1", autodiscover=False)
    register(app, WebContext(settings=settings, store=lambda: store, send=send))
    app.web.init_server()
    async with TestClient(TestServer(_aiohttp(app))) as test_client:
        yield test_client, sent


async def test_post_one_article_produces_it_with_its_id(
    client: tuple[HttpClient, list[Any]],
) -> None:
    http, sent = client
    body = {"url": "https://contoh.example/ekonomi/harga-cabai", "text": "Harga cabai naik."}
    response = await http.post(
        "/api/articles", data=orjson.dumps(body, option=orjson.OPT_INDENT_2), headers=JSON
    )
    assert response.status == 202
    accepted = (await response.json())["accepted"]
    assert len(accepted) == 1
    assert len(sent) == 1
    key, value = sent[0]
    produced = codec.decode(RawArticle, value)
    assert key.decode() == accepted[0] == produced.id
    assert produced.source == "contoh.example"
    assert produced.text == "Harga cabai naik."


async def test_post_jsonl_accepts_every_line(client: tuple[HttpClient, list[Any]]) -> None:
    http, sent = client
    lines = b'{"text": "Satu."}\n\n{"html": "<p>Dua.</p>", "id": "dua"}\n'
    response = await http.post("/api/articles", data=lines, headers=JSON)
    assert response.status == 202
    assert (await response.json())["accepted"][1] == "dua"
    assert [k for k, _ in sent][1] == b"dua"


async def test_bad_lines_are_refused_with_reasons_and_nothing_is_produced(
    client: tuple[HttpClient, list[Any]],
) -> None:
    http, sent = client
    lines = (
        b'{"text": "Baik."}\nbukan json\n{"title": "tanpa isi"}\n[1, 2]\n{"text": "x", "extra": 1}'
    )
    response = await http.post("/api/articles", data=lines, headers=JSON)
    assert response.status == 400
    errors = (await response.json())["errors"]
    assert [(e["line"], e["reason"]) for e in errors] == [
        (2, "invalid_json"),
        (3, "no_content"),
        (4, "not_an_object"),
        (5, "schema_violation"),
    ]
    assert sent == []


async def test_too_large_body_is_413(client: tuple[HttpClient, list[Any]]) -> None:
    http, sent = client
    big = orjson.dumps({"text": "kata " * MAX_BYTES})
    response = await http.post("/api/articles", data=big, headers=JSON)
    assert response.status == 413
    assert sent == []


async def test_stored_article_is_returned_and_unknown_is_404(
    client: tuple[HttpClient, list[Any]],
) -> None:
    http, _ = client
    found = await http.get("/api/articles/a1")
    assert found.status == 200
    assert (await found.json())["text"].startswith("Banjir rob")
    missing = await http.get("/api/articles/tidak-ada")
    assert missing.status == 404
    dup = await http.get("/api/articles/a2")
    assert dup.status == 404
    assert (await dup.json())["duplicate_of"] == "a1"


async def test_an_article_lists_every_outlet_of_its_story(
    client: tuple[HttpClient, list[Any]],
) -> None:
    http, _ = client
    story = (await (await http.get("/api/articles/a1")).json())["story"]
    assert story["canonical"] == "a1"
    members = [(m["id"], m["kind"]) for m in story["members"]]
    assert members == [("a1", "canonical"), ("a2", "exact")]
    dup = await (await http.get("/api/articles/a2")).json()
    assert dup["story"]["canonical"] == "a1"
    assert len(dup["story"]["members"]) == 2
    alone = (await (await http.get("/api/articles/evil")).json())["story"]
    assert [m["id"] for m in alone["members"]] == ["evil"]


async def test_search_finds_stored_articles(client: tuple[HttpClient, list[Any]]) -> None:
    http, _ = client
    response = await http.get("/api/search", params={"q": "semarang banjir"})
    hits = (await response.json())["hits"]
    assert [h["id"] for h in hits] == ["a1"]
    assert "«Semarang»" in hits[0]["snippet"]
    entities = (await response.json())["entities"]
    assert entities == [{"key": "LOC:semarang", "name": "Semarang", "type": "LOC", "articles": 1}]
    assert (await http.get("/api/search", params={"q": "kata-yang-tidak-ada"})).status == 200
    assert (await http.get("/api/search")).status == 400


async def test_dashboard_assets_are_served_with_a_strict_policy(
    client: tuple[HttpClient, list[Any]],
) -> None:
    http, _ = client
    page = await http.get("/")
    assert page.status == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    assert 'src="/static/app.js"' in html
    assert "http" not in html.split("<body>")[0]
    script = await http.get("/static/app.js")
    text = await script.text()
    assert script.status == 200
    assert "innerHTML" not in text
    assert "EventSource" in text
    assert (await http.get("/static/../views.py")).status == 404


async def test_summary_snapshot_has_every_panel(client: tuple[HttpClient, list[Any]]) -> None:
    http, _ = client
    snap = await (await http.get("/api/summary")).json()
    for key in ("latest", "letters", "duplicate_rate", "top", "throughput", "metrics"):
        assert key in snap
    assert set(snap["top"]) == {"entities", "places", "topics"}


async def test_unreachable_database_is_503(tmp_path: Path) -> None:
    async def send(records: Sequence[tuple[bytes, bytes]]) -> None:
        raise AssertionError("nothing to produce")

    broken = Store("postgresql://nobody:secret@127.0.0.1:1/none")
    settings = Settings(database_url="sqlite:///unused.sqlite3")
    app = faust.App(
        f"test-web-down-{tmp_path.name}", broker="kafka://127.0.0.1:1", autodiscover=False
    )
    register(app, WebContext(settings=settings, store=lambda: broken, send=send))
    app.web.init_server()
    async with TestClient(TestServer(_aiohttp(app))) as http:
        response = await http.get("/api/articles/a1")
        assert response.status == 503
        assert "secret" not in await response.text()
        assert (await http.get("/api/search", params={"q": "x"})).status == 503


async def test_events_stream_snapshots(client: tuple[HttpClient, list[Any]]) -> None:
    http, _ = client
    response = await http.get("/api/events")
    assert response.headers["Content-Type"].startswith("text/event-stream")
    seen = b""
    while b"\n\n" not in seen.split(b"event: snapshot", 1)[-1]:
        seen += await response.content.readany()
    event = seen.split(b"event: snapshot\ndata: ", 1)[1].split(b"\n\n", 1)[0]
    assert "latest" in orjson.loads(event)
    response.close()


async def test_stored_counts_reach_the_snapshot(tmp_path: Path, store: Store) -> None:
    from streams.runtime.web import count_stored

    async def send(records: Sequence[tuple[bytes, bytes]]) -> None:
        return None

    ctx = WebContext(settings=Settings(), store=lambda: store, send=send)
    await count_stored(ctx)
    stored = ctx.feed.snapshot(now=0.0)["stored"]
    assert stored == {"articles": 2, "duplicates": 1}
    assert all(type(k) is str for k in stored)  # orjson refuses str subclasses as keys
