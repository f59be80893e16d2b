"""Clean stage, body confidence: high for a whole article, lower for a body that misses most of
the page's prose, disagrees with a second reading of it, or lost much of itself as chrome."""

from __future__ import annotations

import json
from pathlib import Path

from schemas import CleanArticle, RawArticle
from streams.stages.clean import clean
from streams.stages.clean.confidence import BodySignals, agreement, body_confidence

OUTLETS = Path(__file__).resolve().parents[2] / "fixtures" / "clean" / "outlets"
PARAGRAPHS = [
    f"Paragraf {i} tentang banjir rob di pesisir utara yang merendam rumah warga sejak malam"
    f" hari, menurut keterangan petugas di lapangan nomor {i}."
    for i in range(12)
]
ARTICLE = "\n\n".join(PARAGRAPHS)


def signals(**changes: object) -> BodySignals:
    base: dict[str, object] = {
        "body": ARTICLE,
        "page_prose": len(ARTICLE),
        "reference": ARTICLE,
        "extracted": len(ARTICLE) + 40,
    }
    return BodySignals(**{**base, **changes})  # type: ignore[arg-type]


def test_a_whole_article_is_trusted() -> None:
    assert body_confidence(signals()) >= 0.9


def test_a_body_missing_most_of_the_page_is_not() -> None:
    part = "\n\n".join(PARAGRAPHS[:3])
    assert body_confidence(signals(body=part, extracted=len(part))) < 0.5


def test_a_body_that_is_another_text_is_not() -> None:
    other = " ".join(
        f"Menu {i}: beranda, nasional, ekonomi, olahraga, hiburan {i}." for i in range(40)
    )
    assert agreement(ARTICLE, other) == 0.0
    assert body_confidence(signals(reference=other)) < 0.3


def test_a_body_mostly_cut_as_chrome_is_doubted() -> None:
    assert body_confidence(signals(extracted=3 * len(ARTICLE))) < body_confidence(signals())


def test_every_outlet_page_gets_a_confidence_in_range() -> None:
    expected = json.loads((OUTLETS / "expected.json").read_text("utf-8"))
    for name, want in expected.items():
        out = clean(RawArticle(id=name, url=want["url"], html=(OUTLETS / name).read_text()))
        assert isinstance(out, CleanArticle)
        assert out.body_confidence is not None, name
        assert 0.5 <= out.body_confidence <= 1.0, name


def test_a_text_article_gets_a_confidence_too() -> None:
    out = clean(RawArticle(id="t", text=ARTICLE))
    assert isinstance(out, CleanArticle)
    assert out.body_confidence is not None
    assert out.body_confidence > 0.8
