"""Operator tag rules from a YAML file: conditions on an article -> extra tags and IPTC topics."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.models import EnrichedArticle, Topic
from streams.stages.tag.iptc import is_known, label

RULES_SCHEMA_VERSION = "1"
Text = Annotated[str, Field(min_length=1)]


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, the rule and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EntityMatch(_Strict):
    """An entity the article must contain: its text (case-insensitive), its type, or both."""

    text: Text | None = None
    type: Literal["PERSON", "ORG", "LOC"] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> EntityMatch:
        if self.text is None and self.type is None:
            raise ValueError("an entity condition needs `text`, `type` or both")
        return self


class When(_Strict):
    """Conditions; every one given must hold, and a list holds when any of its items does."""

    keywords: list[Text] = Field(default_factory=list)
    all_keywords: list[Text] = Field(default_factory=list)
    exclude_keywords: list[Text] = Field(default_factory=list)
    entities: list[EntityMatch] = Field(default_factory=list)
    sources: list[Text] = Field(default_factory=list)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(default_factory=list)
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, codes: list[str]) -> list[str]:
        return _check_codes(codes)

    @model_validator(mode="after")
    def _has_condition(self) -> When:
        positive = [self.keywords, self.all_keywords, self.entities, self.sources]
        positive += [self.languages, self.countries, self.topics]
        if not any(positive):
            raise ValueError("`when` needs at least one condition besides exclude_keywords")
        return self


class Rule(_Strict):
    """One rule: when its conditions hold, the article gets its tags and topics."""

    name: Text
    when: When
    tags: list[Text] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    topic_score: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, codes: list[str]) -> list[str]:
        return _check_codes(codes)

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if not self.tags and not self.topics:
            raise ValueError("a rule needs `tags` or `topics` (else it does nothing)")
        return self


class RulesFile(_Strict):
    """The whole file: a schema version and the list of rules."""

    version: Literal[1] = 1
    rules: list[Rule]


def _check_codes(codes: list[str]) -> list[str]:
    for code in codes:
        if not is_known(code):
            raise ValueError(f"unknown IPTC code {code!r} (see streams/stages/tag/iptc.py)")
    return codes


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive match of any phrase; inner spaces match any whitespace."""
    alts = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases]
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule with its keyword patterns compiled once."""

    rule: Rule
    any_kw: re.Pattern[str] | None
    all_kw: tuple[re.Pattern[str], ...]
    exclude_kw: re.Pattern[str] | None

    @classmethod
    def build(cls, rule: Rule) -> CompiledRule:
        w = rule.when
        return cls(
            rule,
            _phrase_regex(w.keywords) if w.keywords else None,
            tuple(_phrase_regex([k]) for k in w.all_keywords),
            _phrase_regex(w.exclude_keywords) if w.exclude_keywords else None,
        )

    def matches(self, article: EnrichedArticle, haystack: str, codes: set[str]) -> bool:
        """Whether every condition of the rule holds for the article."""
        w = self.rule.when
        if self.any_kw is not None and not self.any_kw.search(haystack):
            return False
        if not all(p.search(haystack) for p in self.all_kw):
            return False
        if self.exclude_kw is not None and self.exclude_kw.search(haystack):
            return False
        if w.entities and not any(_entity_hit(m, article) for m in w.entities):
            return False
        if w.sources and not _source_hit(w.sources, article.source):
            return False
        if w.languages and article.language.code not in w.languages:
            return False
        if w.countries and not {p.country_code for p in article.places} & set(w.countries):
            return False
        return not (w.topics and not set(w.topics) & codes)


def _entity_hit(match: EntityMatch, article: EnrichedArticle) -> bool:
    want = match.text.casefold() if match.text else None
    return any(
        (want is None or e.text.casefold() == want) and (match.type is None or e.type == match.type)
        for e in article.entities
    )


def _source_hit(sources: list[str], source: str | None) -> bool:
    """A source matches itself and its subdomains: "detik.com" matches "news.detik.com"."""
    if not source:
        return False
    have = source.casefold()
    return any(have == s.casefold() or have.endswith("." + s.casefold()) for s in sources)


@dataclass(frozen=True)
class RuleSet:
    """Validated rules and a version that changes whenever their content does."""

    rules: tuple[CompiledRule, ...]
    version: str
    origin: str = "<memory>"

    @classmethod
    def from_model(cls, data: RulesFile, origin: str = "<memory>") -> RuleSet:
        canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()
        digest = hashlib.sha256(canonical).hexdigest()[:12]
        rules = tuple(CompiledRule.build(r) for r in data.rules)
        return cls(rules, f"{RULES_SCHEMA_VERSION}+{digest}", origin)

    def apply(self, article: EnrichedArticle, topics: list[Topic]) -> tuple[list[str], list[Topic]]:
        """Tags of every matching rule (in rule order, deduplicated) and the topics they add."""
        haystack = f"{article.title or ''}\n{article.text}"
        codes = {t.code for t in topics}
        tags: dict[str, None] = {}
        added: dict[str, float] = {}
        for compiled in self.rules:
            if compiled.matches(article, haystack, codes):
                tags.update(dict.fromkeys(compiled.rule.tags))
                for code in compiled.rule.topics:
                    added[code] = max(added.get(code, 0.0), compiled.rule.topic_score)
        extra = [Topic(code=c, label=label(c), score=s) for c, s in added.items()]
        return list(tags), extra


def _where(loc: tuple[int | str, ...], raw: Any) -> str:
    """A readable location: 'rule #2 ("nato") when.keywords[0]' for loc ('rules', 1, ...)."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        idx = loc[1]
        name = ""
        rules = raw.get("rules") if isinstance(raw, dict) else None
        if isinstance(rules, list) and idx < len(rules) and isinstance(rules[idx], dict):
            name = f" ({rules[idx].get('name')!r})" if rules[idx].get("name") else ""
        rest = _dotted(loc[2:])
        return f"rule #{idx + 1}{name}" + (f" {rest}" if rest else "")
    return _dotted(loc) or "top level"


def _dotted(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_rules(raw: Any, origin: str = "<memory>") -> RuleSet:
    """Validate already-parsed YAML content; RulesError lists every problem found."""
    try:
        data = RulesFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"  {_where(tuple(e['loc']), raw)}: {e['msg']}" for e in exc.errors()]
        raise RulesError(f"{origin}: invalid tag rules:\n" + "\n".join(problems)) from None
    names = [r.name for r in data.rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RulesError(f"{origin}: rule names must be unique; repeated: {', '.join(dupes)}")
    return RuleSet.from_model(data, origin)


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rules YAML file; RulesError says which file, rule and field is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    return parse_rules(raw, str(path))
