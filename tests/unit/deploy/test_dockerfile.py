"""The root ``Dockerfile`` parsed offline by BuildKit's own Go parser (the ``dockerfile``
package) and checked: a build stage that compiles native/ with maturin and builds Marsad's
wheels, a slim runtime stage that installs only those wheels, no build tools or development
tools in it, a non-root final USER, ``ENTRYPOINT ["marsad"]`` with ``CMD ["worker"]``, no ADD
of a URL; ``.dockerignore`` keeps the virtualenvs and build output out of the context. Each
check is shown to reject a broken copy. No image was built: no container engine here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile  # type: ignore[import-not-found]
import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
BUILD_TOOLS = re.compile(r"\b(cargo|rustup|rustc|maturin|build-essential|gcc|devtools|\[dev\])\b")


@dataclass
class Stage:
    base: str
    name: str | None
    commands: list[dockerfile.Command] = field(default_factory=list)

    def runs(self) -> str:
        return "\n".join(" ".join(c.value) for c in self.commands if c.cmd == "RUN")


def stages(text: str) -> list[Stage]:
    found: list[Stage] = []
    for command in dockerfile.parse_string(text):
        if command.cmd == "FROM":
            value = command.value
            name = value[2] if len(value) == 3 and value[1].upper() == "AS" else None
            found.append(Stage(value[0], name))
        elif found:
            found[-1].commands.append(command)
    return found


def build_problems(builders: list[Stage]) -> list[str]:
    runs = "\n".join(stage.runs() for stage in builders)
    found = []
    if not re.search(r"maturin build .*native/Cargo\.toml", runs):
        found.append("no build stage builds native/ with maturin")
    if not re.search(r"pip wheel .*\.", runs):
        found.append("no build stage builds Marsad's wheel (pip wheel)")
    return found


def runtime_problems(final: Stage) -> list[str]:
    found = []
    if not re.match(r"python:.*slim", final.base):
        found.append(f"the runtime stage is not a slim Python image: {final.base}")
    if BUILD_TOOLS.search(final.runs()):
        found.append("the runtime stage installs build or development tools")
    flags = [flag for command in final.commands for flag in command.flags]
    if any(flag.startswith("--from=") and not flag.endswith("=build") for flag in flags):
        found.append("the runtime stage copies from a tool stage")
    if "--no-index" not in final.runs() or "from=build" not in " ".join(flags):
        found.append("the runtime stage does not install only the build stage's wheels")
    users = [c.value[0] for c in final.commands if c.cmd == "USER"]
    if not users or users[-1].split(":")[0] in {"0", "root"}:
        found.append("the final stage runs as root")
    entry = [c for c in final.commands if c.cmd == "ENTRYPOINT"]
    if not entry or not entry[-1].json or entry[-1].value != ("marsad",):
        found.append('the entrypoint is not ["marsad"] (exec form)')
    cmd = [c for c in final.commands if c.cmd == "CMD"]
    if not cmd or not cmd[-1].json or cmd[-1].value != ("worker",):
        found.append('the default command is not ["worker"]')
    return found


def problems(text: str) -> list[str]:
    found = [
        f"line {command.start_line}: ADD of a URL"
        for command in dockerfile.parse_string(text)
        if command.cmd == "ADD" and any(re.match(r"(https?|git)://|git@", v) for v in command.value)
    ]
    all_stages = stages(text)
    if len(all_stages) < 2:
        return [*found, "not a multi-stage build"]
    return found + build_problems(all_stages[:-1]) + runtime_problems(all_stages[-1])


@pytest.fixture(scope="module")
def text() -> str:
    return DOCKERFILE.read_text(encoding="utf-8")


def test_the_dockerfile_parses_into_build_and_runtime_stages(text: str) -> None:
    names = [stage.name for stage in stages(text)]
    assert names[-2:] == ["build", "runtime"]


def test_the_dockerfile_passes_every_check(text: str) -> None:
    assert problems(text) == []


def test_the_context_leaves_out_local_state() -> None:
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".venv", "native/target", "**/.git", ".marsad", "devtools", "tests"} <= ignored


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("USER 10001:10001", "USER root", "the final stage runs as root"),
        ("USER 10001:10001", "", "the final stage runs as root"),
        ('ENTRYPOINT ["marsad"]', "ENTRYPOINT marsad", "the entrypoint is not"),
        ('CMD ["worker"]', 'CMD ["connect"]', "the default command is not"),
        ("COPY native/ native/", "ADD https://example.org/x.tgz /x", "ADD of a URL"),
        ("RUN maturin build", "RUN cargo build", "no build stage builds native/"),
        ("RUN pip wheel", "RUN pip download", "no build stage builds Marsad's wheel"),
        (
            "python -m pip install --no-cache-dir",
            "pip install -e ./devtools && pip install",
            "installs build or development tools",
        ),
        ("--no-index ", "", "does not install only the build stage's wheels"),
        (
            "RUN --mount=type=bind,from=build",
            "COPY --from=rust /x /x\nRUN --mount=type=bind,from=build",
            "copies from a tool stage",
        ),
    ],
)
def test_each_check_rejects_a_broken_copy(text: str, old: str, new: str, problem: str) -> None:
    assert old in text
    found = problems(text.replace(old, new, 1))
    assert found != []
    assert any(problem in line for line in found), found


def test_a_single_stage_image_is_rejected(text: str) -> None:
    runtime = text[text.index("FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS runtime") :]
    assert "not a multi-stage build" in problems(runtime)
