"""The saved-objects import API as values: the request to send, and what its answer says.

``POST {url}[/s/{space}]/api/saved_objects/_import[?overwrite=true]``, multipart/form-data
with the NDJSON as the ``file`` part, and the anti-CSRF header of the target (``kbn-xsrf``
for Kibana, ``osd-xsrf`` for OpenSearch Dashboards). The answer is
``{"success": bool, "successCount": n, "errors": [...]}``; an HTTP error carries
``{"statusCode", "error", "message"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cli.kibana.saved_objects import Dashboards

IMPORT_PATH = "/api/saved_objects/_import"
XSRF_HEADER = {Dashboards.KIBANA: "kbn-xsrf", Dashboards.OPENSEARCH: "osd-xsrf"}
FILE_NAME = "marsad.ndjson"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    ndjson: bytes

    def files(self) -> dict[str, tuple[str, bytes, str]]:
        """The multipart body: one ``file`` part holding the NDJSON."""
        return {"file": (FILE_NAME, self.ndjson, "application/ndjson")}


@dataclass(frozen=True, slots=True)
class ImportResult:
    ok: bool
    success_count: int
    errors: list[str] = field(default_factory=list)
    message: str = ""

    def summary(self, sent: int) -> str:
        """What happened, in a few lines, for the operator."""
        if self.message:
            return self.message
        head = f"imported {self.success_count} of {sent} saved object(s)"
        if self.ok:
            return head
        if not self.errors:
            return f"{head}: the answer did not report success"
        return "\n".join([f"{head}; {len(self.errors)} failed:", *(f"  {e}" for e in self.errors)])


def build_request(
    base_url: str, ndjson: bytes, target: Dashboards, *, space: str | None, overwrite: bool
) -> ImportRequest:
    """The import request for ``target`` (in ``space``, else the default space)."""
    root = base_url.rstrip("/")
    if space and space != "default":
        root = f"{root}/s/{space}"
    params = {"overwrite": "true"} if overwrite else {}
    return ImportRequest(
        url=f"{root}{IMPORT_PATH}",
        params=params,
        headers={XSRF_HEADER[target]: "true"},
        ndjson=ndjson,
    )


def _object_error(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    what = f"{error.get('type', '?')}:{error.get('id', '?')}"
    title = error.get("title") or error.get("meta", {}).get("title")
    detail = error.get("error", {})
    kind = detail.get("type", "error") if isinstance(detail, dict) else str(detail)
    extra = ""
    if isinstance(detail, dict) and detail.get("references"):
        missing = ", ".join(f"{r.get('type')}:{r.get('id')}" for r in detail["references"])
        extra = f" (missing: {missing})"
    elif isinstance(detail, dict) and detail.get("message"):
        extra = f" ({detail['message']})"
    return f"{what}" + (f' "{title}"' if title else "") + f": {kind}{extra}"


def read_response(status: int, body: bytes) -> ImportResult:
    """The answer of the import API (any status) as a result with readable errors."""
    try:
        data: Any = json.loads(body) if body else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if status >= 400 or not isinstance(data, dict):
        reason = ""
        if isinstance(data, dict):
            reason = str(data.get("message") or data.get("error") or "")
        elif body:
            reason = body[:200].decode("utf-8", "replace").strip()
        hint = " (check MARSAD_KIBANA_USERNAME / MARSAD_KIBANA_PASSWORD)" if status == 401 else ""
        if status < 400:
            return ImportResult(
                ok=False,
                success_count=0,
                message=f"HTTP {status} but not an import API answer: is the URL Kibana's? "
                + reason,
            )
        return ImportResult(
            ok=False,
            success_count=0,
            message=f"the import was refused: HTTP {status}"
            + (f": {reason}" if reason else "")
            + hint,
        )
    errors = [_object_error(e) for e in data.get("errors") or []]
    count = data.get("successCount", 0)
    return ImportResult(
        ok=bool(data.get("success")) and not errors,
        success_count=count if isinstance(count, int) else 0,
        errors=errors,
    )
