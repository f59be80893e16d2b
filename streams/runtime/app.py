"""The faust app, defined once from the settings; topics and tables are declared beside it."""

from __future__ import annotations

from typing import Any

import faust
from faust.assignor import PartitionAssignor

from streams.runtime import codec, commits, state, state_dir, transport
from streams.settings import Settings, get_settings

codec.register()
state.register()


def kafka_client_options(settings: Settings) -> dict[str, Any]:
    """SASL/SSL options for faust, from the `WARTA_KAFKA_*` settings."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    if settings.kafka_security_protocol.startswith("SASL"):
        password = settings.kafka_sasl_password
        credentials = faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password else None,
            mechanism=settings.kafka_sasl_mechanism or "PLAIN",
            ssl_context=None,
        )
        return {"broker_credentials": credentials}
    return {"broker_credentials": faust.SSLCredentials()}


class Assignor(PartitionAssignor):
    """faust's partition assignor, with no more standby replicas than there are other workers.

    Left alone (the other worker killed), a worker was given standbys of its own active
    partitions; its recovery then took the path that resumes the flow before seeking, and messages
    arriving meanwhile were skipped (2 of 7 runs of the standby test). A replica on the same
    worker keeps nothing warm anyway.
    """

    def _perform_assignment(self, cluster: Any, member_metadata: Any) -> Any:
        others = max(len(member_metadata) - 1, 0)
        self.replicas = min(self.app.conf.table_standby_replicas, others)
        return super()._perform_assignment(cluster, member_metadata)


def create_app(settings: Settings) -> faust.App:
    """A faust app configured for warta; the embedded broker needs short group timeouts."""
    return faust.App(
        settings.app_id,
        broker=settings.broker_url,
        # On disk (streams/runtime/state.py): the dedupe window's state does not live in memory.
        store=f"{state.SCHEME}://" if settings.state_store == "rocksdb" else "memory://",
        # RocksDB locks its directory: each worker claims its own, data_dir/state/worker-<n>.
        datadir=state_dir.claim_state_dir(settings.data_dir / "state"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        consumer_auto_offset_reset="earliest",
        table_standby_replicas=settings.table_standby_replicas,
        PartitionAssignor=Assignor,
        # The check guards a RocksDB file against a changelog that was deleted under it. On the
        # embedded broker a worker that kept a partition through a rebalance saw its last applied
        # changelog offset one above the high watermark it then read, and the check crashed the
        # worker. Off, a local offset past the end (a memory-only broker restarted under a kept
        # state directory) reads no tail; the rows are keyed and every update idempotent.
        recovery_consistency_check=False,
        web_enabled=True,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        producer_max_request_size=settings.max_message_bytes + 64 * 1024,
        # An article makes ~30 messages across a dozen topics: a few ms of linger sends them in
        # a handful of requests instead of one each (the socket writes were a tenth of a
        # worker's CPU), at the price of those ms per hop.
        producer_linger_ms=5,
        consumer_max_fetch_size=max(4 * 1024 * 1024, settings.max_message_bytes + 64 * 1024),
        value_serializer=codec.NAME,
        key_serializer="raw",
        autodiscover=False,
        **kafka_client_options(settings),
    )


settings = get_settings()
transport.configure(settings)
commits.install(settings)
app = create_app(settings)
