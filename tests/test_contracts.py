"""Public contracts: JSON Schema files, docker-compose and Dockerfile agree with the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from schemas import RawArticle, codec
from schemas.export import OUT, rendered
from streams.settings import Settings
from tests.factories import tagged

ROOT = Path(__file__).resolve().parents[1]


def test_json_schema_files_are_fresh() -> None:
    for name, text in rendered().items():
        path = OUT / name
        assert path.exists(), f"{name} missing: run `make schemas`"
        assert path.read_bytes() == text, f"{name} is stale: run `make schemas`"


def test_tagged_article_validates_against_exported_schema() -> None:
    schema = codec.loads((OUT / "TaggedArticle.schema.json").read_bytes())
    message = codec.loads(codec.dumps(tagged()))
    jsonschema.validate(message, schema)
    message["published_at"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(message, schema)


def test_raw_article_rejects_unknown_fields_and_naive_fetch_time() -> None:
    with pytest.raises(ValidationError):
        RawArticle.model_validate({"text": "x", "colour": "red"})
    with pytest.raises(ValidationError):
        RawArticle.model_validate({"text": "x", "fetched_at": "2024-01-01T10:00:00"})
    ok = RawArticle.model_validate({"text": "x", "fetched_at": "2024-01-01T10:00:00+07:00"})
    assert ok.fetched_at is not None
    assert ok.fetched_at.utcoffset() is not None


def test_published_at_keeps_its_offset_through_the_codec() -> None:
    data = codec.loads(codec.dumps(tagged()))
    assert data["published_at"] == "2024-03-14T10:25:00+07:00"


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def test_compose_worker_env_is_valid_settings() -> None:
    env = _compose()["services"]["worker"]["environment"]
    assert all(key.startswith("WARTA_") for key in env)
    fields = {f"WARTA_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, f"unknown settings in compose: {set(env) - fields}"
    settings = Settings(**{k.removeprefix("WARTA_").lower(): v for k, v in env.items()})
    assert not settings.embedded
    assert settings.bootstrap_servers == "kafka:9092"
    assert settings.database_url.startswith("postgresql://")


def test_compose_services_match_the_worker_settings() -> None:
    compose = _compose()
    services = compose["services"]
    env = services["worker"]["environment"]
    kafka_env = services["kafka"]["environment"]
    assert "PLAINTEXT://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert "zookeeper" not in services
    # faust's tables need the topics warta creates itself, not auto-created ones
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    pg = services["postgres"]["environment"]
    expected = f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"
    assert env["WARTA_DATABASE_URL"] == expected
    assert set(services["worker"]["depends_on"]) == {"kafka", "postgres"}
    # scalable with --scale worker=N: no fixed container name, a port range
    assert "container_name" not in services["worker"]
    port = services["worker"]["ports"][0]
    assert re.search(r"\d+-\d+:" + env["WARTA_WEB_PORT"] + "$", port)
    max_bytes = Settings().max_message_bytes
    assert int(kafka_env["KAFKA_MESSAGE_MAX_BYTES"]) > max_bytes


def test_compose_keeps_the_worker_state_on_a_named_volume() -> None:
    compose = _compose()
    worker = compose["services"]["worker"]
    settings = Settings(
        **{k.removeprefix("WARTA_").lower(): v for k, v in worker["environment"].items()}
    )
    assert settings.state_store == "rocksdb"
    mounts = dict(volume.split(":", 1) for volume in worker["volumes"])
    assert mounts, "the worker mounts no volume"
    (name, target), *_ = [(n, t) for n, t in mounts.items() if Path(t) == settings.data_dir]
    assert name in compose["volumes"], f"{name} is not a named volume"
    # The image makes the mount point the worker user's, so a fresh volume is writable.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"chown warta {target}" in dockerfile
    assert dockerfile.index(f"chown warta {target}") < dockerfile.index("USER warta")


def test_dockerfile_runs_the_worker_command() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["warta", "worker"]' in text
    assert re.search(r"^FROM python:3\.11", text, re.M)
    assert "COPY streams" in text
    assert "COPY schemas" in text
    assert _compose()["services"]["worker"]["build"] == "."
