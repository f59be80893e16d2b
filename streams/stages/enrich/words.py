"""The enrich stage's word lists, in one place: stopwords, person titles, cue words, calendar words.

Keywords, the NER features and the NER rules and corrections all read these; none of them owns
them, so that none imports another for a word list.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from streams.stages.enrich.text import word_set

# Words that introduce a person but are not part of the name (Indonesian and English).
PERSON_TITLES = word_set(
    """
    presiden wapres wakil menteri menlu menhan menkeu mendagri sekjen sekretaris jenderal
    gubernur wagub bupati wabup walikota wali wawali ketua ketum waketum direktur dirut
    kepala kapolri kapolda kapolres kapolsek panglima jaksa hakim kasad kasal kasau perdana
    raja ratu pangeran putri sultan paus kanselir senator anggota juru bicara jubir bapak
    ibu pak bu bung mbak mas kakak adik sdr saudara saudari tuan nyonya nona dr drs prof ir
    haji hj h kh ustaz ustad habib kiai romo pastor pendeta syekh jenderal letjen mayjen
    brigjen kolonel kombes kompol akbp ajun komisaris irjen komjen aiptu bripka briptu
    brigadir kopral sersan kapten mayor letnan marsekal laksamana mr mrs ms miss sir dame
    lord president minister secretary governor senator mayor chancellor king queen prince
    princess pope chairman chief ceo spokesman spokeswoman general colonel captain dr. prof.
    rev judge justice
    """
)

# Words that usually start or end an organisation name.
ORG_CUES = word_set(
    """
    partai kementerian kemenkeu kemendagri badan lembaga komisi dewan majelis mahkamah
    pengadilan kejaksaan kepolisian polda polres polsek universitas institut sekolah bank pt
    cv tbk persero perum yayasan asosiasi himpunan ikatan persatuan serikat federasi
    organisasi perusahaan koperasi fraksi tentara angkatan pasukan kodam korem direktorat
    dinas biro kantor pemerintah pemkot pemkab pemprov rumah sakit rs rsud klub fc united
    inc ltd corp co company corporation group holdings university institute ministry
    department agency council committee commission association party bureau bank court
    parliament union federation army navy police
    """
)

# Words that usually start a location name.
LOC_CUES = word_set(
    """
    kota kabupaten kab provinsi prov kecamatan kelurahan desa kampung dusun jalan jl jln
    pulau kepulauan selat teluk tanjung gunung bukit sungai danau laut samudra benua
    pelabuhan bandara bandar lapangan stadion gedung istana monumen taman pasar alun city
    province district island street road river lake mount mountain sea ocean gulf county
    state valley airport
    """
)

# Capitalised words that are never names: days, months, religious and calendar words.
CALENDAR = word_set(
    """
    senin selasa rabu kamis jumat jum'at sabtu minggu ahad januari februari maret april mei
    juni juli agustus september oktober november desember monday tuesday wednesday thursday
    friday saturday sunday january february march june july august october december wib wita
    wit
    """
)

# Verbs of saying: the name around them is usually a person.
SPEECH = word_set(
    """
    kata ujar ujarnya katanya tutur tuturnya ucap ucapnya ungkap ungkapnya jelas jelasnya
    tambah tambahnya imbuh imbuhnya lanjut lanjutnya sebut menurut mengatakan menyatakan
    menjelaskan mengungkapkan menegaskan said says told according
    """
)

# News verbs of saying, calendar words and filler that YAKE's lists lack.
_EXTRA_STOPWORDS = {
    "id": """kata ujar ujarnya katanya tutur ungkap jelas tambah lanjut mengatakan menyatakan
    menjelaskan mengungkapkan menegaskan menurut menurutnya dikutip senin selasa rabu kamis
    jumat sabtu minggu januari februari maret april mei juni juli agustus september oktober
    november desember wib tahun hari pukul baca juga dia ia mereka kami kita saat usai
    untuk menjadi menyebut menyebutkan salah satu yakni yaitu para pun lalu kemudian serta
    namun sementara selain terkait sebanyak sekitar hingga masih lebih sangat tidak bukan
    melalui terhadap oleh dengan pada dari ke di akan bagi sejak tersebut yang ini itu ada
    memang tetap secara bahkan hanya agar sehingga karena seperti antara kepada atas bawah
    orang pihak kali sebuah seorang berbagai tengah turut mulai sudah telah sedang belum
    sebut ucap imbuh tegas terang papar kata-kata simak video tonton detikcom""",
    "en": """said says told according monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    year years mr mrs ms""",
}


def _stopword_dir() -> Path:
    # Found without importing yake (a third of a second): only its packaged lists are used.
    spec = find_spec("yake")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("yake")
    return Path(spec.origin).resolve().parent / "core" / "StopwordsList"


@lru_cache(maxsize=16)
def stopwords(lang: str) -> frozenset[str]:
    """YAKE's stopword list for `lang` (its generic list when it has none) plus ours."""
    folder = _stopword_dir()
    path = folder / f"stopwords_{lang}.txt"
    if not path.exists():
        path = folder / "stopwords_noLang.txt"
    words = {
        line.strip().lower()
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return frozenset(words | set(_EXTRA_STOPWORDS.get(lang, "").split()))


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Indonesian and English function words (YAKE's packaged lists plus ours)."""
    return stopwords("id") | stopwords("en")
