"""MinHash signatures of word shingles: compact, serialisable sketches of an article body."""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streams.core.fingerprint import tokens

VERSION = "mh-1"
NUM_PERM = 128
SHINGLE = 2
_MASK16 = 0xFFFF
# b-bit MinHash keeps 16 bits per permutation: two unrelated minima still agree with this chance.
_CHANCE = 1.0 / 65536.0
_CACHE_LIMIT = 500_000
_word_hashes: dict[str, int] = {}

U64 = npt.NDArray[np.uint64]


def _permutations(num_perm: int) -> tuple[U64, U64]:
    # Constants from BLAKE2b, not from numpy's generator, whose streams may change between
    # versions: signatures stored in tables must stay comparable across upgrades.
    def word(tag: str, i: int) -> int:
        digest = hashlib.blake2b(f"{VERSION}:{tag}:{i}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little")

    # Odd multipliers make (a*x + b) >> 32 a multiply-shift universal family on 64-bit keys.
    a = np.array([word("a", i) | 1 for i in range(num_perm)], dtype=np.uint64)
    b = np.array([word("b", i) for i in range(num_perm)], dtype=np.uint64)
    return a, b


_PERMS: dict[int, tuple[U64, U64]] = {}


@dataclass(frozen=True, slots=True)
class Signature:
    """`values`: one little-endian uint16 per permutation; `size`: distinct shingles hashed."""

    values: bytes
    size: int

    @property
    def num_perm(self) -> int:
        return len(self.values) // 2

    def to_bytes(self) -> bytes:
        return struct.pack("<I", self.size) + self.values

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        (size,) = struct.unpack_from("<I", data)
        return cls(values=bytes(data[4:]), size=size)

    def to_str(self) -> str:
        """ASCII (base64) form for JSON messages and table values."""
        return base64.b64encode(self.to_bytes()).decode("ascii")

    @classmethod
    def from_str(cls, text: str) -> Signature:
        return cls.from_bytes(base64.b64decode(text))

    def array(self) -> npt.NDArray[np.uint16]:
        return np.frombuffer(self.values, dtype="<u2")


def _word_hash_array(words: list[str]) -> U64:
    """64-bit BLAKE2b of each word, from a bounded cache (news reuses most of its words)."""
    cache = _word_hashes
    missing = [w for w in dict.fromkeys(words) if w not in cache]
    if len(cache) + len(missing) > _CACHE_LIMIT:
        cache.clear()
        missing = list(dict.fromkeys(words))
    for word in missing:
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        cache[word] = int.from_bytes(digest, "little")
    return np.array([cache[w] for w in words], dtype=np.uint64)


def _mix(x: U64) -> U64:
    # splitmix64 finaliser: spreads the linear combination of word hashes over all 64 bits.
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingle_hashes(words: list[str], k: int = SHINGLE) -> U64:
    """Distinct 64-bit hashes of the k-word shingles (the whole text when shorter than k)."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    t = _word_hash_array(words)
    n = max(len(words) - k + 1, 1)
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(words))):
        # Distinct odd constants per position make shingles order-sensitive.
        acc = acc * np.uint64(0x9E3779B97F4A7C15) + t[j : j + n]
    return np.unique(_mix(acc))


def signature_of_hashes(hashes: U64, num_perm: int = NUM_PERM) -> Signature:
    """MinHash of a set of 64-bit shingle hashes, 16 bits kept per permutation."""
    if hashes.size == 0:
        return Signature(values=b"\xff\xff" * num_perm, size=0)
    if num_perm not in _PERMS:
        _PERMS[num_perm] = _permutations(num_perm)
    a, b = _PERMS[num_perm]
    minima = ((hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)).min(axis=0)
    values = (minima & np.uint64(_MASK16)).astype("<u2")
    return Signature(values=values.tobytes(), size=int(hashes.size))


def signature(text: str, *, shingle: int = SHINGLE, num_perm: int = NUM_PERM) -> Signature:
    """MinHash signature of the normalised body (chrome lines, case and punctuation ignored)."""
    return signature_of_hashes(shingle_hashes(tokens(text), shingle), num_perm)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets (0 when either is empty)."""
    if a.size == 0 or b.size == 0 or a.num_perm != b.num_perm:
        return 0.0
    agree = float(np.count_nonzero(a.array() == b.array())) / a.num_perm
    return max(0.0, (agree - _CHANCE) / (1.0 - _CHANCE))


def containment(a: Signature, b: Signature, jaccard: float | None = None) -> float:
    """Estimated share of the smaller shingle set that lies inside the larger one."""
    j = similarity(a, b) if jaccard is None else jaccard
    smaller = min(a.size, b.size)
    if smaller == 0:
        return 0.0
    # |A∩B| = J(|A|+|B|)/(1+J) follows from |A∪B| = |A|+|B|-|A∩B|.
    return min(1.0, j * (a.size + b.size) / ((1.0 + j) * smaller))
