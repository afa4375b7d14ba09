"""The source registry (``deploy/sources.yaml``), validated at load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from connectors.exceptions import SourceConfigError

Affiliation = Literal["state_media", "opposition", "pan_arab", "international", "agency", "demo"]


class Source(BaseModel):
    """One outlet and its ways in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")
    name_ar: str
    name_latin: str
    home: HttpUrl
    language: str = "ar"
    country: str = Field(min_length=2, max_length=2)
    affiliation: Affiliation
    feeds: tuple[HttpUrl, ...] = Field(min_length=1)
    poll_interval_s: float = Field(default=300.0, gt=0)
    allow_private: bool = Field(
        default=False, description="Allow loopback/private addresses (the demo sites only)."
    )
    verified: bool = Field(
        default=False, description="Whether the addresses were checked from a networked machine."
    )


class SourceRegistry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    sources: tuple[Source, ...] = Field(min_length=1)


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
    """Write a registry as YAML (used for the demo's generated sources file)."""
    data = registry.model_dump(mode="json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
