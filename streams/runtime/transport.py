"""Tunes faust's aiokafka consumer: the fetch long-poll wait, which faust hard-codes to 1.5 s, and
the records per poll."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as driver

from streams.settings import Settings


def fetch_wait_ms(settings: Settings) -> int:
    """The fetch wait: the setting, else 100 ms on the embedded broker and 500 ms on Kafka.

    The embedded broker answers a fetch over many partitions only when the wait runs out, so
    with faust's 1.5 s every hop of the pipeline cost up to 1.5 s (about 5 s end to end);
    Kafka answers as soon as data arrives, where the wait only bounds idle polling.
    """
    if settings.fetch_max_wait_ms is not None:
        return settings.fetch_max_wait_ms
    return 100 if settings.embedded else 500


# Records one poll hands to faust, over all partitions. faust delivers a poll's records one by
# one into the agents' buffers before it polls again, and waits when a buffer is full: a poll of
# many raw pages could hold every later stage's messages back until the stages agent had made room
# for them all. A fifth of the raw buffer (runtime/topics.RAW_BUFFER) can never fill it.
POLL_RECORDS = 6


def configure(settings: Settings) -> None:
    """Make faust's consumers use our fetch wait (faust exposes no setting for it) and poll size."""
    wait = fetch_wait_ms(settings)

    class Consumer(aiokafka.AIOKafkaConsumer):  # type: ignore[misc]
        def __init__(self, *topics: str, **options: Any) -> None:
            options["fetch_max_wait_ms"] = wait
            options["max_poll_records"] = POLL_RECORDS
            super().__init__(*topics, **options)

    # The driver reaches the consumer class as `aiokafka.AIOKafkaConsumer`: give it a module
    # view whose consumer is ours and whose every other name is aiokafka's own.
    view = SimpleNamespace(**{name: getattr(aiokafka, name) for name in dir(aiokafka)})
    view.AIOKafkaConsumer = Consumer
    driver.aiokafka = view  # type: ignore[attr-defined]
