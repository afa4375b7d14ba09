"""``deploy/k8s/`` validated offline: every manifest against the Kubernetes OpenAPI schemas in
strict mode (kubernetes-validate bundles them: unknown fields and wrong types fail, no cluster
and no download), then what the schemas cannot say: Secrets only referenced, every ``MARSAD_*``
name a real setting, non-root and locked-down containers with requests and limits, the worker's
probes on its /health port, Services and annotations that point at ports that exist. Each
check is shown to reject a broken copy. Nothing was applied to a cluster."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes the README promises and the newest the bundled schemas know.
VERSIONS = ("1.30", "1.37")
SECRETS = {"marsad-search", "marsad-search-ca"}  # the Secrets deploy/k8s/README.md lists
SECRET_ENV = ("PASSWORD", "SECRET", "TOKEN", "API_KEY", "APIKEY")

Manifest = dict[str, Any]


def manifests() -> list[Manifest]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is not None:
                found.append(doc)
    return found


def schema_problems(docs: list[Manifest], version: str) -> list[str]:
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc.get('kind')}/{doc['metadata'].get('name')}: {exc.message}")
    return problems


def pod_specs(docs: list[Manifest]) -> Iterator[tuple[Manifest, Manifest]]:
    for doc in docs:
        if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield doc, doc["spec"]["template"]


def containers(docs: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for doc, template in pod_specs(docs):
        for container in template["spec"]["containers"]:
            yield f"{doc['metadata']['name']}/{container['name']}", container


def secret_problems(docs: list[Manifest]) -> list[str]:
    """No Secret with values in the files; secrets only by secretKeyRef to a known Secret."""
    problems = [
        f"Secret {doc['metadata']['name']} is included; reference it, do not ship it"
        for doc in docs
        if doc["kind"] == "Secret"
    ]
    for where, container in containers(docs):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref is not None and ref["name"] not in SECRETS:
                problems.append(f"{where}: {env['name']} refers to unknown Secret {ref['name']}")
            if "value" in env and any(word in env["name"].upper() for word in SECRET_ENV):
                problems.append(f"{where}: {env['name']} is written in the file")
    for doc, template in pod_specs(docs):
        for volume in template["spec"].get("volumes", []):
            if "secret" in volume and volume["secret"]["secretName"] not in SECRETS:
                problems.append(f"{doc['metadata']['name']}: unknown Secret volume {volume}")
    return problems


def marsad_names(docs: list[Manifest]) -> list[str]:
    names = [key for doc in docs if doc["kind"] == "ConfigMap" for key in doc.get("data", {})]
    names += [env["name"] for _, container in containers(docs) for env in container.get("env", [])]
    return [name for name in names if name.startswith("MARSAD_")]


def settings_problems(names: list[str]) -> list[str]:
    fields = set(Settings.model_fields)
    return [
        f"{name} is not a field of kernel.settings.Settings"
        for name in names
        if name.removeprefix("MARSAD_").lower() not in fields
    ]


def security_problems(docs: list[Manifest]) -> list[str]:
    problems = []
    for doc, template in pod_specs(docs):
        name = doc["metadata"]["name"]
        pod = template["spec"].get("securityContext", {})
        if pod.get("runAsNonRoot") is not True or pod.get("runAsUser", 0) == 0:
            problems.append(f"{name}: the pod may run as root")
        for container in template["spec"]["containers"]:
            ctx = container.get("securityContext", {})
            if ctx.get("runAsUser") == 0 or ctx.get("runAsNonRoot") is False:
                problems.append(f"{name}: container {container['name']} runs as root")
            if ctx.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name}: container {container['name']} may escalate")
            if ctx.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{name}: container {container['name']} writes its image")
            if "ALL" not in ctx.get("capabilities", {}).get("drop", []):
                problems.append(f"{name}: container {container['name']} keeps capabilities")
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                if set(resources.get(kind, {})) != {"cpu", "memory"}:
                    problems.append(f"{name}: container {container['name']} lacks {kind}")
    return problems


def config(docs: list[Manifest]) -> dict[str, str]:
    return {k: str(v) for doc in docs if doc["kind"] == "ConfigMap" for k, v in doc["data"].items()}


def port_of(container: Manifest, port: int | str) -> int | None:
    for declared in container.get("ports", []):
        if port in (declared["containerPort"], declared.get("name")):
            return int(declared["containerPort"])
    return None


def probe_problems(docs: list[Manifest]) -> list[str]:
    """The worker's readiness and liveness ask /health on the port its settings serve."""
    web_port = int(config(docs)["MARSAD_WORKER_WEB_PORT"])
    problems = []
    worker = [c for where, c in containers(docs) if where == "marsad-worker/worker"]
    if len(worker) != 1:
        return ["no container marsad-worker/worker"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http = worker[0].get(probe, {}).get("httpGet", {})
        if http.get("path") != "/health" or port_of(worker[0], http.get("port", "")) != web_port:
            problems.append(f"worker {probe} does not ask /health on {web_port}")
    return problems


def wiring_problems(docs: list[Manifest]) -> list[str]:
    """Services select pods and ports that exist; scrape annotations name declared ports;
    envFrom names a ConfigMap of the manifests."""
    problems = []
    config_maps = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "ConfigMap"}
    for doc, template in pod_specs(docs):
        name = doc["metadata"]["name"]
        annotations = template["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") == "true":
            port = int(annotations["prometheus.io/port"])
            if not any(port_of(c, port) for c in template["spec"]["containers"]):
                problems.append(f"{name}: prometheus.io/port {port} is no container port")
        for container in template["spec"]["containers"]:
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref is not None and ref not in config_maps:
                    problems.append(f"{name}: envFrom names unknown ConfigMap {ref}")
    for service in (doc for doc in docs if doc["kind"] == "Service"):
        selector = service["spec"]["selector"]
        matched = [
            template
            for _, template in pod_specs(docs)
            if selector.items() <= template["metadata"]["labels"].items()
        ]
        if not matched:
            problems.append(f"Service {service['metadata']['name']} selects no pod")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if not any(port_of(c, target) for t in matched for c in t["spec"]["containers"]):
                problems.append(f"Service {service['metadata']['name']}: no port {target}")
    return problems


@pytest.fixture(scope="module")
def docs() -> list[Manifest]:
    return manifests()


def test_the_manifests_are_there(docs: list[Manifest]) -> None:
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for doc in docs)
    assert ("Deployment", "marsad-worker") in kinds
    assert ("Deployment", "marsad-connectors") in kinds
    assert ("ConfigMap", "marsad-config") in kinds
    assert {"marsad-worker", "marsad-connectors"} <= {n for k, n in kinds if k == "Service"}
    args = {where: c["args"][0] for where, c in containers(docs)}
    assert args == {"marsad-worker/worker": "worker", "marsad-connectors/connectors": "connect"}
    assert all(doc["metadata"].get("namespace", "marsad") == "marsad" for doc in docs)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_validates_strictly(docs: list[Manifest], version: str) -> None:
    assert schema_problems(docs, version) == []


def test_secrets_are_only_referenced(docs: list[Manifest]) -> None:
    assert secret_problems(docs) == []
    refs = {
        env["valueFrom"]["secretKeyRef"]["name"]
        for _, c in containers(docs)
        for env in c.get("env", [])
        if "valueFrom" in env
    }
    assert "marsad-search" in refs


def test_every_marsad_variable_is_a_setting(docs: list[Manifest]) -> None:
    names = marsad_names(docs)
    assert "MARSAD_SEARCH_PASSWORD" in names
    assert "MARSAD_KAFKA_BOOTSTRAP" in names
    assert settings_problems(names) == []


def test_containers_are_non_root_and_bounded(docs: list[Manifest]) -> None:
    assert security_problems(docs) == []


def test_the_worker_is_probed_on_health(docs: list[Manifest]) -> None:
    assert probe_problems(docs) == []


def test_services_and_annotations_point_at_real_ports(docs: list[Manifest]) -> None:
    assert wiring_problems(docs) == []


# The checks reject broken copies -------------------------------------------------------------


def find(docs: list[Manifest], kind: str, name: str) -> Manifest:
    (doc,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def worker(docs: list[Manifest]) -> Manifest:
    spec = find(docs, "Deployment", "marsad-worker")["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert isinstance(container, dict)
    return container


def broken(docs: list[Manifest], change: Callable[[list[Manifest]], None]) -> list[Manifest]:
    copied = copy.deepcopy(docs)
    change(copied)
    return copied


@pytest.mark.parametrize(
    "change",
    [
        lambda d: worker(d).update(imagePullPolcy="Always"),  # unknown field
        lambda d: find(d, "Deployment", "marsad-worker")["spec"].update(replicas="two"),
        lambda d: worker(d)["readinessProbe"].update(httpGet={"path": "/health"}),  # no port
        lambda d: find(d, "Service", "marsad-worker")["spec"]["ports"][0].update(port="web"),
    ],
)
def test_the_schema_rejects_a_broken_copy(
    docs: list[Manifest], change: Callable[[list[Manifest]], None]
) -> None:
    assert schema_problems(broken(docs, change), VERSIONS[-1]) != []


@pytest.mark.parametrize(
    ("check", "change"),
    [
        (
            secret_problems,
            lambda d: d.append(
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "marsad-search"}}
            ),
        ),
        (
            secret_problems,
            lambda d: worker(d)["env"].append({"name": "MARSAD_SEARCH_PASSWORD", "value": "x"}),
        ),
        (
            secret_problems,
            lambda d: worker(d)["env"][0]["valueFrom"]["secretKeyRef"].update(name="other"),
        ),
        (
            lambda d: settings_problems(marsad_names(d)),
            lambda d: find(d, "ConfigMap", "marsad-config")["data"].update(MARSAD_SEARCH_HOST="x"),
        ),
        (
            security_problems,
            lambda d: find(d, "Deployment", "marsad-connectors")["spec"]["template"]["spec"][
                "securityContext"
            ].update(runAsUser=0),
        ),
        (security_problems, lambda d: worker(d)["securityContext"].pop("readOnlyRootFilesystem")),
        (security_problems, lambda d: worker(d)["resources"].pop("limits")),
        (probe_problems, lambda d: worker(d)["livenessProbe"]["httpGet"].update(path="/metrics")),
        (
            probe_problems,
            lambda d: find(d, "ConfigMap", "marsad-config")["data"].update(
                MARSAD_WORKER_WEB_PORT="7000"
            ),
        ),
        (
            wiring_problems,
            lambda d: find(d, "Service", "marsad-worker")["spec"]["ports"][0].update(
                targetPort="http"
            ),
        ),
        (
            wiring_problems,
            lambda d: find(d, "Deployment", "marsad-connectors")["spec"]["template"]["metadata"][
                "annotations"
            ].update({"prometheus.io/port": "9999"}),
        ),
    ],
)
def test_each_check_rejects_a_broken_copy(
    docs: list[Manifest],
    check: Callable[[list[Manifest]], list[str]],
    change: Callable[[list[Manifest]], None],
) -> None:
    assert check(docs) == []
    assert check(broken(docs, change)) != []
