"""Security: secrets never reach logs or output, SQL takes hostile text as data, loopback binds."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest

from streams.core import topics
from streams.runtime import harness
from streams.runtime.broker import port_open
from streams.runtime.harness import free_port, produce, run, wait_for, worker, worker_env
from streams.settings import Settings
from streams.store import Store
from streams.store.search import search
from tests.conftest import ROOT
from tests.factories import tagged

DB_SECRET = "Db-S3cret-" + uuid.uuid4().hex[:8]
KAFKA_SECRET = "Kafka-S3cret-" + uuid.uuid4().hex[:8]
HOSTILE_QUERIES = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "banjir' UNION SELECT id, text FROM duplicates --",
    'NEAR("a" "b") * AND OR NOT',
    "%_%' ESCAPE '\\",
    "\x00",
]


def _warta(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_bind_to_loopback_and_hide_the_kafka_password() -> None:
    settings = Settings(_env_file=None, kafka_sasl_password=KAFKA_SECRET)
    assert settings.web_host == "127.0.0.1"
    assert settings.embedded_host == "127.0.0.1"
    assert KAFKA_SECRET not in repr(settings)
    assert KAFKA_SECRET not in str(settings.model_dump())


def test_a_bad_setting_is_named_never_echoed(tmp_path: Path) -> None:
    env = worker_env("127.0.0.1:1", f"mysql://warta:{DB_SECRET}@db/warta", tmp_path)
    done = _warta("worker", env=env)
    assert done.returncode == 2
    assert "WARTA_DATABASE_URL" in done.stderr or "database_url" in done.stderr
    assert DB_SECRET not in done.stdout + done.stderr


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    with harness.broker() as broker:
        url = f"postgresql://warta:{DB_SECRET}@127.0.0.1:{free_port()}/warta"
        done = _warta("worker", env=worker_env(broker.bootstrap, url, tmp_path))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "cannot prepare the database" in done.stderr
    assert DB_SECRET not in done.stdout + done.stderr


@pytest.mark.e2e
@pytest.mark.postgres
def test_worker_never_logs_its_secrets(postgres_url: str, pg_schema: str, tmp_path: Path) -> None:
    user_host = postgres_url.split("://", 1)[1]
    user, host_db = user_host.rsplit("@", 1)
    url = f"postgresql://{user}:{DB_SECRET}@{host_db}?options=-csearch_path%3D{pg_schema}"
    article = {"id": "rahasia-1", "text": "Sukamaju: Warga membangun jembatan baru. " * 8}
    messages: list[tuple[bytes | None, bytes]] = [
        (b"rahasia-1", orjson.dumps(article)),
        (b"rusak", b"{not json"),
    ]
    log = tmp_path / "worker.log"
    with harness.broker() as broker:
        env = worker_env(
            broker.bootstrap,
            url,
            tmp_path,
            WARTA_LOG_LEVEL="info",
            WARTA_KAFKA_SASL_USERNAME="warta",
            WARTA_KAFKA_SASL_PASSWORD=KAFKA_SECRET,
        )
        with worker(env, log) as proc:
            run(produce(broker.bootstrap, topics.RAW, messages))
            store = Store(postgres_url + f"?options=-csearch_path%3D{pg_schema}")
            stored = wait_for(lambda: store.article("rahasia-1") is not None, 120, alive=[proc])
            assert stored, proc.tail(2000)
            store.close()
            _assert_loopback_only(int(env["WARTA_WEB_PORT"]))
            listed = _warta("dlq", "list", env=env)
    text = log.read_text(errors="replace") + listed.stdout + listed.stderr
    assert "rusak" in listed.stdout, listed.stdout + listed.stderr
    assert DB_SECRET not in text
    assert KAFKA_SECRET not in text


def _assert_loopback_only(port: int) -> None:
    assert wait_for(lambda: port_open("127.0.0.1", port, 1), 30), "the web server is not up"
    outside = _outside_address()
    if outside is not None:
        assert not port_open(outside, port, 1), f"the web server answers on {outside}"


def _outside_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_sql_looking_queries_are_data(tmp_path: Path, query: str) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    store.migrate()
    store.upsert_articles([tagged("a1", f"Banjir di Sukamaju. {query}")])
    search(store.engine, query)
    search(store.engine, "banjir " + query)
    assert store.counts() == {"articles": 1, "duplicates": 0}
    stored = store.article("a1")
    assert stored is not None
    assert query in stored["text"]
    store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("query", HOSTILE_QUERIES[:4])
def test_sql_looking_queries_are_data_on_postgres(
    postgres_url: str, pg_schema: str, query: str
) -> None:
    store = Store(postgres_url + f"?options=-csearch_path%3D{pg_schema}")
    store.migrate()
    store.upsert_articles([tagged("a1", f"Banjir di Sukamaju. {query}")])
    search(store.engine, query)
    assert store.counts() == {"articles": 1, "duplicates": 0}
    store.close()
