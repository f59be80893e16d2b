"""Replay over a stored set: zero changes when nothing changed, the right counts after a change."""

from __future__ import annotations

from pathlib import Path

import pytest

import streams.stages.tag
from schemas import CleanArticle, RawArticle, Rejection, TaggedArticle
from streams.core.fingerprint import fingerprint
from streams.ops.replay import describe, diff_fields, raw_items, replay, stored_items, stored_rows
from streams.stages.pipeline import enrich_stage, tag_stage
from streams.stages.tag.rules import parse_rules
from streams.store import Store

BODIES = {
    "banjir-demak": (
        "Banjir Rendam Puluhan Desa di Demak",
        "Banjir merendam puluhan desa di Kabupaten Demak, Jawa Tengah, sejak Selasa malam. "
        "Badan Penanggulangan Bencana Daerah Demak mengerahkan perahu karet untuk mengevakuasi "
        'warga.\n\n"Air terus naik karena tanggul jebol," kata Kepala BPBD Demak Sari Wulandari.',
    ),
    "banjir-medan": (
        "Warga Medan Mengungsi Akibat Banjir",
        "Ratusan warga Kota Medan mengungsi setelah banjir setinggi satu meter menggenangi "
        "permukiman di tepi Sungai Deli pada Rabu dini hari. Pemerintah kota membuka dapur umum.",
    ),
    "harbour-budget": (
        "Council Approves Harbour Budget",
        "The city council of Port Ellery approved a budget of 40 million dollars for the harbour "
        "on Thursday. Mayor Jonas Whitfield said the works would start in the spring.",
    ),
}


def _tagged(article_id: str, title: str, text: str) -> TaggedArticle:
    clean = CleanArticle(
        id=article_id,
        url=f"https://kabar.example/{article_id}",
        source="kabar.example",
        title=title,
        text=text,
        fingerprint=fingerprint(text),
        versions={"clean": "test"},
    )
    enriched = enrich_stage(clean)
    assert not isinstance(enriched, Rejection), enriched
    tagged = tag_stage(enriched)
    assert not isinstance(tagged, Rejection), tagged
    return tagged.model_copy(update={"cluster_id": article_id})


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("replay") / "replay.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.migrate()
    store.upsert_articles([_tagged(i, t, b) for i, (t, b) in BODIES.items()])
    return store


def test_replay_reports_zero_changes_when_nothing_changed(stored: Store) -> None:
    report, changed = replay(stored_items(stored_rows(stored.engine)))
    summary = report.as_dict()
    assert summary["total"] == 3
    assert summary["unchanged"] == 3
    assert summary["changed"] == 0
    assert summary["fields"] == {}
    assert changed == []


def test_a_new_rule_changes_tags_of_the_matching_articles_only(stored: Store) -> None:
    rules = parse_rules(
        {"rules": [{"name": "banjir", "when": {"keywords": ["banjir"]}, "tags": ["bencana"]}]}
    )
    report, changed = replay(stored_items(stored_rows(stored.engine), rules))
    fields = report.as_dict()["fields"]
    assert fields["tags"]["count"] == 2
    assert {e["id"] for e in fields["tags"]["examples"]} == {"banjir-demak", "banjir-medan"}
    assert fields["tags"]["examples"][0]["added"] == ["bencana"]
    assert fields["versions.rules"]["count"] == 3
    assert len(changed) == 3
    assert all(a.cluster_id == a.id for a in changed)


def test_a_new_component_version_shows_only_in_its_version(
    stored: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams.stages.tag, "VERSION", "99.0.0")
    report, _ = replay(stored_items(stored_rows(stored.engine, limit=2)))
    summary = report.as_dict()
    assert summary["total"] == 2
    assert summary["changed"] == 2
    assert list(summary["fields"]) == ["versions.topics"]
    assert summary["fields"]["versions.topics"]["examples"][0]["new"].startswith("99.0.0+")


def test_write_back_stores_the_new_versions(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    store.migrate()
    title, body = BODIES["banjir-medan"]
    old = _tagged("banjir-medan", title, body)
    store.upsert_articles([old.model_copy(update={"tags": ["lama"]})])
    report, changed = replay(stored_items(stored_rows(store.engine)))
    assert report.fields["tags"].count == 1
    store.upsert_articles(changed)
    again, _ = replay(stored_items(stored_rows(store.engine)))
    assert again.changed == 0
    assert (store.article("banjir-medan") or {})["tags"] == []


def test_raw_replay_compares_with_the_stored_article_of_the_same_id(stored: Store) -> None:
    raws = [
        RawArticle(id="harbour-budget", text="Council Approves Harbour Budget\n\nShort body now."),
        RawArticle(id="baru", text="Berita baru yang belum pernah disimpan di basis data ini."),
    ]
    report, _ = replay(raw_items(raws, stored.article))
    summary = report.as_dict()
    assert summary["total"] == 2
    assert summary["not_stored"] == 1
    assert "text" in summary["fields"]


def test_diff_and_examples() -> None:
    old = {"id": "x", "tags": ["a"], "versions": {"tag": "1", "enrich": "1"}, "cluster_id": "c1"}
    new = {
        "id": "x",
        "tags": ["a", "b"],
        "versions": {"tag": "2", "enrich": "1"},
        "cluster_id": "c2",
    }
    changes = diff_fields(old, new)
    assert set(changes) == {"tags", "versions.tag"}
    assert describe(["a"], ["a", "b"]) == {"added": ["b"], "removed": [], "reordered": False}
    assert describe("lama", "baru") == {"old": "lama", "new": "baru"}
