"""The dedupe's internal messages and table rows keep their JSON shapes (topics, changelogs)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas import TaggedArticle, codec
from streams.stages.dedupe import Signature, Verdict, judge, signature
from streams.stages.dedupe.messages import (
    ArticleForDecision,
    BandAnswer,
    BandQuery,
    CandidateEntry,
    FiledRow,
    FileOrder,
    FingerprintClaim,
    HeldRow,
    PendingRow,
    decode_band_message,
    decode_decision_message,
)
from tests.factories import tagged

SIG = signature("Banjir merendam ratusan rumah warga di tepi sungai pada Senin pagi.").to_str()

# The JSON each model is written as, as the changelogs and topics of earlier versions hold it.
WIRE: list[tuple[type[Any], Any]] = [
    (BandQuery, {"op": "query", "id": "a", "keys": ["00:aa", "01:bb"], "at": 1.5, "from": 3}),
    (FileOrder, {"op": "index", "id": "a", "keys": ["00:aa"], "sig": SIG, "at": 1.5}),
    (BandAnswer, {"op": "band", "from": 2, "candidates": [["b", SIG, 1.0], ["c", SIG, 2.0]]}),
    (FingerprintClaim, {"id": "a", "at": 1.5}),
    (FiledRow, {"sig": SIG, "at": 1.5, "keys": ["00:aa", "01:bb"]}),
    (HeldRow, {"expect": 2, "text": '{"op": "article"}'}),
    (PendingRow, {"0": [["b", SIG, 1.0]], "3": []}),
    (CandidateEntry, ["b", SIG, 1.0]),
    (Verdict, {"kind": "near", "duplicate_of": "b", "similarity": 0.8, "cluster_id": "b"}),
]


@pytest.mark.parametrize(("model", "wire"), WIRE, ids=[m.__name__ for m, _ in WIRE])
def test_each_model_reads_and_writes_its_wire_form_unchanged(model: type[Any], wire: Any) -> None:
    decoded = model.from_wire(codec.loads(codec.dumps(wire)))
    assert decoded.to_wire() == wire
    assert model.from_wire(decoded.to_wire()) == decoded


def test_the_article_message_keeps_the_article_as_json_until_judged() -> None:
    item = tagged("a", "Banjir merendam ratusan rumah warga di tepi sungai pada Senin pagi.")
    message = ArticleForDecision.of(item, signature(item.text), 1.5, [3, 0])
    wire = codec.loads(codec.dumps(message.to_wire()))
    assert set(wire) == {"op", "article", "sig", "at", "expect"}
    assert (wire["op"], wire["expect"], wire["article"]["id"]) == ("article", [3, 0], "a")
    decoded = decode_decision_message(wire)
    assert decoded == message
    assert isinstance(decoded, ArticleForDecision)
    assert decoded.tagged() == item
    held = HeldRow(len(decoded.expect), codec.dumps(wire).decode())
    assert held.message() == message


def test_messages_are_told_apart_by_op() -> None:
    query, order = WIRE[0][1], WIRE[1][1]
    assert isinstance(decode_band_message(query), BandQuery)
    assert isinstance(decode_band_message(order), FileOrder)
    assert isinstance(decode_decision_message(WIRE[2][1]), BandAnswer)
    with pytest.raises(ValueError, match="unknown"):
        decode_band_message({"op": "band"})
    with pytest.raises(ValueError, match="unknown"):
        decode_decision_message({"op": "query"})


def test_pending_answers_count_each_partition_once_and_candidates_each_article_once() -> None:
    row = PendingRow.from_wire(None)
    answer = BandAnswer.from_wire(WIRE[2][1])
    added = row.with_answer(answer)
    assert added is not None
    assert added.with_answer(answer) is None
    both = added.with_answer(BandAnswer(5, (CandidateEntry("b", SIG, 1.0),)))
    assert both is not None
    assert both.to_wire() == {
        "2": [["b", SIG, 1.0], ["c", SIG, 2.0]],
        "5": [["b", SIG, 1.0]],
    }
    assert [c.id for c in both.candidates()] == ["b", "c"]
    verdict = judge(
        "z",
        signature("Banjir merendam ratusan rumah warga di tepi sungai pada Senin pagi."),
        both.candidates(),
    )
    assert (verdict.kind, verdict.duplicate_of) == ("near", "b"), "the earliest copy is chosen"


def test_an_article_message_carries_the_answer_given_in_process() -> None:
    item = tagged("a", "Banjir merendam ratusan rumah warga di tepi sungai pada Senin pagi.")
    local = BandAnswer(3, (CandidateEntry("b", SIG, 1.0),))
    message = ArticleForDecision.of(item, signature(item.text), 1.5, [0, 3], local)
    wire = codec.loads(codec.dumps(message.to_wire()))
    assert wire["local"] == {"from": 3, "candidates": [["b", SIG, 1.0]]}
    assert decode_decision_message(wire) == message
    # One answer fewer to wait for on the topic; without one, all of them as before.
    assert message.awaited() == 1
    assert ArticleForDecision.of(item, _sig(item), 1.5, [0, 3]).awaited() == 2
    # Gathered with the topic's answers: its partition counts once, its candidates too.
    row = PendingRow.from_wire({"0": [["c", SIG, 2.0]]})
    assert sorted(row.gathered(message).answers) == [0, 3]
    assert [c.id for c in row.gathered(message).candidates()] == ["c", "b"]
    assert PendingRow.from_wire({"3": []}).gathered(message).to_wire() == {"3": []}


def test_a_replayed_article_message_is_told_from_a_revision() -> None:
    item = tagged("a", "Banjir merendam ratusan rumah warga di tepi sungai pada Senin pagi.")
    first = ArticleForDecision.of(item, _sig(item), 1.5, [0, 3], BandAnswer(3, ()))
    grown = ArticleForDecision.of(
        item, _sig(item), 1.5, [0, 3], BandAnswer(3, (CandidateEntry("b", SIG, 1.0),))
    )
    revised = tagged("a", "Banjir merendam ribuan rumah warga di tepi sungai pada Senin pagi.")
    assert first.replays(grown), "a replay whose band index grew meanwhile"
    assert not first.replays(ArticleForDecision.of(revised, _sig(revised), 1.5, [0, 3]))
    assert not first.replays(ArticleForDecision.of(item, _sig(item), 2.5, [0, 3]))


def _sig(item: TaggedArticle) -> Signature:
    return signature(item.text)
