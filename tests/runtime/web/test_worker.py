"""A real worker on the embedded broker: POST /api/articles flows through, /metrics counters move."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.runtime.harness import wait_for, worker, worker_env

pytestmark = pytest.mark.e2e


def _http(url: str, body: bytes | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/x-ndjson"} if body else {}
    method = "POST" if body else "GET"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _ok_count(text: str, stage: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "warta_messages_total" and s.labels == {"stage": stage, "outcome": "ok"}
    )


def test_ingested_articles_are_stored_and_counted(embedded_broker: str, tmp_path: Path) -> None:
    env = worker_env(embedded_broker, f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path)
    base = f"http://127.0.0.1:{env['WARTA_WEB_PORT']}"
    bodies = [
        "Dinas Perhubungan Kota Kendari menambah dua bus sekolah gratis mulai pekan depan. "
        "Kepala dinas Ahmad Rusdi mengatakan rute baru melayani kawasan pinggiran kota.",
        "Petani garam di Kabupaten Jeneponto memanen lebih awal karena kemarau panjang. Harga "
        "garam krosok di tingkat petani turun menjadi seribu rupiah per kilogram.",
        "The Kendari city library reopened on Saturday after a year of repairs, with a new "
        "children's wing and evening hours for students preparing for exams.",
    ]
    articles: list[dict[str, Any]] = [
        {"id": f"web-worker-{n}", "url": f"https://kabarkota.example/kota/{n}", "text": body}
        for n, body in enumerate(bodies)
    ]
    with worker(env, tmp_path / "worker.log"):
        assert wait_for(lambda: _http(f"{base}/metrics")[0] == 200, timeout=120), (
            tmp_path / "worker.log"
        ).read_text("utf-8", "replace")[-2000:]
        status, body = _http(f"{base}/api/articles", b"\n".join(orjson.dumps(a) for a in articles))
        assert status == 202, body
        assert orjson.loads(body)["accepted"] == [a["id"] for a in articles]
        bad, reasons = _http(f"{base}/api/articles", b'{"title": "tanpa isi"}')
        assert bad == 400
        assert orjson.loads(reasons)["errors"][0]["reason"] == "no_content"

        def stored() -> bool:
            return all(_http(f"{base}/api/articles/{a['id']}")[0] == 200 for a in articles)

        assert wait_for(stored, timeout=120), "the posted articles were not stored"
        text = _http(f"{base}/metrics")[1].decode()
        for stage in ("clean", "enrich", "tag"):
            assert _ok_count(text, stage) >= 3
        hits = orjson.loads(_http(f"{base}/api/search?q=Kendari")[1])["hits"]
        assert {h["id"] for h in hits} == {"web-worker-0", "web-worker-2"}
