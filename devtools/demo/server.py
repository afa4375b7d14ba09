"""Serve the demo outlets on loopback, one ``ThreadingHTTPServer`` (own port) per outlet.

Every response carries ``ETag`` and ``Last-Modified``; ``If-None-Match`` / ``If-Modified-Since``
get a 304. ``/admin/`` is forbidden (and disallowed in robots.txt); unknown paths get a 404 page
in the outlet's chrome. Query strings (``?utm_source=rss``) are ignored when looking up a page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple, cast
from urllib.parse import unquote, urlsplit

from devtools.demo.sites import DemoSites, Resource

logger = logging.getLogger(__name__)

PortChoice = Mapping[str, int] | Sequence[int] | None
"""Ports by outlet id, or in outlet order, or None: every port 0 (the OS chooses)."""


class OutletEndpoint(NamedTuple):
    outlet_id: str
    name_ar: str
    name_latin: str
    base_url: str
    feed_url: str


class _OutletServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    resources: Mapping[str, Resource] = {}
    not_found = Resource(b"", "text/plain; charset=utf-8", datetime(1970, 1, 1, tzinfo=UTC))
    outlet_id = ""


def _not_modified(handler: BaseHTTPRequestHandler, resource: Resource) -> bool:
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return resource.last_modified.replace(microsecond=0) <= since


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MarsadDemo/1.0"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        server = cast(_OutletServer, self.server)
        path = unquote(urlsplit(self.path).path) or "/"
        resource = server.resources.get(path)
        if resource is None and path.endswith("/") and path != "/":
            resource = server.resources.get(path.rstrip("/"))
        status = 200
        if path == "/admin" or path.startswith("/admin/"):
            resource, status = server.not_found, 403
        elif resource is None:
            resource, status = server.not_found, 404
        if status == 200 and _not_modified(self, resource):
            self.send_response(304)
            self._validators(resource)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        if status == 200:
            self._validators(resource)
            self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def _validators(self, resource: Resource) -> None:
        self.send_header("ETag", resource.etag)
        self.send_header("Last-Modified", format_datetime(resource.last_modified, usegmt=True))

    def log_message(self, format: str, *args: object) -> None:
        server = cast(_OutletServer, self.server)
        logger.debug("demo_request outlet=%s %s", server.outlet_id, format % args)


def _port_for(ports: PortChoice, index: int, outlet_id: str) -> int:
    if ports is None:
        return 0
    if isinstance(ports, Mapping):
        return ports.get(outlet_id, 0)
    return ports[index] if index < len(ports) else 0


class RunningDemo:
    """The outlets being served; close() stops them all."""

    def __init__(self, sites: DemoSites, host: str = "127.0.0.1", ports: PortChoice = None):
        self.sites = sites
        self.outlets: list[OutletEndpoint] = []
        self._servers: list[_OutletServer] = []
        self._threads: list[threading.Thread] = []
        try:
            for index, outlet in enumerate(sites.outlets):
                server = _OutletServer((host, _port_for(ports, index, outlet.id)), _Handler)
                self._servers.append(server)
                base_url = f"http://{host}:{server.server_address[1]}"
                server.outlet_id = outlet.id
                server.resources = sites.render(outlet.id, base_url)
                server.not_found = sites.not_found(outlet.id, base_url)
                self.outlets.append(
                    OutletEndpoint(
                        outlet.id,
                        outlet.name_ar,
                        outlet.name_latin,
                        base_url,
                        base_url + outlet.feed_path,
                    )
                )
        except BaseException:
            self.close()
            raise
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"demo-{server.outlet_id}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        logger.info("demo_sites_started outlets=%d host=%s", len(self.outlets), host)

    def close(self) -> None:
        for server, thread in zip(self._servers, self._threads, strict=False):
            server.shutdown()
            thread.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> RunningDemo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def serve_demo_sites(
    host: str = "127.0.0.1",
    ports: PortChoice = None,
    *,
    now: datetime | None = None,
    sites: DemoSites | None = None,
) -> Iterator[RunningDemo]:
    """Serve every demo outlet in background threads until the block exits.

    ``now`` re-dates the articles as recent news (historical dates without it); ``sites``
    replaces the seeded sites altogether.
    """
    running = RunningDemo(sites or DemoSites.from_seeds(now), host, ports)
    try:
        yield running
    finally:
        running.close()
