"""Token features for the NER sequence model: shape, affixes, context, cue words and gazetteers."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from functools import lru_cache

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

# Tokens after which capitalisation says nothing about names.
_SENTENCE_OPENERS = frozenset({".", "!", "?", '"', "“", ":", "-", "•", "'"})

# Letters map to X/x and digits to d; str.translate does the ASCII ones in one pass.
_SHAPE_TABLE = str.maketrans(
    {**dict.fromkeys(string.ascii_uppercase, "X"), **dict.fromkeys(string.ascii_lowercase, "x")}
    | dict.fromkeys(string.digits, "d")
)
_DIGIT = re.compile(r"\d")
_RUN = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def word_shape(word: str) -> str:
    """Map letters to X/x and digits to d ("Jakarta" -> "Xxxxxxx")."""
    shape = word.translate(_SHAPE_TABLE)
    # Only ASCII letters count as letters, but every script's digits are digits.
    return shape if shape.isascii() else _DIGIT.sub("d", shape)


@lru_cache(maxsize=65536)
def short_shape(word: str) -> str:
    """Collapse runs in the shape ("Xxxxxxx" -> "Xx")."""
    shape = word_shape(word)
    if "\n" in shape:
        return _RUN.sub(r"\1", shape)
    return "".join([char for char, _ in itertools.groupby(shape)])


@lru_cache(maxsize=1)
def _place_gazetteer() -> dict[tuple[str, ...], str]:
    """Country names (CLDR, Indonesian and English) and Indonesian provinces, lowercased."""
    from babel import Locale

    from streams.stages.enrich.places import place_names

    names: dict[tuple[str, ...], str] = {}
    for locale in ("id", "en"):
        for name in Locale(locale).territories.values():
            names[tuple(name.lower().split())] = "LOC"
    for name in place_names():
        names[tuple(name.lower().split())] = "LOC"
    return names


def gazetteer_tags(words: Sequence[str]) -> list[str]:
    """B/I marks for the longest place-name match at each position."""
    return list(_gazetteer_tags(tuple(words)))


@lru_cache(maxsize=64)
def _gazetteer_tags(words: tuple[str, ...]) -> tuple[str, ...]:
    # Cached: the features and the title-cue corrections both ask for the same sentence.
    gaz = _place_gazetteer()
    lower = [w.lower() for w in words]
    tags = ["O"] * len(words)
    i = 0
    while i < len(words):
        if words[i][:1].isupper():
            for n in (4, 3, 2, 1):
                if i + n <= len(words) and tuple(lower[i : i + n]) in gaz:
                    tags[i] = "B"
                    tags[i + 1 : i + n] = ["I"] * (n - 1)
                    i += n - 1
                    break
        i += 1
    return tuple(tags)


@lru_cache(maxsize=262144)
def _token_features(word: str, prefix: str) -> tuple[str, ...]:
    low = word.lower()
    feats = [
        f"{prefix}w={low}",
        f"{prefix}sh={short_shape(word)}",
        f"{prefix}title={word[:1].isupper()}",
    ]
    if low in PERSON_TITLES:
        feats.append(f"{prefix}ptitle")
    if low in ORG_CUES:
        feats.append(f"{prefix}orgcue")
    if low in LOC_CUES:
        feats.append(f"{prefix}loccue")
    if low in SPEECH:
        feats.append(f"{prefix}speech")
    if low in _function_words():
        feats.append(f"{prefix}func")
    return tuple(feats)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Indonesian and English function words (YAKE's packaged lists)."""
    from streams.stages.enrich.keywords import stopwords

    return stopwords("id") | stopwords("en")


@lru_cache(maxsize=131072)
def _own_features(word: str) -> tuple[str, ...]:
    low = word.lower()
    feats = [
        "bias",
        f"shape={word_shape(word)[:8]}",
        f"upper={word.isupper() and len(word) > 1}",
        f"digit={any(c.isdigit() for c in word)}",
        f"hyphen={'-' in word}",
        f"len={min(len(word), 8)}",
        f"p2={low[:2]}",
        f"p3={low[:3]}",
        f"s2={low[-2:]}",
        f"s3={low[-3:]}",
        f"s4={low[-4:]}",
    ]
    if low in CALENDAR:
        feats.append("calendar")
    if not word[:1].isalnum():
        feats.append("punct")
    return tuple(feats)


_OFFSETS = ((-2, "-2:"), (-1, "-1:"), (1, "1:"), (2, "2:"))


def _cue_flags(lows: Sequence[str]) -> tuple[list[bool], list[bool]]:
    bare = [w.rstrip(".") for w in lows]
    return [w in PERSON_TITLES for w in bare], [w in SPEECH for w in bare]


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    """CRF features of every token in one sentence."""
    gaz = gazetteer_tags(words)
    lows = [w.lower() for w in words]
    titles, speech = _cue_flags(lows)
    out: list[list[str]] = []
    n = len(words)
    for i, word in enumerate(words):
        feats = [*_own_features(word), *_token_features(word, ""), f"gaz={gaz[i]}"]
        if i == 0 or words[i - 1] in _SENTENCE_OPENERS:
            feats.append("first")
        for off, prefix in _OFFSETS:
            j = i + off
            if 0 <= j < n:
                feats.extend(_token_features(words[j], prefix))
                feats.append(f"{prefix}gaz={gaz[j]}")
            else:
                feats.append(f"{prefix}edge")
        if any(titles[max(0, i - 4) : i]):
            # "Perdana Menteri Jepang Fumio Kishida": the title may sit a few words back.
            feats.append("title_near")
        if any(speech[max(0, i - 2) : i]):
            feats.append("speech_near")
        if i > 0:
            feats.append(f"-1w|w={lows[i - 1]}|{lows[i]}")
        if i + 1 < n:
            feats.append(f"w|+1w={lows[i]}|{lows[i + 1]}")
        out.append(feats)
    return out
