"""CRFsuite's first-order model read straight from its file, and Viterbi over many sentences.

pycrfsuite tags one sentence at a time from feature strings (about sixty a token, each encoded,
copied and looked up). The NER stage instead adds up cached per-word weight vectors and decodes
all sentences of an article together: the same model, the same decoding rule.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = struct.Struct("<4sII")
_CQDB = struct.Struct("<4sIIIII")
_RECORD = struct.Struct("<II")
# A feature: type (0 state, 1 transition), source (attribute or label), label, weight.
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])


def _strings(buf: bytes, offset: int) -> list[str]:
    """The strings of a CQDB chunk, by id (its backward array)."""
    tag, _, _, _, count, bwd = _CQDB.unpack_from(buf, offset)
    if tag != b"CQDB":
        raise ValueError("not a CRFsuite string table")
    out = [""] * count
    for ref in struct.unpack_from(f"<{count}I", buf, offset + bwd):
        ident, size = _RECORD.unpack_from(buf, offset + ref)
        start = offset + ref + _RECORD.size
        out[ident] = buf[start : start + size - 1].decode("utf-8")  # size counts the NUL
    return out


@dataclass(frozen=True)
class CrfModel:
    """Labels, attribute ids, state weights (attribute x label) and transitions (label x label)."""

    labels: tuple[str, ...]
    attributes: dict[str, int]
    state: Matrix
    transition: Matrix

    @classmethod
    def load(cls, path: Path) -> CrfModel:
        """Read a CRFsuite 1d model file (format FOMC, version 100)."""
        buf = path.read_bytes()
        magic, _, kind, version, _, n_labels, n_attrs, off_feat, off_labels, off_attrs, *_ = (
            _HEADER.unpack_from(buf, 0)
        )
        if magic != b"lCRF" or kind != b"FOMC" or version != 100:
            raise ValueError(f"{path} is not a CRFsuite 1d model")
        tag, _, count = _CHUNK.unpack_from(buf, off_feat)
        if tag != b"FEAT":
            raise ValueError(f"{path} has no feature chunk")
        feats = np.frombuffer(buf, _FEATURE, count, off_feat + _CHUNK.size)
        state = np.zeros((n_attrs, n_labels))
        transition = np.zeros((n_labels, n_labels))
        is_state = feats["type"] == 0
        s, t = feats[is_state], feats[~is_state]
        np.add.at(state, (s["src"], s["dst"]), s["weight"])
        np.add.at(transition, (t["src"], t["dst"]), t["weight"])
        labels = tuple(_strings(buf, off_labels))
        attributes = {name: i for i, name in enumerate(_strings(buf, off_attrs))}
        return cls(labels, attributes, state, transition)


def viterbi(scores: list[Matrix], transition: Matrix) -> list[list[int]]:
    """Best label ids of each sentence (state scores T x L), decoded as CRFsuite does.

    All sentences advance together, one position a step; ties go to the lowest label id.
    """
    if not scores:
        return []
    n, longest = len(scores), max(len(s) for s in scores)
    labels = transition.shape[0]
    # alpha[b, t]: best score of a path ending at t with each label (state scores padded).
    alpha = np.zeros((n, longest, labels))
    for b, s in enumerate(scores):
        alpha[b, : len(s)] = s
    back = np.zeros((n, longest, labels), dtype=np.intp)
    # cand[b, j, i]: from label i to label j, flat so that both reductions run on the last axis
    # (numpy's max over a middle axis of seven is slow), and the max is read at the argmax.
    into = np.ascontiguousarray(transition.T)
    cand = np.empty((n, labels, labels))
    flat = cand.reshape(-1, labels)
    rows = np.arange(n * labels)
    for t in range(1, longest):
        np.add(alpha[:, t - 1, None, :], into, out=cand)
        best = flat.argmax(axis=1)
        back[:, t] = best.reshape(n, labels)
        alpha[:, t] += flat[rows, best].reshape(n, labels)
    lengths = np.array([len(s) for s in scores])
    final = alpha[np.arange(n), lengths - 1]
    best = final.argmax(axis=1).tolist()
    out: list[list[int]] = []
    for b, length in enumerate(lengths.tolist()):
        path = [best[b]]
        steps = back[b, :length].tolist()  # not the padding: one long line pads every sentence
        for t in range(length - 1, 0, -1):
            path.append(steps[t][path[-1]])
        path.reverse()
        out.append(path)
    return out
