"""Shared fixtures: isolated settings, the public data folder, the embedded broker, PostgreSQL."""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from streams.runtime import harness

# The in-process faust app of the agents' tests keeps its RocksDB tables in a fresh directory per
# run: never the repository's data/, never locked by a concurrent run (read when it is imported).
os.environ.setdefault("WARTA_DATA_DIR", tempfile.mkdtemp(prefix="warta-tests-"))

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "streams" / "samples" / "articles.jsonl"
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT.parent / "shared" / "seeds" / "000_16bce558a8b212d1.txt"


def shared_data() -> Path:
    """../shared/data beside the repository, or WARTA_SHARED_DATA."""
    return Path(os.environ.get("WARTA_SHARED_DATA") or ROOT.parent / "shared" / "data").resolve()


@pytest.fixture
def data_dir() -> Path:
    """The public evaluation data; the test is skipped when it is absent."""
    path = shared_data()
    if not path.is_dir():
        pytest.skip(f"public data not found at {path}")
    return path


@pytest.fixture
def seed_text() -> str:
    """The user's example article, read from ../shared (never copied into the repo)."""
    if not SEED.is_file():
        pytest.skip(f"seed not found at {SEED}")
    return SEED.read_text("utf-8")


@pytest.fixture(scope="session")
def embedded_broker() -> Iterator[str]:
    """A real Tansu broker on a free loopback port for this test session; yields host:port."""
    with harness.broker() as broker:
        yield broker.bootstrap


@pytest.fixture
def postgres_url() -> str:
    """The local PostgreSQL `test` database; skipped only when no server answers outside CI."""
    url = os.environ.get("WARTA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with socket.socket() as s:
        s.settimeout(1)
        if s.connect_ex(("127.0.0.1", 5432)) != 0:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 in CI")
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    return url


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database, dropped with its tables afterwards."""
    name = f"warta_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with admin.begin() as c:
        c.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()
