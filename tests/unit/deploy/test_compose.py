"""``deploy/compose/`` validated offline: the file against the Compose Specification's own JSON
schema (vendored by check-jsonschema, no download), after compose's variable interpolation;
secrets only from required variables; every ``MARSAD_*`` name a real setting; Prometheus
scraping the ports the services serve. Each check is shown to reject a broken copy, so none
passes vacuously. Nothing here runs a container: no container engine is available."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from check_jsonschema.builtin_schemas import (  # type: ignore[import-untyped]
    get_builtin_schema,
)

from kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"
PROMETHEUS = ROOT / "deploy" / "compose" / "prometheus.yml"
ENV_EXAMPLE = ROOT / "deploy" / "compose" / ".env.example"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, $NAME;
# $$ is a literal dollar (left to the container's shell).
VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ENCRYPTION_?KEY|API_?KEY|CLUSTER_ID", re.I)
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|ENCRYPTIONKEY|API_?KEY|JAAS", re.I)
JAAS_VALUE = re.compile(r'(?:password|user_\w+)\s*=\s*"([^"]*)"')


class InterpolationError(ValueError):
    pass


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation of ``text`` with ``env`` (raises where compose would)."""

    def one(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg = match["op"] or "", match["arg"] or ""
        value = env.get(name)
        # ":" makes an empty value count as unset
        present = bool(value) if op.startswith(":") else value is not None
        kind = op.removeprefix(":")
        if kind == "?" and not present:
            raise InterpolationError(f"{name}: {arg}")
        if kind == "-" and not present:
            return arg
        if kind == "+":
            return arg if present else ""
        return value or ""

    return VARIABLE.sub(one, text)


def references(text: str) -> list[tuple[str, str]]:
    """Every variable the file reads: (name, operator) with "" for a plain reference."""
    return [
        (m["braced"] or m["bare"], m["op"] or "")
        for m in VARIABLE.finditer(text)
        if not m["escaped"]
    ]


def dummy_env(text: str) -> dict[str, str]:
    """A value for every required variable (what an operator's env file provides)."""
    return {name: f"dummy-{name.lower()}" for name, op in references(text) if op in {":?", "?"}}


def load(text: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    data = yaml.safe_load(interpolate(text, dummy_env(text) if env is None else env))
    assert isinstance(data, dict)
    return data


def schema_problems(data: dict[str, Any]) -> list[str]:
    schema = get_builtin_schema("vendor.compose-spec")
    # the vendored schema names draft-07 without the trailing "#", so name the draft here
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def environments(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each service's environment as a mapping (YAML merge keys already resolved)."""
    found: dict[str, dict[str, str]] = {}
    for name, service in data["services"].items():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
        found[name] = {str(k): str(v) for k, v in env.items()}
    return found


def secret_problems(text: str) -> list[str]:
    """Secrets come only from required variables: no default, no literal value."""
    problems = [
        f"${{{name}{op}...}}: a secret must be required (${{{name}:?...}}), never defaulted"
        for name, op in references(text)
        if SECRET_NAME.search(name) and op not in {":?", "?"}
    ]
    raw = yaml.safe_load(text)
    for service, env in environments(raw).items():
        for key, value in env.items():
            if not SECRET_KEY.search(key):
                continue
            if "${" not in value:
                problems.append(f"{service}: {key} is written in the file, not taken from the env")
            for literal in JAAS_VALUE.findall(value):
                if not literal.startswith("${"):
                    problems.append(f"{service}: {key} holds a literal password")
    return problems


def settings_problems(names: list[str]) -> list[str]:
    fields = set(Settings.model_fields)
    return [
        f"{name} is not a field of kernel.settings.Settings"
        for name in names
        if name.startswith("MARSAD_") and name.removeprefix("MARSAD_").lower() not in fields
    ]


def marsad_names(data: dict[str, Any]) -> list[str]:
    return [key for env in environments(data).values() for key in env]


def scrape_problems(data: dict[str, Any], prometheus: dict[str, Any]) -> list[str]:
    """Prometheus scrapes each Marsad service on the port that service is told to serve."""
    env = environments(data)
    wanted = {
        "worker": env["worker"].get("MARSAD_WORKER_WEB_PORT"),
        "connectors": env["connectors"].get("MARSAD_METRICS_PORT"),
    }
    scraped = {
        (name, str(sd["port"]))
        for job in prometheus["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }
    return [
        f"Prometheus does not scrape {service}:{port}"
        for service, port in wanted.items()
        if port is None or (service, port) not in scraped
    ]


@pytest.fixture(scope="module")
def text() -> str:
    return COMPOSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data(text: str) -> dict[str, Any]:
    return load(text)


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    loaded = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_validates_against_the_compose_spec(data: dict[str, Any]) -> None:
    assert schema_problems(data) == []


def test_check_jsonschema_cli_accepts_the_file_offline() -> None:
    """The tool itself, with its vendored schema (no download: --builtin-schema)."""
    cli = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(cli), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_refuses_to_start_without_the_secrets(text: str) -> None:
    env = dummy_env(text)
    del env["MARSAD_SEARCH_PASSWORD"]
    with pytest.raises(InterpolationError, match="MARSAD_SEARCH_PASSWORD"):
        interpolate(text, env)


def test_secrets_come_only_from_required_variables(text: str) -> None:
    assert secret_problems(text) == []
    secrets = {name for name, _ in references(text) if SECRET_NAME.search(name)}
    assert {"ELASTIC_PASSWORD", "MARSAD_SEARCH_PASSWORD", "KAFKA_MARSAD_PASSWORD"} <= secrets
    # the example env file names each of them, with no value
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert secrets <= set(example)
    assert all(example[name] == "" for name in secrets)


def test_every_marsad_variable_is_a_setting(data: dict[str, Any]) -> None:
    names = marsad_names(data)
    assert "MARSAD_KAFKA_BOOTSTRAP" in names
    assert settings_problems(names) == []


def test_the_services_and_their_roles(data: dict[str, Any]) -> None:
    services = data["services"]
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", services["kafka"]["image"])
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "SASL" in services["kafka"]["environment"]["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert re.search(r"elasticsearch:8\.\d+", services["elasticsearch"]["image"])
    assert re.search(r"kibana:8\.\d+", services["kibana"]["image"])
    es = services["elasticsearch"]["environment"]
    assert es["xpack.security.enabled"] == es["xpack.security.http.ssl.enabled"] == "true"
    assert services["worker"]["image"] == services["connectors"]["image"]
    assert services["worker"]["command"][0] == "worker"
    assert services["connectors"]["command"][0] == "connect"
    assert environments(data)["worker"]["MARSAD_SEARCH_URL"].startswith("https://")
    for role in ("worker", "connectors"):
        assert services[role]["user"] != "0"
        assert services[role]["read_only"] is True


def test_prometheus_scrapes_both(data: dict[str, Any], prometheus: dict[str, Any]) -> None:
    assert scrape_problems(data, prometheus) == []


# The checks reject broken copies -------------------------------------------------------------


def broken(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    change(copied)
    return copied


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["services"]["worker"].update(restart_policy="always"),  # unknown key
        lambda d: d["services"]["worker"].update(command=42),  # wrong type
        lambda d: d["services"]["kibana"]["depends_on"]["setup"].update(condition="done"),
        lambda d: d["networks"]["backend"].update(isolated=True),  # unknown key
    ],
)
def test_the_schema_rejects_a_broken_copy(
    data: dict[str, Any], change: Callable[[dict[str, Any]], None]
) -> None:
    assert schema_problems(broken(data, change)) != []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("${MARSAD_SEARCH_PASSWORD:?set MARSAD_SEARCH_PASSWORD}", "${MARSAD_SEARCH_PASSWORD:-x}"),
        ("${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD}", "${ELASTIC_PASSWORD}"),
        ("${KIBANA_SYSTEM_PASSWORD:?set KIBANA_SYSTEM_PASSWORD}", "hunter2"),
        ('user_marsad="${KAFKA_MARSAD_PASSWORD:?set KAFKA_MARSAD_PASSWORD}"', 'user_marsad="x"'),
    ],
)
def test_the_secret_check_rejects_a_broken_copy(text: str, old: str, new: str) -> None:
    assert old in text
    assert secret_problems(text.replace(old, new, 1)) != []


def test_the_settings_check_rejects_an_unknown_name(data: dict[str, Any]) -> None:
    copied = broken(data, lambda d: d["services"]["worker"]["environment"].update(MARSAD_URL="x"))
    assert settings_problems(marsad_names(copied)) == [
        "MARSAD_URL is not a field of kernel.settings.Settings"
    ]


def test_the_scrape_check_rejects_a_moved_port(
    data: dict[str, Any], prometheus: dict[str, Any]
) -> None:
    copied = broken(
        data,
        lambda d: d["services"]["worker"]["environment"].update(MARSAD_WORKER_WEB_PORT="7000"),
    )
    assert scrape_problems(copied, prometheus) == ["Prometheus does not scrape worker:7000"]


def test_interpolation_follows_compose() -> None:
    env = {"A": "a", "E": ""}
    assert interpolate("$$A ${A} $A ${E:-d} ${E-d} ${U-d} ${A:+x} ${E:+x}", env) == "$A a a d  d x "
    with pytest.raises(InterpolationError):
        interpolate("${E:?needed}", env)
