"""The linear topic model: training parity with scikit-learn and a lossless JSON round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.stages.tag.features import document, strip_chrome, tokens
from streams.stages.tag.model import LinearTopicModel
from streams.stages.tag.train import Example, fit, folds

ECON = "Harga saham naik, inflasi turun, rupiah menguat dan investor membeli obligasi negara."
CRIME = "Polisi menangkap tersangka pencurian; jaksa menuntut hukuman penjara bagi pelaku."


def _examples() -> list[Example]:
    out = []
    for i in range(6):
        out.append(Example(f"Ekonomi {i}", f"{ECON} Laporan {i}.", "medtop:04000000", f"e{i}"))
        out.append(Example(f"Kriminal {i}", f"{CRIME} Berkas {i}.", "medtop:02000000", f"c{i}"))
    return out


def test_chrome_lines_are_removed_but_content_stays() -> None:
    text = "Paragraf satu.\nSCROLL TO CONTINUE WITH CONTENT\nADVERTISEMENT\nSimak juga Video: x\nAkhir."
    assert strip_chrome(text) == "Paragraf satu.\nAkhir."
    assert "scroll" not in tokens(document("Judul", text))


def test_fit_predicts_its_classes_and_survives_a_save_load_round_trip(tmp_path: Path) -> None:
    model = fit(_examples(), {"version": "test-1"})
    probs = model.predict(document("Bursa", "Saham dan obligasi naik, investor senang."))
    assert max(probs, key=probs.__getitem__) == "medtop:04000000"
    assert sum(probs.values()) == pytest.approx(1.0)
    path = tmp_path / "m.json.gz"
    model.save(path)
    again = LinearTopicModel.load(path)
    assert again.version == "test-1"
    doc = document("Polisi", CRIME)
    for code, p in model.predict(doc).items():
        assert again.predict(doc)[code] == pytest.approx(p, abs=1e-5)


def test_unknown_words_give_the_prior_not_an_error() -> None:
    probs = fit(_examples()).predict("zzzz qqqq")
    assert set(probs) == {"medtop:04000000", "medtop:02000000"}


def test_copies_of_one_url_stay_in_one_fold() -> None:
    ex = [*_examples(), Example("dup", ECON, "medtop:04000000", "e0")]
    parts = folds(ex, 3)
    assert sorted(i for f in parts for i in f) == list(range(len(ex)))
    fold_of = {ex[i].group: n for n, f in enumerate(parts) for i in f}
    assert all(
        ex[i].group in fold_of and fold_of[ex[i].group] == n for n, f in enumerate(parts) for i in f
    )
