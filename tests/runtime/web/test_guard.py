"""The web server's edge: foreign Host names, cross-site writes, faust's own pages, the token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import faust
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from streams.runtime.web import WebContext, register
from streams.settings import Settings
from streams.store import Store
from tests.factories import tagged

HttpClient = TestClient[web.Request, web.Application]


def _aiohttp(app: faust.App) -> web.Application:
    """The aiohttp application behind faust's web server (faust's `Web` type does not declare it)."""
    application: web.Application = cast(Any, app.web).web_app
    return application


ARTICLE = orjson.dumps({"text": "Harga cabai naik."})
JSON = {"Content-Type": "application/json"}
Client = tuple[HttpClient, list[Any]]


@pytest.fixture
def make_client(
    tmp_path: Path,
) -> Callable[..., Any]:
    store = Store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    store.migrate()
    store.upsert_articles([tagged("a1", "Banjir rob merendam pesisir Semarang pada Senin pagi.")])

    def make(**overrides: Any) -> Any:
        sent: list[tuple[bytes, bytes]] = []

        async def send(records: Sequence[tuple[bytes, bytes]]) -> None:
            sent.extend(records)

        settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", **overrides)
        name = f"test-guard-{tmp_path.name}-{len(overrides)}"
        app = faust.App(name, broker="kafka://127.0.0.1:1", autodiscover=False)
        register(app, WebContext(settings=settings, store=lambda: store, send=send))
        app.web.init_server()
        return TestClient(TestServer(_aiohttp(app))), sent

    return make


@pytest.fixture
async def client(make_client: Callable[..., Any]) -> AsyncIterator[Client]:
    http, sent = make_client()
    async with http:
        yield http, sent


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain", "Origin": "https://evil.example"},
        {"Content-Type": "application/json", "Origin": "https://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_cross_site_posts_are_refused_and_nothing_is_produced(
    client: Client, headers: dict[str, str]
) -> None:
    http, sent = client
    response = await http.post("/api/articles", data=ARTICLE, headers=headers)
    assert response.status == 403
    assert sent == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
async def test_posts_that_are_not_json_are_refused(
    client: Client, content_type: str | None
) -> None:
    http, sent = client
    headers = {"Content-Type": content_type} if content_type else {}
    response = await http.post("/api/articles", data=ARTICLE, headers=headers)
    assert response.status == 415
    assert sent == []


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
async def test_same_origin_json_posts_are_accepted(client: Client, content_type: str) -> None:
    http, sent = client
    origin = f"http://127.0.0.1:{http.port}"
    headers = {"Content-Type": content_type, "Origin": origin, "Sec-Fetch-Site": "same-origin"}
    response = await http.post("/api/articles", data=ARTICLE, headers=headers)
    assert response.status == 202
    assert len(sent) == 1


@pytest.mark.parametrize(
    "path", ["/", "/api/summary", "/api/search?q=banjir", "/api/articles/a1", "/metrics"]
)
async def test_a_foreign_host_is_refused(client: Client, path: str) -> None:
    http, _ = client
    for host in ("evil.example", "evil.example:6066", "127.0.0.1.evil.example"):
        response = await http.get(path, headers={"Host": host})
        assert response.status == 421, host
    assert (await http.get(path, headers={"Host": f"localhost:{http.port}"})).status == 200


async def test_a_foreign_host_cannot_post(client: Client) -> None:
    http, sent = client
    response = await http.post(
        "/api/articles", data=ARTICLE, headers={**JSON, "Host": "evil.example"}
    )
    assert response.status == 421
    assert sent == []


async def test_names_in_the_setting_are_served(make_client: Callable[..., Any]) -> None:
    http, _ = make_client(web_allowed_hosts="warta.lan, Berita.Example")
    async with http:
        for host in ("warta.lan", "berita.example:6066", "[::1]:6066"):
            assert (await http.get("/api/summary", headers={"Host": host})).status == 200
        assert (await http.get("/api/summary", headers={"Host": "evil.example"})).status == 421


@pytest.mark.parametrize("path", ["/table/", "/table/verdicts/", "/router/", "/router/key/"])
async def test_fausts_own_pages_are_not_served(client: Client, path: str) -> None:
    http, _ = client
    assert (await http.get(path)).status == 404


async def test_an_over_long_url_is_one_line_without_a_traceback(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    http, _ = client
    with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
        response = await http.get("/" + "a" * 20_000)
    assert response.status in (400, 414)
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert records, "aiohttp logged nothing"
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in records)
    assert "malformed" in records[0].getMessage()


async def test_the_token_is_required_for_the_api_when_set(
    make_client: Callable[..., Any],
) -> None:
    http, sent = make_client(web_token="s3cret")
    async with http:
        assert (await http.get("/api/summary")).status == 401
        assert (await http.get("/metrics")).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await http.get("/api/articles/a1", headers=wrong)).status == 401
        bearer = {"Authorization": "Bearer s3cret"}
        assert (await http.get("/api/articles/a1", headers=bearer)).status == 200
        posted = await http.post("/api/articles", data=ARTICLE, headers={**JSON, **bearer})
        assert posted.status == 202
        assert len(sent) == 1
        # The dashboard page itself holds no data; opened with ?token= it lets the page's own
        # calls (EventSource cannot send a header) through by a same-site cookie.
        assert (await http.get("/")).status == 200
        assert (await http.get("/?token=s3cret")).status == 200
        assert (await http.get("/api/summary")).status == 200


@pytest.mark.parametrize(
    ("host", "token", "warned"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("::1", None, False),
        ("0.0.0.0", None, True),
        ("192.0.2.10", None, True),
        ("0.0.0.0", "s3cret-token-of-length", False),
    ],
)
async def test_binding_beyond_loopback_without_a_token_is_warned(
    make_client: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
    host: str,
    token: str | None,
    warned: bool,
) -> None:
    with caplog.at_level(logging.WARNING, logger="streams.runtime.web"):
        http, _ = make_client(web_host=host, web_token=token)
    await http.close()
    said = [
        r.getMessage() for r in caplog.records if "WARTA_WEB_TOKEN is not set" in r.getMessage()
    ]
    assert bool(said) == warned, said
