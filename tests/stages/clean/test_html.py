"""Clean stage, HTML helpers: standfirst, declared body, byline elements, tail and captions."""

from __future__ import annotations

from lxml.html import fromstring

from streams.stages.clean.authors import byline_names
from streams.stages.clean.html import (
    paragraph_chars,
    prefer_declared,
    read_html,
    with_lead,
)
from streams.stages.clean.metadata import read_page_meta
from streams.stages.clean.text import labelled_caption
from streams.stages.clean.trim import trim_tail

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
    assert cap is not None
    assert cap.credit == "Foto: Natacha/REUTERS"
    assert labelled_caption("Harga minyak naik (Brent/WTI) pada Senin.") is None


PROSE = [
    "Pemerintah kota mulai membangun tanggul laut baru di pesisir utara pada pekan ini.",
    "Pembangunan tahap pertama ditargetkan selesai sebelum musim hujan tiba akhir tahun.",
    "Warga berharap tanggul itu mengurangi banjir rob yang kerap merendam rumah mereka.",
    "Dinas pekerjaan umum menyebut anggaran proyek berasal dari dana daerah dan pusat.",
    "Kepala dinas mengatakan kontraktor bekerja dalam dua giliran agar jadwal tidak mundur.",
    "Nelayan setempat meminta akses perahu ke dermaga tetap dibuka selama pembangunan.",
    "Pemerintah provinsi berjanji memantau dampak proyek terhadap hutan bakau di sekitarnya.",
    "Tahap kedua akan menyambung tanggul hingga ke perbatasan kabupaten tetangga tahun depan.",
]


def story(extra: str) -> str:
    """A page with `extra` between the two halves of the prose."""
    half = len(PROSE) // 2
    first, second = ("".join(f"<p>{p}</p>" for p in part) for part in (PROSE[:half], PROSE[half:]))
    return (
        "<html><head><title>Tanggul laut</title></head><body><article>"
        f"<h1>Tanggul laut dibangun</h1>{first}{extra}{second}</article></body></html>"
    )


def test_figure_captions_leave_the_body_with_their_credit() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption>Pekerja memasang tiang pancang di Semarang '
        "(Foto: Andi Rahman/ANTARA)</figcaption></figure>"
    )
    page = read_html(story(figure), "https://contoh.example/a", "contoh.example")
    assert page is not None
    assert "tiang pancang" not in page.text
    assert PROSE[0] in page.text
    assert PROSE[-1] in page.text
    assert [(c.text, c.credit) for c in page.captions] == [
        ("Pekerja memasang tiang pancang di Semarang", "Foto: Andi Rahman/ANTARA")
    ]


def test_fact_box_is_not_body_text() -> None:
    box = (
        '<div class="fact-box"><h3>Fakta tanggul</h3><ul><li>Panjang tanggul 3,5 kilometer '
        "dari pelabuhan ke muara.</li><li>Tinggi tanggul tiga meter di atas permukaan laut.</li>"
        "</ul></div>"
    )
    page = read_html(story(box), "https://contoh.example/b", "contoh.example")
    assert page is not None
    assert "3,5 kilometer" not in page.text
    assert all(p in page.text for p in PROSE)


def test_link_lists_and_author_boxes_are_not_body_text() -> None:
    # teasers whose whole text is the link: a headline and its summary, as long as prose
    links = (
        '<ul><li><a href="/1">HARGA CABAI: Pedagang di pasar induk mengatakan harga cabai rawit '
        "naik dua kali lipat menjelang Lebaran karena pasokan dari petani berkurang</a></li>"
        '<li><a href="/2">KERETA CEPAT: Operator menambah jadwal perjalanan pada akhir pekan '
        "untuk melayani lonjakan penumpang liburan sekolah yang diperkirakan terus naik</a></li></ul>"
    )
    bio = (
        '<div class="author-bio"><p>Sari Dewi adalah wartawan lingkungan yang meliput pesisir '
        "Jawa sejak 2015 dan menulis tiga buku tentang laut. Sebelumnya ia bekerja sebagai "
        "peneliti di lembaga kajian kelautan dan mengajar jurnalistik di beberapa kampus.</p></div>"
    )
    page = read_html(story(links + bio), "https://contoh.example/c", "contoh.example")
    assert page is not None
    assert "Pedagang di pasar" not in page.text
    assert "wartawan lingkungan" not in page.text
    assert all(p in page.text for p in PROSE)


def test_list_with_prose_items_stays() -> None:
    items = (
        '<ul><li>Tanggul dibangun sepanjang <a href="/t">3,5 kilometer</a> di pesisir.</li>'
        "<li>Tinggi tanggul tiga meter di atas permukaan laut pasang.</li></ul>"
    )
    page = read_html(story(items), "https://contoh.example/d", "contoh.example")
    assert page is not None
    assert "Tinggi tanggul tiga meter" in page.text
    assert "sepanjang 3,5 kilometer" in page.text


def test_caption_repeating_the_description_is_no_standfirst() -> None:
    html = (
        f'<html><head><meta name="description" content="{LEAD}"></head><body><article>'
        f'<figure><img src="a.jpg"><figcaption><span>{LEAD}</span></figcaption></figure>'
        f"<p>{BODY}</p></article></body></html>"
    )
    tree = fromstring(html)
    assert with_lead(BODY, tree, read_page_meta(tree).description) == BODY
