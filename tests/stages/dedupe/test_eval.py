"""Dedupe quality on generated copies of the public Indonesian news (skipped without the data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.evaluate import dedupe as evaluation
from streams.stages.dedupe import Config


@pytest.mark.data
def test_targets_hold_on_the_test_split(data_dir: Path) -> None:
    rows = evaluation.load(data_dir / "indonesian-news" / "detik_dev.jsonl")
    bases, repeats, _ = evaluation.base_pool(rows)
    mine, donors = evaluation.splits(bases, 7)["test"]
    ids = {r["id"] for r in mine}
    items = evaluation.build_stream(mine, [r for r in repeats if r["of"] in ids], donors, 8)
    kinds = {item.kind for item in items}
    assert {"exact", "chrome", "trimmed", "edited", "original", "rewrite", "followup"} <= kinds
    counts = evaluation.score(items, evaluation.run(items, Config(), "test"))
    assert counts["all"].precision >= 0.98
    assert counts["all"].recall >= 0.95
    assert counts["rewrite"].fp == 0
    assert counts["original"].fp == 0


def test_command_skips_cleanly_without_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(evaluation.command, [str(tmp_path / "absent")])
    assert result.exit_code == 0
    assert "skipped" in result.output


def test_score_counts_a_duplicate_only_when_it_names_its_own_story() -> None:
    from datetime import UTC, datetime

    from streams.stages.dedupe import Verdict

    when = datetime(2025, 1, 1, tzinfo=UTC)
    items = [
        evaluation.Item("a", "", when, "A", "original", 0.1),
        evaluation.Item("b", "", when, "B", "original", 0.2),
        evaluation.Item("a2", "", when, "A", "trimmed", 0.3),
        evaluation.Item("b2", "", when, "B", "edited", 0.4),
        evaluation.Item("r", "", when, "R", "rewrite", 0.5),
    ]
    verdicts = [
        Verdict("unique", None, 0.0, "a"),
        Verdict("unique", None, 0.0, "b"),
        Verdict("near", "a", 0.8, "a"),
        Verdict("near", "a", 0.6, "a"),  # wrong story: a false positive and a miss
        Verdict("near", "b", 0.5, "b"),  # a rewrite is not a copy
    ]
    counts = evaluation.score(items, verdicts)
    assert (counts["all"].tp, counts["all"].fp, counts["all"].fn) == (1, 2, 1)
    assert counts["trimmed"].recall == 1.0
    assert counts["edited"].recall == 0.0
    assert counts["rewrite"].fp == 1
    assert counts["all"].precision == 1 / 3
