"""``marsad kibana import`` against a stand-in for the saved-objects import API on loopback.

The endpoint checks each request as Kibana's ``POST /api/saved_objects/_import`` would take
it (method, path, the anti-CSRF header, a multipart ``file`` part) and records it; the tests
check what the command sent (the NDJSON, ``overwrite``, basic auth) and what it made of the
answer. It has no saved-object store: whether a real Kibana accepts the objects themselves
is not tested here."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cli.commands.kibana import read_objects
from cli.kibana.importing import read_response
from cli.main import main
from kernel.datafiles import deploy_dir
from kernel.settings import Settings


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    parts: dict[str, tuple[str | None, bytes]]


@dataclass
class Endpoint:
    """What the stand-in answers, and what it received."""

    url: str = ""
    flavour: str = "kibana"
    status: int = 200
    answer: dict[str, Any] | None = None
    seen: list[Seen] = field(default_factory=list)


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = (part.get_filename(), payload)
    return parts


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def bad(self, status: int, message: str) -> None:
            error = {415: "Unsupported Media Type", 404: "Not Found"}.get(status, "Bad Request")
            self.reply(status, {"statusCode": status, "error": error, "message": message})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            split = urlsplit(self.path)
            content_type = self.headers.get("Content-Type", "")
            parts = _multipart(content_type, body) if "multipart" in content_type else {}
            endpoint.seen.append(
                Seen("POST", split.path, parse_qs(split.query), dict(self.headers), parts)
            )
            xsrf = "kbn-xsrf" if endpoint.flavour == "kibana" else "osd-xsrf"
            if not split.path.endswith("/api/saved_objects/_import"):
                self.bad(404, "Not Found")
            elif self.headers.get(xsrf) is None:
                self.bad(400, f"Request must contain a {xsrf} header.")
            elif not content_type.startswith("multipart/form-data"):
                self.bad(415, "Unsupported Media Type")
            elif "file" not in parts:
                self.bad(400, "[request body.file]: expected value of type [object]")
            else:
                self.reply(endpoint.status, endpoint.answer or {})

    return Handler


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    for name in (
        "MARSAD_KIBANA_URL",
        "MARSAD_KIBANA_USERNAME",
        "MARSAD_KIBANA_PASSWORD",
        "MARSAD_INDEX_PREFIX",
        "MARSAD_DEPLOY_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    state = Endpoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sent_objects(seen: Seen) -> list[dict[str, Any]]:
    filename, content = seen.parts["file"]
    assert filename and filename.endswith(".ndjson")
    return [json.loads(line) for line in content.decode("utf-8").splitlines()]


def test_imports_every_object_into_kibana(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = read_objects(Settings())
    endpoint.answer = {"success": True, "successCount": len(shipped), "successResults": []}
    code = main(["kibana", "import", "--url", endpoint.url, "--overwrite"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"imported {len(shipped)} of {len(shipped)} saved object(s)" in out
    (seen,) = endpoint.seen
    assert (seen.method, seen.path) == ("POST", "/api/saved_objects/_import")
    assert seen.query == {"overwrite": ["true"]}
    assert seen.headers["kbn-xsrf"] == "true"
    assert "osd-xsrf" not in seen.headers
    assert "Authorization" not in seen.headers
    assert sent_objects(seen) == shipped


def test_space_credentials_and_prefix(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARSAD_KIBANA_URL", endpoint.url + "/")
    monkeypatch.setenv("MARSAD_KIBANA_USERNAME", "analyst")
    monkeypatch.setenv("MARSAD_KIBANA_PASSWORD", "s3cret")
    monkeypatch.setenv("MARSAD_INDEX_PREFIX", "prod")
    endpoint.answer = {"success": True, "successCount": 16}
    assert main(["kibana", "import", "--space", "analysts"]) == 0
    (seen,) = endpoint.seen
    assert seen.path == "/s/analysts/api/saved_objects/_import"
    assert seen.query == {}
    expected = base64.b64encode(b"analyst:s3cret").decode()
    assert seen.headers["Authorization"] == f"Basic {expected}"
    titles = {o["attributes"]["title"] for o in sent_objects(seen) if o["type"] == "index-pattern"}
    assert titles == {"prod-articles", "prod-paragraphs", "prod-alerts"}


def test_opensearch_dashboards_get_their_header_and_only_what_they_support(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint.flavour = "opensearch"
    endpoint.answer = {"success": True, "successCount": 8}
    code = main(["kibana", "import", "--url", endpoint.url, "--dashboards", "opensearch"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (seen,) = endpoint.seen
    assert seen.headers["osd-xsrf"] == "true"
    assert "kbn-xsrf" not in seen.headers
    assert {o["type"] for o in sent_objects(seen)} == {"index-pattern", "search"}
    assert "skipped (not supported by OpenSearch Dashboards): dashboard:marsad-dashboard" in out
    assert "imported 8 of 8" in out


def test_objects_that_fail_give_a_non_zero_exit_and_say_which(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint.answer = {
        "success": False,
        "successCount": 14,
        "errors": [
            {
                "id": "marsad-map-events",
                "type": "map",
                "meta": {"title": "خريطة الأحداث حسب المحافظة"},
                "error": {
                    "type": "missing_references",
                    "references": [{"type": "index-pattern", "id": "marsad-paragraphs"}],
                },
            },
            {
                "id": "marsad-dashboard",
                "type": "dashboard",
                "title": "مرصد: لوحة الأحداث",
                "error": {"type": "conflict"},
            },
        ],
    }
    code = main(["kibana", "import", "--url", endpoint.url])
    err = capsys.readouterr().err
    assert code == 1
    assert "imported 14 of 16 saved object(s); 2 failed:" in err
    assert "map:marsad-map-events" in err and "missing: index-pattern:marsad-paragraphs" in err
    assert 'dashboard:marsad-dashboard "مرصد: لوحة الأحداث": conflict' in err


def test_a_refused_request_says_why_without_a_traceback(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint.status = 401
    endpoint.answer = {
        "statusCode": 401,
        "error": "Unauthorized",
        "message": "[security_exception]: unable to authenticate user",
    }
    assert main(["kibana", "import", "--url", endpoint.url]) == 1
    err = capsys.readouterr().err
    assert "HTTP 401: [security_exception]: unable to authenticate user" in err
    assert "MARSAD_KIBANA_USERNAME" in err
    assert "Traceback" not in err


def test_the_wrong_dashboards_flavour_is_refused_clearly(
    endpoint: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint.flavour = "opensearch"  # OpenSearch Dashboards answers a kbn-xsrf request 400
    assert main(["kibana", "import", "--url", endpoint.url]) == 1
    assert "HTTP 400: Request must contain a osd-xsrf header." in capsys.readouterr().err


def test_an_unreachable_kibana_is_a_message(
    capsys: pytest.CaptureFixture[str], endpoint: Endpoint
) -> None:
    url = endpoint.url.rsplit(":", 1)[0] + ":9"  # discard port: nothing listens
    assert main(["kibana", "import", "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"marsad kibana import: cannot reach {url}/api/saved_objects/_import")
    assert "Traceback" not in err


def test_objects_that_do_not_check_are_not_sent(
    endpoint: Endpoint,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "deploy"
    shutil.copytree(deploy_dir() / "index-templates", copy / "index-templates")
    shutil.copytree(deploy_dir() / "kibana", copy / "kibana")
    searches = copy / "kibana" / "searches.ndjson"
    searches.write_text(
        searches.read_text(encoding="utf-8").replace(
            '"id":"marsad-articles"', '"id":"marsad-articlez"', 1
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("MARSAD_DEPLOY_DIR", str(copy))
    assert main(["kibana", "import", "--url", endpoint.url]) == 1
    err = capsys.readouterr().err
    assert "index-pattern:marsad-articlez is not in the saved objects" in err
    assert endpoint.seen == []


def test_an_answer_that_is_not_json() -> None:
    result = read_response(502, b"<html>Bad Gateway</html>")
    assert not result.ok
    assert result.summary(3) == "the import was refused: HTTP 502: <html>Bad Gateway</html>"
    assert "not an import API answer" in read_response(200, b"<html>login</html>").summary(3)
