"""De-duplication: exact fingerprints and MinHash LSH near duplicates, as pure functions + index."""

from streams.stages.dedupe.index import Config, DedupeIndex, article_time
from streams.stages.dedupe.lsh import BANDS, ROWS, band_keys, candidate_probability
from streams.stages.dedupe.minhash import (
    NUM_PERM,
    SHINGLE,
    Signature,
    containment,
    signature,
    similarity,
)
from streams.stages.dedupe.verdict import (
    Candidate,
    Thresholds,
    Verdict,
    eligible,
    exact,
    judge,
    match,
    unique,
)

VERSION = "dedupe-1"

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE",
    "VERSION",
    "Candidate",
    "Config",
    "DedupeIndex",
    "Signature",
    "Thresholds",
    "Verdict",
    "article_time",
    "band_keys",
    "candidate_probability",
    "containment",
    "eligible",
    "exact",
    "judge",
    "match",
    "signature",
    "similarity",
    "unique",
]
