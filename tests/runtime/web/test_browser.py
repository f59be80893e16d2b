"""The dashboard in real headless Chromium against `warta run`: charts, latest list, search, escaping.

Needs Debian's chromium at /usr/bin/chromium (`make browser` installs it) and Playwright (dev extra).
Set WARTA_SCREENSHOT=docs/dashboard.png to refresh the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from playwright.sync_api import Dialog

from schemas import codec
from streams.core import topics
from streams.runtime.harness import Process, produce, run, run_env, wait_for
from streams.runtime.web.feed import SERIES_POINTS
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
CHROMIUM = Path(os.environ.get("WARTA_CHROMIUM", "/usr/bin/chromium"))
XSS = "<script>alert(1)</script>"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ARTICLES: list[dict[str, Any]] = [
    {
        "id": "browser-tambang",
        "url": "https://kabarselatan.example/ekonomi/tambang-nikel-morowali",
        "title": "Produksi Nikel Morowali Naik Dua Kali Lipat",
        "published_at": "2024-06-03T09:15:00+08:00",
        "text": "MOROWALI, Kabar Selatan - Produksi nikel di kawasan industri Morowali, Sulawesi "
        "Tengah, naik dua kali lipat sepanjang semester pertama. Direktur PT Sinar Logam Raya "
        "Hendrawan Saputra mengatakan smelter baru sudah beroperasi sejak April.\n\n"
        '"Kami menyerap empat ribu pekerja lokal," kata Hendrawan di Palu, Senin.',
    },
    {
        "id": "browser-banjir",
        "url": "https://wartapesisir.example/daerah/banjir-rob-pekalongan",
        "title": "Banjir Rob Rendam Ratusan Rumah di Pekalongan",
        "text": "Banjir rob merendam ratusan rumah di pesisir Kota Pekalongan, Jawa Tengah, pada "
        "Selasa pagi. Badan Penanggulangan Bencana Daerah mengerahkan pompa dan perahu karet.\n\n"
        "Kepala BPBD Pekalongan Dwi Anggraini meminta warga waspada hingga akhir pekan.",
    },
    {
        "id": "browser-harbour",
        "url": "https://harbourgazette.example/news/ferry-strike",
        "title": "Ferry crews in Port Ellery vote to strike",
        "text": "Ferry crews in Port Ellery voted on Tuesday to strike next month over pay, the "
        "Maritime Workers Union said. Union secretary Margaret Olsen said talks with the "
        "operator had failed.\n\nThe ferries carry ten thousand commuters a day.",
    },
    {
        "id": "browser-banjir-salinan",
        "url": "https://agregator.example/baca/banjir-rob-pekalongan",
        "title": "Banjir Rob Rendam Ratusan Rumah di Pekalongan",
        "text": "Banjir rob merendam ratusan rumah di pesisir Kota Pekalongan, Jawa Tengah, pada "
        "Selasa pagi. Badan Penanggulangan Bencana Daerah mengerahkan pompa dan perahu karet.\n\n"
        "Kepala BPBD Pekalongan Dwi Anggraini meminta warga waspada hingga akhir pekan.",
    },
    {
        "id": "browser-markup",
        "url": "https://iseng.example/berita/judul-aneh",
        "title": XSS,
        "text": "Judul artikel ini berisi tag skrip; lapisan pembersih membuangnya sebelum "
        "artikel disimpan. Isi berita tentang harga cabai di Pasar Beringharjo.",
    },
]

RISEN = """() => {
  const lines = [...document.querySelectorAll('#throughput-chart polyline')];
  const ys = lines.flatMap((l) => l.getAttribute('points').split(' ').map((p) => +p.split(',')[1]));
  return lines.length >= 3 && Math.min(...ys) < Math.max(...ys);
}"""

# Points of the first throughput line: one per snapshot, up to SERIES_POINTS.
POINTS = (
    "document.querySelector('#throughput-chart polyline').getAttribute('points').split(' ').length"
)


def xss_article() -> bytes:
    """A tagged article titled with a script, as any writer of articles.unique could send it.

    The stages strip markup from titles, so this title only reaches the dashboard when it is put
    on the topic directly; the dashboard must still show it as text.
    """
    from tests.factories import tagged

    article = tagged(
        "browser-xss",
        "Judul artikel ini sengaja berisi tag skrip untuk menguji bahwa dasbor menampilkannya "
        "sebagai teks biasa. Isi berita tentang pasar tradisional di Yogyakarta yang ramai.",
        title=XSS,
        url="https://iseng.example/berita/skrip",
        source="iseng.example",
    )
    return codec.dumps(article)


def _chromium_ready() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: `make browser` installs it")
        pytest.skip(f"{CHROMIUM} not installed (run `make browser`)")
    pytest.importorskip("playwright")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def _post(url: str, body: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "application/x-ndjson"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, orjson.loads(response.read())


@pytest.fixture(scope="module")
def warta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`warta run` on free ports with its own data folder; yields its URLs."""
    _chromium_ready()
    data = tmp_path_factory.mktemp("browser")
    env = run_env(data)
    base = f"http://127.0.0.1:{env['WARTA_WEB_PORT']}"
    proc = Process.warta("run", env=env, log=data / "run.log", cwd=data).start()
    try:
        up = wait_for(lambda: _get(f"{base}/api/summary")[0] == 200, 180, 1.0, alive=[proc])
        assert up, proc.tail()
        bootstrap = f"127.0.0.1:{env['WARTA_EMBEDDED_PORT']}"
        yield {"base": base, "bootstrap": bootstrap, "data": data}
    finally:
        proc.interrupt(120)


def _counter(text: str, name: str, **labels: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_dashboard_fills_searches_and_escapes(warta: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base = warta["base"]
    status, metrics_before = _get(f"{base}/metrics")
    assert status == 200
    body = b"\n".join(orjson.dumps(a) for a in ARTICLES)
    status, answer = _post(f"{base}/api/articles", body)
    assert status == 202
    assert answer["accepted"] == [a["id"] for a in ARTICLES]
    run(produce(warta["bootstrap"], topics.RAW, [(b"browser-rusak", b"{ini bukan json")]))
    run(produce(warta["bootstrap"], topics.UNIQUE, [(b"browser-xss", xss_article())]))

    # The flood story and its copy arrive together: whichever is judged first is the unique one.
    pair = ("browser-banjir", "browser-banjir-salinan")
    unique = [a for a in ARTICLES if a["id"] not in pair]
    unique.append({"id": "browser-xss"})

    def canonical() -> str | None:
        found = [i for i in pair if _get(f"{base}/api/articles/{i}")[0] == 200]
        return found[0] if len(found) == 1 else None

    def stored() -> bool:
        ready = all(_get(f"{base}/api/articles/{a['id']}")[0] == 200 for a in unique)
        return ready and canonical() is not None

    assert wait_for(stored, timeout=180, every=1.0), "the pushed articles were not stored"
    flood = canonical()
    unique.append({"id": flood})
    text = _get(f"{base}/metrics")[1].decode()
    before = metrics_before.decode()
    for stage in ("clean", "enrich", "tag"):
        moved = _counter(text, "warta_messages_total", stage=stage, outcome="ok")
        assert moved - _counter(before, "warta_messages_total", stage=stage, outcome="ok") >= 4
    assert _counter(text, "warta_http_ingested_total", outcome="accepted") >= 4
    assert _counter(text, "warta_dead_letters_total", reason="invalid_json") >= 1

    alerts: list[str] = []
    with sync_playwright() as pw:
        # A new, empty profile (Playwright passes it to Chromium as --user-data-dir).
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = browser.new_page()

            def dismiss(dialog: Dialog) -> None:
                alerts.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", dismiss)
            page.goto(base + "/")

            for article in unique:
                page.wait_for_selector(f'#latest tr[data-id="{article["id"]}"]', timeout=60_000)
            # Charts: one line per stage, and at least one rises above zero while articles flow.
            # One more article is pushed with the page open: on a loaded machine the first batch
            # can be done before the worker's first throughput sample, leaving no rise to draw.
            late = {**ARTICLES[0], "id": "browser-susulan", "url": "https://contoh.example/susulan"}
            late["text"] = late["text"].replace("Morowali", "Konawe")
            assert _post(f"{base}/api/articles", orjson.dumps(late))[0] == 202
            page.wait_for_function(RISEN, timeout=120_000)
            page.wait_for_selector("#status.on", timeout=30_000)
            assert page.locator("#dlq-latest td", has_text="invalid_json").count() >= 1
            assert page.locator("#top-places li").count() >= 1
            page.wait_for_selector("#dup-kinds .row", timeout=30_000)
            assert page.locator("#dup-rate").inner_text() != "0.0%"

            xss_title = page.locator('#latest tr[data-id="browser-xss"] a.open')
            assert xss_title.inner_text() == XSS
            # Markup in a pushed title never reaches the page as markup either way.
            markup = page.locator('#latest tr[data-id="browser-markup"] a.open').inner_text()
            assert markup in (XSS, "(untitled)")
            assert page.evaluate("document.querySelectorAll('script').length") == 1

            page.fill("#search-input", "Pekalongan")
            page.press("#search-input", "Enter")
            page.wait_for_selector(f'#search-results li[data-id="{flood}"]', timeout=30_000)
            assert page.locator("#search-results mark").first.inner_text() == "Pekalongan"

            page.fill("#search-input", "pasar tradisional")
            page.press("#search-input", "Enter")
            hit = page.locator('#search-results li[data-id="browser-xss"] a.open')
            hit.wait_for(timeout=30_000)
            assert hit.inner_text() == XSS
            hit.click()
            page.wait_for_selector("#detail[open] #detail-body h3", timeout=30_000)
            assert page.locator("#detail-body h3").inner_text() == XSS
            assert "pasar tradisional" in page.locator("#detail-body").inner_text()
            page.keyboard.press("Escape")

            shot = os.environ.get("WARTA_SCREENSHOT")
            # One more snapshot drawn, so the charts have a few points.
            drawn = min(page.evaluate(f"() => {POINTS}"), SERIES_POINTS - 1)
            page.wait_for_function(f"() => {POINTS} > {drawn}", timeout=30_000)
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            if shot:
                target = Path(shot) if Path(shot).is_absolute() else ROOT / shot
                shutil.copyfile(tmp_path / "dashboard.png", target)
        finally:
            browser.close()
    assert alerts == [], f"a script from article data ran: {alerts}"
