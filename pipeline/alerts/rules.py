"""Alert rules as data (``deploy/alerts.yaml``), validated at load.

A rule watches mentions (paragraph clusters, or stories with ``unit: story``; see
:mod:`pipeline.alerts.mentions`) grouped by a
key made of one or more fields (``[actor]``, ``[actor, governorate]``), narrowed by ``match``
(only these key values) and ``filters`` (only mentions with this event type, governorate or
outlet group). Kinds::

    spike      the current window against the previous one, or a seasonal baseline (same
               hour of the week over N weeks); judged by a count test, never a bare ratio
    threshold  at least ``count`` mentions in one window
    frequency  at least ``count`` mentions within ``timeframe``, sliding
    new_term   a key value not mentioned for ``lookback`` (after ``warmup`` of learning)
    flatline   a key (a source, an outlet group, an actor) silent longer than its usual gap
    watchlist  at least ``count`` paragraphs matching a saved Arabic ``query`` in one window
               (:mod:`pipeline.alerts.watchlist`); its key is ``[query]`` (the query itself),
               optionally with other fields (``[query, governorate]``)

A broken rule raises :class:`RuleConfigError` naming the rule id and the field.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from pipeline.alerts.exceptions import RuleConfigError
from pipeline.alerts.watchlist import parse_query

KeyField = Literal[
    "actor", "place", "governorate", "event_type", "keyword", "source", "group", "query"
]
FilterField = Literal["actor", "place", "governorate", "event_type", "source", "group"]
WEEK = timedelta(days=7)
_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: Any) -> Any:
    """``"90m"``, ``"1h"``, ``"7d"``, ``"2w"`` (or seconds as a number) as a timedelta."""
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match is None:
            raise ValueError(f"not a duration like 30m, 1h, 7d or 2w: {value!r}")
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")
    description: str = ""
    key: tuple[KeyField, ...] = Field(min_length=1, max_length=3)
    match: dict[KeyField, tuple[str, ...]] = Field(default_factory=dict)
    filters: dict[FilterField, tuple[str, ...]] = Field(default_factory=dict)
    keywords: tuple[str, ...] = Field(default=(), description="Phrases for the keyword key.")
    window: timedelta = timedelta(hours=1)
    cooldown: timedelta = timedelta(hours=6)
    min_count: int = Field(default=3, ge=1)
    min_groups: int = Field(default=1, ge=1, description="Independent outlet groups needed.")
    unit: Literal["cluster", "story"] = Field(
        default="cluster", description="What one mention is: a paragraph cluster or a story."
    )

    @model_validator(mode="before")
    @classmethod
    def _durations(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for name in ("window", "cooldown", "timeframe", "lookback", "warmup", "min_silence"):
                if name in data:
                    data[name] = parse_duration(data[name])
        return data

    @model_validator(mode="after")
    def _consistent(self) -> _Base:
        if len(set(self.key)) != len(self.key):
            raise ValueError(f"key repeats a field: {list(self.key)}")
        if self.window <= timedelta(0) or self.cooldown < timedelta(0):
            raise ValueError("window must be positive and cooldown not negative")
        if WEEK % self.window:
            raise ValueError(f"window {self.window} does not divide a week")
        if ("keyword" in self.key) != bool(self.keywords):
            raise ValueError("a keyword key needs keywords, and keywords need a keyword key")
        stray = set(self.match) - set(self.key)
        if stray:
            raise ValueError(f"match names fields that are not in the key: {sorted(stray)}")
        if ("query" in self.key) != (getattr(self, "kind", "") == "watchlist"):
            raise ValueError("a query key is a watchlist's, and a watchlist's key has query")
        return self


class SpikeRule(_Base):
    kind: Literal["spike"]
    reference: Literal["previous", "seasonal"] = "previous"
    seasonal_weeks: int = Field(default=4, ge=1, le=26)
    p_value: float = Field(default=0.001, gt=0, lt=1)
    min_ratio: float = Field(default=2.0, ge=1, description="Observed at least this × expected.")
    expected_floor: float = Field(
        default=0.5, gt=0, description="Rate assumed when the reference had nothing (0/0)."
    )
    distribution: Literal["poisson", "negbin"] = "poisson"

    @model_validator(mode="after")
    def _seasonal_window(self) -> SpikeRule:
        if self.reference == "seasonal" and self.window > timedelta(days=1):
            raise ValueError("a seasonal baseline needs a window of a day or less")
        return self


class ThresholdRule(_Base):
    kind: Literal["threshold"]
    count: int = Field(ge=1)


class FrequencyRule(_Base):
    kind: Literal["frequency"]
    count: int = Field(ge=1)
    timeframe: timedelta

    @model_validator(mode="after")
    def _timeframe(self) -> FrequencyRule:
        _positive(self.timeframe)
        return self


class NewTermRule(_Base):
    kind: Literal["new_term"]
    min_count: int = Field(default=1, ge=1)
    lookback: timedelta = timedelta(days=30)
    warmup: timedelta | None = Field(
        default=None, description="Learning time before the first alert; default: lookback."
    )


class FlatlineRule(_Base):
    kind: Literal["flatline"]
    min_count: int = Field(default=1, ge=1)
    gap_factor: float = Field(default=3.0, gt=1)
    gap_quantile: float = Field(default=0.9, gt=0, le=1)
    min_gaps: int = Field(default=10, ge=2, description="Gaps observed before judging.")
    min_silence: timedelta = timedelta(hours=2)


class WatchlistRule(_Base):
    kind: Literal["watchlist"]
    key: tuple[KeyField, ...] = Field(default=("query",), min_length=1, max_length=3)
    query: str = Field(min_length=1, description='Terms, "phrases", OR, -excluded.')
    count: int = Field(default=1, ge=1)
    min_count: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _query(self) -> WatchlistRule:
        parse_query(self.query)  # its ValueError names the problem
        return self


Rule = Annotated[
    SpikeRule | ThresholdRule | FrequencyRule | NewTermRule | FlatlineRule | WatchlistRule,
    Field(discriminator="kind"),
]
_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


class FeedbackConfig(BaseModel):
    """What analysts' marks do (``feedback:`` in the rules file; see
    :mod:`pipeline.alerts.feedback`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    noise_period: timedelta = timedelta(days=14)
    """How long a key marked noise needs a larger rise."""
    noise_factor: float = Field(default=3.0, ge=1, le=100)
    """How many times larger: the reference rate, counts and silences are multiplied by it."""
    expected_period: timedelta = timedelta(days=2)
    """How long a key marked expected has its alerts flagged and not updated for growth."""

    @model_validator(mode="before")
    @classmethod
    def _durations(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {
                name: parse_duration(value) if name.endswith("_period") else value
                for name, value in data.items()
            }
        return data

    @model_validator(mode="after")
    def _periods(self) -> FeedbackConfig:
        _positive(self.noise_period)
        _positive(self.expected_period)
        return self


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    allowed_lateness: timedelta = timedelta(hours=2)
    feedback: FeedbackConfig = FeedbackConfig()
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        return next(rule for rule in self.rules if rule.id == rule_id)


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rules file; a RuleConfigError names the rule and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RuleConfigError(f"rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RuleConfigError(f"{path} is not valid YAML: {exc}") from exc
    return parse_rules(raw, str(path))


def parse_rules(raw: Any, name: str = "<rules>") -> RuleSet:
    """Validate rules already read: each rule on its own, so the error names it."""
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise RuleConfigError(f"{name}: expected a mapping with a 'rules' list")
    rules: list[Rule] = []
    for position, item in enumerate(raw["rules"], start=1):
        rule_id = item.get("id") if isinstance(item, dict) else None
        label = f"rule {rule_id!r}" if rule_id else f"rule #{position}"
        try:
            rules.append(_RULE.validate_python(item))
        except ValidationError as exc:
            raise RuleConfigError(f"{name}: {label}: {_first_problem(exc)}") from exc
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleConfigError(f"{name}: duplicate rule ids {duplicates}")
    try:
        lateness = parse_duration(raw.get("allowed_lateness", "2h"))
        return RuleSet.model_validate({**raw, "allowed_lateness": lateness, "rules": rules})
    except ValidationError as exc:
        raise RuleConfigError(f"{name}: {_first_problem(exc)}") from exc


def _first_problem(exc: ValidationError) -> str:
    """Every problem as ``field: message``, the kind's tag dropped from the location."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if part not in _KINDS]
        field = ".".join(loc) or "(rule)"
        problems.append(f"field {field}: {error['msg']}")
    return "; ".join(problems)


_KINDS = ("spike", "threshold", "frequency", "new_term", "flatline", "watchlist")
