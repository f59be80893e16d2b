"""IPTC Media Topics for the tag stage: the 17 top-level codes and the second-level ones we use."""

from __future__ import annotations

from typing import Final

# Labels as published in the IPTC NewsCodes Media Topic vocabulary (en-GB).
TOP_LEVEL: Final[dict[str, str]] = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:02000000": "crime, law and justice",
    "medtop:03000000": "disaster, accident and emergency incident",
    "medtop:04000000": "economy, business and finance",
    "medtop:05000000": "education",
    "medtop:06000000": "environment",
    "medtop:07000000": "health",
    "medtop:08000000": "human interest",
    "medtop:09000000": "labour",
    "medtop:10000000": "lifestyle and leisure",
    "medtop:11000000": "politics",
    "medtop:12000000": "religion",
    "medtop:13000000": "science and technology",
    "medtop:14000000": "society",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflict, war and peace",
    "medtop:17000000": "weather",
}

# Second-level code -> (label, top-level parent). Only the codes our lexicons can recognise.
SECOND_LEVEL: Final[dict[str, tuple[str, str]]] = {
    "medtop:20000002": ("arts and entertainment", "medtop:01000000"),
    "medtop:20000038": ("culture", "medtop:01000000"),
    "medtop:20000045": ("mass media", "medtop:01000000"),
    "medtop:20000082": ("crime", "medtop:02000000"),
    "medtop:20000106": ("judiciary", "medtop:02000000"),
    "medtop:20000121": ("law", "medtop:02000000"),
    "medtop:20000129": ("law enforcement", "medtop:02000000"),
    "medtop:20000139": ("accident and emergency incident", "medtop:03000000"),
    "medtop:20000148": ("disaster", "medtop:03000000"),
    "medtop:20000168": ("emergency response", "medtop:03000000"),
    "medtop:20000170": ("business information", "medtop:04000000"),
    "medtop:20000209": ("economic sector", "medtop:04000000"),
    "medtop:20000344": ("economy", "medtop:04000000"),
    "medtop:20000385": ("market and exchange", "medtop:04000000"),
    "medtop:20000400": ("school", "medtop:05000000"),
    "medtop:20001338": ("education policy", "medtop:05000000"),
    "medtop:20000418": ("climate change", "medtop:06000000"),
    "medtop:20000420": ("conservation", "medtop:06000000"),
    "medtop:20000424": ("environmental pollution", "medtop:06000000"),
    "medtop:20000430": ("natural resources", "medtop:06000000"),
    "medtop:20000446": ("diseases and conditions", "medtop:07000000"),
    "medtop:20000461": ("health facility", "medtop:07000000"),
    "medtop:20000480": ("government health care", "medtop:07000000"),
    "medtop:20000505": ("celebrity", "medtop:08000000"),
    "medtop:20000509": ("employment", "medtop:09000000"),
    "medtop:20000524": ("labour relations", "medtop:09000000"),
    "medtop:20000538": ("leisure", "medtop:10000000"),
    "medtop:20000574": ("election", "medtop:11000000"),
    "medtop:20000593": ("government", "medtop:11000000"),
    "medtop:20000621": ("government policy", "medtop:11000000"),
    "medtop:20000638": ("international relations", "medtop:11000000"),
    "medtop:20000657": ("belief systems", "medtop:12000000"),
    "medtop:20000690": ("religious festival and holiday", "medtop:12000000"),
    "medtop:20000735": ("scientific research", "medtop:13000000"),
    "medtop:20000756": ("technology and engineering", "medtop:13000000"),
    "medtop:20000768": ("communities", "medtop:14000000"),
    "medtop:20000802": ("social problem", "medtop:14000000"),
    "medtop:20000817": ("welfare", "medtop:14000000"),
    "medtop:20000822": ("competition discipline", "medtop:15000000"),
    "medtop:20001108": ("sport event", "medtop:15000000"),
    "medtop:20000053": ("act of terror", "medtop:16000000"),
    "medtop:20000056": ("armed conflict", "medtop:16000000"),
    "medtop:20000065": ("civil unrest", "medtop:16000000"),
    "medtop:20000073": ("peace process", "medtop:16000000"),
    "medtop:20001128": ("weather forecast", "medtop:17000000"),
    "medtop:20001129": ("weather phenomena", "medtop:17000000"),
    "medtop:20001131": ("weather warning", "medtop:17000000"),
}


def is_known(code: str) -> bool:
    """Whether `code` is a top-level or second-level code this module knows."""
    return code in TOP_LEVEL or code in SECOND_LEVEL


def label(code: str) -> str:
    """The English label of a known code; KeyError for an unknown one."""
    if code in TOP_LEVEL:
        return TOP_LEVEL[code]
    return SECOND_LEVEL[code][0]


def top_level_of(code: str) -> str:
    """The top-level ancestor of a known code (itself for a top-level code)."""
    if code in TOP_LEVEL:
        return code
    return SECOND_LEVEL[code][1]


# The detik desks (`topic_label` of the development data) and the top-level code each stands for.
# "Pembangunan & Lingkungan" mixes infrastructure, energy, mining, pollution, climate and floods;
# its common thread is the state of land, resources and the living environment, so it maps to
# environment rather than to economy (which the "Ekonomi & Keuangan" desk already is).
DESK_CODES: Final[dict[str, str]] = {
    "Ekonomi & Keuangan": "medtop:04000000",
    "Hukum & Kriminalitas": "medtop:02000000",
    "Politik & Kebijakan Publik": "medtop:11000000",
    "Pembangunan & Lingkungan": "medtop:06000000",
    "Sosial & Kemasyarakatan": "medtop:14000000",
}
