"""De-duplication: exact fingerprints and MinHash LSH near duplicates, as pure functions + index."""

from streams.dedupe.index import Config, DedupeIndex, article_time
from streams.dedupe.lsh import BANDS, ROWS, band_keys, candidate_probability
from streams.dedupe.minhash import NUM_PERM, SHINGLE, Signature, containment, signature, similarity
from streams.dedupe.verdict import Candidate, Thresholds, Verdict, exact, judge, match, unique

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
    "exact",
    "judge",
    "match",
    "signature",
    "similarity",
    "unique",
]
