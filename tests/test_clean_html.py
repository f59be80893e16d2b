"""Clean stage, HTML helpers: standfirst, declared body, byline elements, tail and captions."""

from __future__ import annotations

from lxml.html import fromstring

from streams.clean.html import byline_names, paragraph_chars, prefer_declared, with_lead
from streams.clean.metadata import read_page_meta
from streams.clean.text import labelled_caption
from streams.clean.trim import trim_tail

LEAD = "Para petani kopi di Gayo memulai panen raya dua pekan lebih awal dari biasanya tahun ini."
BODY = "Ketua koperasi mengatakan hasil panen diperkirakan naik lima belas persen dibanding tahun lalu."


def page(lead_visible: bool) -> str:
    lead = f'<p class="lead">{LEAD}</p>' if lead_visible else ""
    return (
        f'<html><head><meta name="description" content="{LEAD}"></head>'
        f"<body><header>{lead}</header><article><p>{BODY}</p></article></body></html>"
    )


def test_standfirst_is_put_back_only_when_the_page_shows_it() -> None:
    tree = fromstring(page(lead_visible=True))
    meta = read_page_meta(tree)
    assert with_lead(BODY, tree, meta.description) == LEAD + "\n" + BODY
    hidden = fromstring(page(lead_visible=False))
    assert with_lead(BODY, hidden, read_page_meta(hidden).description) == BODY


def test_standfirst_is_not_doubled() -> None:
    tree = fromstring(page(lead_visible=True))
    text = LEAD + "\n" + BODY
    assert with_lead(text, tree, LEAD) == text


def test_declared_body_replaces_a_cut_extraction_only() -> None:
    declared = " ".join([BODY] * 3 + [LEAD] * 20)
    assert prefer_declared(BODY, declared) == declared
    unrelated = " ".join(["Sebuah kalimat lain tentang cuaca yang cerah di kota pesisir."] * 40)
    assert prefer_declared(BODY, unrelated) == BODY
    assert prefer_declared(BODY, None) == BODY


def test_byline_element_names() -> None:
    assert byline_names("By Megan Holt and Paul Okafor") == ["Megan Holt", "Paul Okafor"]
    assert byline_names("Oleh Rahmat Hidayat") == ["Rahmat Hidayat"]
    assert byline_names("Updated 12 March 2024") == []


def test_paragraph_chars_counts_prose() -> None:
    tree = fromstring(f"<html><body><p>{BODY}</p><div>menu</div></body></html>")
    assert paragraph_chars(tree) == len(BODY)


def test_trailing_link_lines_go_but_tables_and_real_endings_stay() -> None:
    paras = [BODY, "Neue Bilder", "Beiträge aus dem Forum"]
    assert trim_tail(paras) == [BODY]
    assert trim_tail([BODY, "| Stadion | Utama |"]) == [BODY, "| Stadion | Utama |"]
    assert trim_tail([BODY, "Sampai jumpa!"]) == [BODY, "Sampai jumpa!"]


def test_labelled_captions() -> None:
    cap = labelled_caption("Cristina dan Alberto di Kongres (Foto: Natacha/REUTERS).")
    assert cap is not None and cap.credit == "Foto: Natacha/REUTERS"
    assert labelled_caption("Harga minyak naik (Brent/WTI) pada Senin.") is None
