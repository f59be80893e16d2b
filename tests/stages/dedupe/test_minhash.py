"""MinHash signatures, LSH band keys and the chrome-insensitive fingerprint."""

from __future__ import annotations

import re

import pytest

from streams.core.fingerprint import fingerprint, is_chrome, tokens
from streams.stages.dedupe import (
    BANDS,
    NUM_PERM,
    SHINGLE,
    Signature,
    band_keys,
    candidate_probability,
    containment,
    signature,
    similarity,
)
from tests.fixtures.dedupe import edited, story, trimmed, with_chrome

STORIES = ("banjir", "banjir_rewrite", "pasar_murah", "kejaksaan", "ferry")


def exact_jaccard(a: str, b: str, k: int = SHINGLE) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        w = tokens(text)
        return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_signature_is_deterministic_and_serialisable() -> None:
    text = story("banjir")
    sig = signature(text)
    assert sig == signature(text)
    assert sig.num_perm == NUM_PERM
    assert len(sig.values) == 2 * NUM_PERM
    assert Signature.from_str(sig.to_str()) == sig
    assert Signature.from_bytes(sig.to_bytes()) == sig
    assert sig.size == len(set(zip(*(tokens(text)[i:] for i in range(SHINGLE)), strict=False)))


def test_similarity_estimates_jaccard() -> None:
    base = story("banjir")
    for other in (with_chrome(base), trimmed(base), edited(base), story("banjir_rewrite")):
        truth = exact_jaccard(base, other)
        assert similarity(signature(base), signature(other)) == pytest.approx(truth, abs=0.12)


def test_distinct_stories_are_far_apart() -> None:
    sigs = {name: signature(story(name)) for name in STORIES}
    for a in STORIES:
        assert similarity(sigs[a], sigs[a]) == 1.0
        for b in STORIES:
            if a != b:
                assert similarity(sigs[a], sigs[b]) < 0.25, (a, b)


def test_containment_of_a_trimmed_copy() -> None:
    base, cut = signature(story("kejaksaan")), signature(trimmed(story("kejaksaan")))
    assert cut.size < base.size
    assert containment(base, cut) > 0.9
    assert containment(base, signature(story("pasar_murah"))) < 0.3


def test_band_keys_shape_and_sharing() -> None:
    base = signature(story("pasar_murah"))
    keys = band_keys(base)
    assert len(keys) == BANDS
    assert len(set(keys)) == BANDS
    assert all(re.fullmatch(r"\d{2}:[0-9a-f]+", key) for key in keys)
    assert set(keys) & set(band_keys(signature(edited(story("pasar_murah")))))
    assert not set(keys) & set(band_keys(signature(story("ferry"))))
    assert candidate_probability(0.6) > 0.99 > candidate_probability(0.2)


def test_empty_text_has_no_bands_and_matches_nothing() -> None:
    empty = signature("  ...  ")
    assert empty.size == 0
    assert band_keys(empty) == []
    assert similarity(empty, empty) == 0.0


def test_fingerprint_ignores_chrome_case_and_spacing() -> None:
    base = story("banjir")
    assert fingerprint(with_chrome(base)) == fingerprint(base)
    assert fingerprint(base.upper().replace("\n\n", "\n")) == fingerprint(base)
    assert fingerprint(trimmed(base)) != fingerprint(base)
    # All-chrome texts normalise to nothing but keep distinct fingerprints.
    assert fingerprint("ADVERTISEMENT") != fingerprint("Baca juga: Banjir Lagi")


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga: Harga Cabai Naik Lagi",
        "ADVERTISEMENT",
        "Home | Berita | Daerah | Ekonomi",
        "Jangan lupa ikuti update berita lainnya di akun kami",
        "(rdp/imk)",
        "Editor: Sari Wulandari",
        "BERITA LAINNYA",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Shares of the port operator rose 3%.",
        "Baca juga keterangan saksi di persidangan, kata dia.",
        "Terkait dengan hal itu, polisi menyelidiki.",
        "Penulis menilai kebijakan itu keliru: tidak ada dasar hukumnya.",
    ],
)
def test_story_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome(line)
