"""The clients the README names, against the embedded broker: kcat, and librdkafka's consumer
groups with the settings the README gives (confluent-kafka bundles a recent librdkafka)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time

import pytest
from confluent_kafka import Consumer, libversion

from streams.core import topics
from streams.runtime import harness
from streams.runtime.broker import ensure_topics
from streams.runtime.harness import produce, run
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
ARTICLE = b'{"id": "kcat-1", "title": "Banjir rob"}'


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _librdkafka(kcat: str) -> tuple[int, ...]:
    shown = subprocess.run([kcat, "-V"], capture_output=True, text=True, timeout=10).stdout
    found = re.search(r"librdkafka (\d+)\.(\d+)", shown)
    assert found, shown
    return int(found.group(1)), int(found.group(2))


def test_the_readme_kcat_command_does_what_the_readme_says(embedded_broker: str) -> None:
    """It works with librdkafka 2.2 or newer; with older ones it fails as the README warns."""
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.skip("kcat is not installed (make clients installs Debian's)")
    command = re.search(r"`(kcat -b localhost:9092 [^`]+)`", _readme())
    assert command, "the README names no kcat command"
    minimum = re.search(r"kcat built on librdkafka (\d+)\.(\d+) or newer", _readme())
    assert minimum, "the README names no librdkafka version for kcat"
    run(ensure_topics(embedded_broker, [topics.UNIQUE], 1, 1))
    run(produce(embedded_broker, topics.UNIQUE, [(b"kcat-1", ARTICLE)]))
    argv = shlex.split(command.group(1).replace("localhost:9092", embedded_broker))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if _librdkafka(kcat) >= (int(minimum.group(1)), int(minimum.group(2))):
        assert done.returncode == 0, done.stderr
        assert ARTICLE.decode() in done.stdout, done.stderr
    else:  # Debian 12's kcat (librdkafka 2.0.2): the failure the README describes
        assert done.returncode != 0
        assert "ApiVersionRequest failed" in done.stderr
        assert "ApiVersionRequest failed" in _readme()


def test_a_librdkafka_consumer_with_the_readme_settings_joins_quickly() -> None:
    """librdkafka's default session.timeout.ms (45 s) holds a group's join for ~23 s on the
    embedded broker; with the README's setting the first message arrives within seconds."""
    setting = re.search(r'"session\.timeout\.ms": (\d+)', _readme())
    assert setting, "the README names no session.timeout.ms for librdkafka consumers"
    assert tuple(int(n) for n in libversion()[0].split(".")[:2]) >= (2, 2)
    with harness.broker() as kafka:
        run(ensure_topics(kafka.bootstrap, [topics.UNIQUE], 2, 1))
        run(produce(kafka.bootstrap, topics.UNIQUE, [(b"kcat-1", ARTICLE)]))
        consumer = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap,
                "group.id": "readme-librdkafka",
                "auto.offset.reset": "earliest",
                "session.timeout.ms": int(setting.group(1)),
            }
        )
        consumer.subscribe([topics.UNIQUE])
        started = time.monotonic()
        value = None
        try:
            while value is None and time.monotonic() - started < 60:
                message = consumer.poll(0.5)
                if message is not None and message.error() is None:
                    value = message.value()
        finally:
            consumer.close()
        took = time.monotonic() - started
    assert value == ARTICLE
    assert took < 10, f"the first message took {took:.1f} s"
