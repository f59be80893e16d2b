"""The `warta` command line: process offline, readable errors for user mistakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from streams.cli import main
from streams.settings import get_settings
from tests.conftest import SAMPLES


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("WARTA_BROKER", "WARTA_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()


def _lines(text: bytes | str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in str(text).splitlines() if line.strip()]


def test_process_gives_one_line_per_input_line_in_order(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    good = SAMPLES.read_bytes().splitlines()
    source.write_bytes(b"\n".join([good[0], b"{oops", b'{"id": "kosong", "title": "x"}', good[2]]))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = _lines(out.read_text())
    assert len(lines) == 4
    assert lines[0]["id"] == "sample-lampung-bendungan"
    assert lines[0]["topics"]
    assert lines[1] == {"id": None, "rejected": lines[1]["rejected"]}
    assert lines[1]["rejected"]["reason"] == "invalid_json"
    assert lines[2]["id"] == "kosong"
    assert lines[2]["rejected"]["reason"] == "no_content"
    assert lines[3]["id"] == "sample-port-ellery-barrier"
    assert lines[3]["language"]["code"] == "en"
    assert "duplicate" not in lines[0]


def test_process_dedupe_judges_against_earlier_lines(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(SAMPLES), "-o", str(out), "--dedupe"])
    assert result.exit_code == 0, result.output
    lines = {line["id"]: line for line in _lines(out.read_text())}
    assert lines["sample-lampung-bendungan"]["duplicate"] is None
    reprint = lines["sample-lampung-bendungan-reprint"]["duplicate"]
    assert reprint["duplicate_of"] == "sample-lampung-bendungan"
    assert reprint["kind"] in {"exact", "near"}
    assert reprint["similarity"] >= 0.9
    assert lines["sample-port-ellery-barrier"]["duplicate"] is None


def test_process_applies_the_worker_guards_and_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - name: sungai\n    when:\n      keywords: [Sungai Emas]\n"
        "    tags: [sungai]\n"
    )
    monkeypatch.setenv("WARTA_RULES_PATH", str(rules))
    monkeypatch.setenv("WARTA_HTML_MAX_DEPTH", "16")
    get_settings.cache_clear()
    body = (
        "Air Sungai Emas Meluap\n\n<script>alert('x')</script>Warga <b>Desa Sukamaju</b> "
        "mengungsi setelah air Sungai Emas meluap pada Minggu malam, kata kepala desa.\n\n"
        "<iframe src='https://iklan.example'></iframe>Bantuan mulai datang pada Senin pagi."
    )
    deep = "<html><body>" + "<div>" * 40 + "<p>Isi.</p>" + "</div>" * 40 + "</body></html>"
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        orjson.dumps({"id": "markup", "text": body})
        + b"\n"
        + orjson.dumps({"id": "deep", "html": deep})
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    markup, nested = _lines(out.read_text())
    assert "<" not in markup["text"]
    assert "alert" not in markup["text"]
    assert "Desa Sukamaju" in markup["text"]
    assert "Bantuan mulai datang" in markup["text"]
    assert "sungai" in markup["tags"]
    assert nested["rejected"]["reason"] == "pathological_html"


def test_produce_names_a_missing_path_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_BROKER", "kafka://127.0.0.1:1")
    result = CliRunner().invoke(main, ["produce", "/nonexistent/articles.jsonl"])
    assert result.exit_code == 2
    assert "no Kafka broker answers" in result.output or "no such file" in result.output
    assert "hint:" in result.output
    assert "Traceback" not in result.output


def test_bad_setting_is_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_DATABASE_URL", "mysql://nope")
    result = CliRunner().invoke(main, ["process", str(SAMPLES)])
    assert result.exit_code == 2
    assert "WARTA_DATABASE_URL" in result.output
    assert "Traceback" not in result.output


def test_tail_refuses_an_unknown_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_BROKER", "kafka://127.0.0.1:1")
    result = CliRunner().invoke(main, ["tail", "articles.nope"])
    assert result.exit_code == 2
    assert "hint:" in result.output


def test_workers_started_together_both_migrate(tmp_path: Path) -> None:
    import subprocess
    import sys

    from streams.store import Store

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    code = (
        "from streams.cli.serve import _migrate; from streams.settings import Settings; "
        f"_migrate(Settings(database_url={url!r}))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    store = Store(url)
    assert store.counts() == {"articles": 0, "duplicates": 0}
    store.close()
