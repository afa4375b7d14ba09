"""The source registry (``deploy/sources.yaml``), validated at load.

Each source names its outlet and its ways in: RSS/Atom/RDF ``feeds``, news or plain
``sitemaps`` (a sitemap index is recognised when fetched), and ``listings``: section pages whose
article links match a regular expression, for sites that have neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.exceptions import SourceConfigError

Affiliation = Literal["state_media", "opposition", "pan_arab", "international", "agency", "demo"]
WayKind = Literal["feed", "sitemap", "listing"]


class SitemapSpec(BaseModel):
    """A sitemap (or sitemap index): ``news`` sitemaps carry publication dates and titles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: HttpUrl
    kind: Literal["news", "plain"] = "news"
    max_age_h: float = Field(
        default=48.0, gt=0, description="Ignore entries whose date is older than this."
    )
    max_children: int = Field(
        default=3, ge=1, le=50, description="Newest child sitemaps followed in an index."
    )


class ListingSpec(BaseModel):
    """A section page; links whose absolute URL matches ``pattern`` are articles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: HttpUrl
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


@dataclass(frozen=True, slots=True)
class WayIn:
    """One document the connector polls for a source."""

    kind: WayKind
    url: str
    sitemap: SitemapSpec | None = None
    listing: ListingSpec | None = None


class Source(BaseModel):
    """One outlet and its ways in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")
    name_ar: str = Field(min_length=1)
    name_latin: str = Field(min_length=1)
    home: HttpUrl
    language: str = Field(default="ar", pattern=r"^[a-z]{2,3}$")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code, where it is based.")
    affiliation: Affiliation
    group: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$",
        description="Ownership / affiliation group: outlets of one owner are not independent "
        "(alerting counts groups, not outlets). Unset: the source is its own group.",
    )
    feeds: tuple[HttpUrl, ...] = ()
    sitemaps: tuple[SitemapSpec, ...] = ()
    listings: tuple[ListingSpec, ...] = ()
    poll_interval_s: float = Field(default=300.0, gt=0)
    max_items_per_poll: int = Field(
        default=100, ge=1, description="New article URLs taken from one poll (newest first)."
    )
    allow_private: bool = Field(
        default=False, description="Allow loopback/private addresses (the demo sites only)."
    )
    verified: bool = Field(
        default=False, description="Whether the addresses were checked from a networked machine."
    )
    notes: str | None = None

    @field_validator("sitemaps", mode="before")
    @classmethod
    def _sitemap_shorthand(cls, value: Any) -> Any:
        """``sitemaps: [https://...]`` is short for ``[{url: https://...}]``."""
        if isinstance(value, list | tuple):
            return [{"url": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _has_a_way_in(self) -> Source:
        if not (self.feeds or self.sitemaps or self.listings):
            raise ValueError(f"source {self.id!r} has no way in: give feeds, sitemaps or listings")
        return self

    @property
    def outlet_group(self) -> str:
        """The independent outlet group this source belongs to (its own id if none is given)."""
        return self.group or self.id

    @property
    def ways_in(self) -> tuple[WayIn, ...]:
        return (
            *(WayIn("feed", str(url)) for url in self.feeds),
            *(WayIn("sitemap", str(s.url), sitemap=s) for s in self.sitemaps),
            *(WayIn("listing", str(page.url), listing=page) for page in self.listings),
        )


class SourceRegistry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    sources: tuple[Source, ...] = Field(min_length=1)

    def outlet_groups(self) -> dict[str, str]:
        """Source id -> outlet group, the plain mapping the alerting core takes."""
        return {source.id: source.outlet_group for source in self.sources}


def load_sources(path: Path) -> SourceRegistry:
    """Read and validate a sources file; raise SourceConfigError saying what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceConfigError(f"sources file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise SourceConfigError(f"{path} is not valid YAML: {exc}") from exc
    try:
        registry = SourceRegistry.model_validate(raw)
    except ValidationError as exc:
        raise SourceConfigError(f"{path} does not validate:\n{exc}") from exc
    ids = [s.id for s in registry.sources]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SourceConfigError(f"{path}: duplicate source ids {duplicates}")
    return registry


def dump_sources(registry: SourceRegistry, path: Path) -> None:
    """Write a registry as YAML (used for generated sources files)."""
    data = registry.model_dump(mode="json", exclude_defaults=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
