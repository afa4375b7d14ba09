"""The worker's HTTP endpoint: ``GET /metrics`` (Prometheus) and ``GET /health`` (JSON).

Served by prometheus_client's WSGI application on the standard library's ``wsgiref`` server,
in a thread of its own, rather than by Faust's web server (``web_enabled``, ``@app.page``):

- a thread answers while the stages keep the event loop busy with CPU work (extraction,
  dedupe), and can tell that the loop stopped answering: ``/health`` then says so with a 503
  instead of timing out like a view on that loop would;
- Faust's ``web_port`` must be 1-65535, while port 0 (a free port, whose address is then
  logged) is what lets tests and ``marsad demo`` run several workers on one machine;
- Faust's server also mounts ``/table`` and ``/router``, which serve table contents (here the
  deduplicator's state) and the cluster's topology;
- prometheus_client is already how the connectors serve their metrics, and its WSGI app does
  the content negotiation (OpenMetrics, gzip) ``/metrics`` needs.

Port: None (the default setting) serves on :data:`DEFAULT_PORT`, or on a free port when that
one is taken (several workers on one machine all start); an explicit port must be free, else
the worker does not start. The address is logged as ``worker web url=...`` (:func:`find_url`).
"""

from __future__ import annotations

import errno
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app

from pipeline.health import Health

log = logging.getLogger(__name__)

DEFAULT_PORT = 6066
_URL = re.compile(r"worker web url=(http://\S+)")
_INDEX = b"marsad worker: GET /metrics (Prometheus), GET /health (JSON)\n"


def announcement(url: str) -> str:
    """The line that tells where the worker serves (:func:`find_url` reads it back)."""
    return f"worker web url={url} metrics={url}/metrics health={url}/health"


def url_of(host: str, port: int) -> str:
    """``http://host:port``, an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def find_url(text: str) -> str | None:
    """The last address a worker announced in ``text`` (its log), if any."""
    found = _URL.findall(text)
    return found[-1] if found else None


def application(
    health: Callable[[], Health], registry: CollectorRegistry = REGISTRY
) -> WSGIApplication:
    """Route ``/metrics`` to prometheus_client, ``/health`` to ``health()``; GET and HEAD only."""
    metrics = make_wsgi_app(registry)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if environ.get("REQUEST_METHOD", "GET") not in {"GET", "HEAD"}:
            return _reply(start_response, HTTPStatus.METHOD_NOT_ALLOWED, b"GET only\n")
        if path == "/metrics":
            body: Iterable[bytes] = metrics(environ, start_response)
            return body
        if path == "/health":
            report = health()
            document = json.dumps(report.body, ensure_ascii=False).encode()
            status = HTTPStatus(report.http_status)
            return _reply(start_response, status, document, "application/json")
        if path == "/":
            return _reply(start_response, HTTPStatus.OK, _INDEX)
        return _reply(start_response, HTTPStatus.NOT_FOUND, b"not found\n")

    return app


def _reply(
    start_response: StartResponse,
    status: HTTPStatus,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(f"{status.value} {status.phrase}", headers)
    return [body]


class _Server(ThreadingMixIn, WSGIServer):
    """One thread a request, none outliving the process."""

    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes come every few seconds: no access log."""


@dataclass
class WebEndpoint:
    """A running server; :meth:`close` stops it."""

    server: WSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        address, port = self.server.server_address[:2]
        host = address if isinstance(address, str) else bytes(address).decode()
        return url_of(host, port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5.0)


def serve(
    host: str,
    port: int | None,
    health: Callable[[], Health],
    *,
    registry: CollectorRegistry = REGISTRY,
    default_port: int = DEFAULT_PORT,
) -> WebEndpoint:
    """Bind, then serve in a daemon thread; raises OSError when an explicit port is taken."""
    app = application(health, registry)
    server = _bind(host, port, default_port, app)
    thread = threading.Thread(target=server.serve_forever, name="marsad-web", daemon=True)
    thread.start()
    endpoint = WebEndpoint(server, thread)
    log.info(announcement(endpoint.url))
    return endpoint


def _bind(host: str, port: int | None, default_port: int, app: WSGIApplication) -> WSGIServer:
    server_class = _Server6 if ":" in host else _Server
    if port is None:
        try:
            return make_server(host, default_port, app, server_class, _QuietHandler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            log.warning("worker web port taken port=%d: serving on a free port", default_port)
        port = 0
    return make_server(host, port, app, server_class, _QuietHandler)
