"""Every setting of warta in one place, read from `WARTA_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Strict settings: unknown `WARTA_*` keys in a .env file and bad values are errors."""

    model_config = SettingsConfigDict(
        env_prefix="WARTA_",
        env_file=".env",
        extra="forbid",
        validate_default=True,
        # A bad value is named, never echoed: it may hold a password (WARTA_DATABASE_URL).
        hide_input_in_errors=True,
    )

    broker: str | None = Field(
        default=None, description="kafka://host:port[,host:port]; unset means the embedded broker."
    )
    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'warta.sqlite3'}",
        description="sqlite:///path or postgresql://user:pass@host:port/db.",
    )
    web_port: int = Field(default=6066, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    # Names the web server answers to besides its bound address and loopback (comma-separated):
    # any other Host header is refused, so a DNS-rebinding page cannot reach the API.
    web_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # When set, the API and /metrics require `Authorization: Bearer <token>`; set it whenever
    # WARTA_WEB_HOST is beyond loopback.
    web_token: SecretStr | None = None
    app_id: str = "warta"
    partitions: int = Field(default=4, ge=1, le=1024)
    replication_factor: int = Field(default=1, ge=1)
    data_dir: Path = DEFAULT_DATA_DIR

    embedded_host: str = "127.0.0.1"
    embedded_port: int = Field(default=9092, ge=1, le=65535)

    # Consumer-group timing, much shorter than faust's 60 s defaults: a worker that joins or
    # dies moves the partitions within seconds, not a minute (a laptop's workers come and go).
    rebalance_timeout: float = 6.0
    session_timeout: float = 10.0
    heartbeat_interval: float = 1.0

    # Longest a consumer's fetch waits for data; unset: 100 ms embedded, 500 ms on Kafka.
    fetch_max_wait_ms: int | None = Field(default=None, ge=1, le=30000)
    max_message_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # Days the whole original of a too-large dead letter is kept (data_dir/claims) for redrive.
    dlq_claim_days: float = Field(default=30.0, gt=0)
    # Pathological HTML is refused before parsing (streams/core/limits.py), extraction is timed.
    html_max_depth: int = Field(default=256, ge=8)
    html_max_tags: int = Field(default=50_000, ge=100)
    html_max_tag_bytes: int = Field(default=256 * 1024, ge=1024)
    stage_timeout_seconds: float = Field(default=30.0, gt=0)
    dedupe_window_days: float = Field(default=30.0, gt=0)
    # Where the stream's tables live: "rocksdb" on disk under data_dir/state (the window's
    # state no longer grows a worker's memory), "memory" rebuilt from the changelogs at start.
    state_store: Literal["rocksdb", "memory"] = "rocksdb"
    # Warm copies of each table partition kept on other workers, for fast fail-over.
    table_standby_replicas: int = Field(default=0, ge=0)
    rules_path: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    store_backoff_seconds: float = Field(default=0.5, gt=0)
    # The store writes up to this many articles per transaction, waiting at most this long.
    store_batch_size: int = Field(default=100, ge=1, le=10_000)
    store_batch_seconds: float = Field(default=0.2, gt=0, le=10)

    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        if not value.startswith("kafka://"):
            raise ValueError("WARTA_BROKER must look like kafka://host:port[,host:port]")
        return value

    @field_validator("web_allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("web_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                "WARTA_DATABASE_URL must be sqlite:///path or postgresql://user:pass@host:port/db"
            )
        return value

    @property
    def embedded(self) -> bool:
        """True when no broker is configured and warta starts its own."""
        return self.broker is None

    @property
    def broker_url(self) -> str:
        """The broker faust connects to: the configured one or the embedded one."""
        return self.broker or f"kafka://{self.embedded_host}:{self.embedded_port}"

    @property
    def bootstrap_servers(self) -> str:
        """`host:port,host:port` for plain aiokafka clients."""
        return ",".join(
            part.removeprefix("kafka://") for part in self.broker_url.split(",") if part
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
