"""CoNLL-style NER corpora: reading, re-tokenising to our tokenizer, and span P/R/F1."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from streams.stages.enrich.text import tokenize

# Corpus tag sets mapped onto ours (NERGrit spells them out).
TAG_MAP = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "ORGANISATION": "ORG",
    "LOC": "LOC",
    "PLACE": "LOC",
}


@dataclass(frozen=True)
class Sentence:
    """Tokens of one sentence with IOB tags (B-PER, I-ORG, O, ...)."""

    words: tuple[str, ...]
    tags: tuple[str, ...]


def _norm_tag(tag: str) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    mapped = TAG_MAP.get(label)
    return f"{prefix}-{mapped}" if mapped else "O"


def read_conll(path: Path) -> list[Sentence]:
    """Read `token [POS] tag` lines (space or tab separated), blank line between sentences."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if len(parts) >= 2:
            words.append(parts[0])
            tags.append(_norm_tag(parts[-1]))
        elif words:
            sentences.append(Sentence(tuple(words), tuple(tags)))
            words, tags = [], []
    return sentences


def _piece_tag(tag: str, i: int, first: int, last: int, closes: bool) -> str:
    if tag == "O":
        return "O"
    label = tag[2:]
    if i < first:
        return "O" if tag.startswith("B-") else f"I-{label}"
    if i > last:
        return f"I-{label}" if closes else "O"
    return f"B-{label}" if tag.startswith("B-") and i == first else f"I-{label}"


def retokenize(sent: Sentence) -> Sentence:
    """Split corpus tokens like "(Jokowi)" the way our tokenizer does; brackets stay outside,
    except the closing bracket of a name that opened one ("Umum (KPU)")."""
    words: list[str] = []
    tags: list[str] = []
    bracket_open = False
    for k, (word, tag) in enumerate(zip(sent.words, sent.tags, strict=True)):
        pieces = [t.text for t in tokenize(word)] or [word]
        core = [i for i, p in enumerate(pieces) if p[:1].isalnum()]
        first, last = (core[0], core[-1]) if core else (0, len(pieces) - 1)
        continues = k + 1 < len(sent.tags) and sent.tags[k + 1] == f"I-{tag[2:]}"
        if tag.startswith("B-"):
            bracket_open = False
        for i, piece in enumerate(pieces):
            closes = continues or (piece == ")" and bracket_open)
            new = _piece_tag(tag, i, first, last, closes)
            if new != "O" and piece == "(":
                bracket_open = True
            words.append(piece)
            tags.append(new)
    return Sentence(tuple(words), tuple(tags))


def spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start token, end token exclusive, label); a stray I- starts an entity."""
    out: set[tuple[int, int, str]] = set()
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and tag[2:] == label and start >= 0
        if not inside:
            if start >= 0:
                out.add((start, i, label))
            start, label = (i, tag[2:]) if tag != "O" else (-1, "")
    return out


@dataclass
class Scores:
    """Counts of exact-match entities; precision, recall and F1 from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: Iterable[object], pred: Iterable[object]) -> None:
        g, p = set(gold), set(pred)
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def iter_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """The NER evaluation files present under `data_dir/ner`."""
    for name in ("idner_dev", "nergrit_valid"):
        path = data_dir / "ner" / f"{name}.txt"
        if path.exists():
            yield name, path
