"""An asyncio HTTP/1.1 server for fixtures: keep-alive, optional TLS, scripted misbehaviour."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str
    headers: Mapping[str, str]
    started: float
    """``time.monotonic()`` when the request line arrived."""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def host(self) -> str:
        return self.headers.get("host", "").rsplit(":", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer. ``conditional`` adds an ETag/Last-Modified and answers 304 to a
    matching conditional request."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    conditional: bool = False
    delay_s: float = 0.0
    """Wait this long before answering at all."""
    drip_s: float = 0.0
    """Send the body one ``drip_bytes`` chunk at a time, this long apart."""
    drip_bytes: int = 1
    endless: bool = False
    """Send ``body`` over and over, without a length, until the client leaves."""
    hang: bool = False
    """Read the request, never answer."""
    declared_length: int | None = None
    """A Content-Length to send instead of the true one."""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


Route = Reply | Callable[[Request], Reply]
Router = Callable[[Request], Reply | None]

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class FixtureServer:
    """Serves ``routes`` (by path) or ``router`` (any request) on 127.0.0.1."""

    routes: dict[str, Route] = field(default_factory=dict)
    router: Router | None = None
    ssl_context: ssl.SSLContext | None = None
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    finished: list[tuple[Request, float]] = field(default_factory=list)
    record: bool = True
    _server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._client, self.host, self.port, ssl=self.ssl_context, limit=MAX_HEADER_BYTES
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def _reply(self, request: Request) -> Reply:
        route = self.routes.get(request.path)
        if route is None and self.router is not None:
            route = self.router(request)
        if route is None:
            return Reply(404, b"<html><body>not found</body></html>")
        return route(request) if callable(route) else route

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except ssl.SSLError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        request = Request(method, target, headers, time.monotonic())
        if self.record:
            self.requests.append(request)
        reply = self._reply(request)
        if reply.hang:
            await asyncio.sleep(3600)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        keep = await self._send(writer, request, reply)
        if self.record:
            self.finished.append((request, time.monotonic()))
        return keep and headers.get("connection", "").lower() != "close"

    async def _send(self, writer: asyncio.StreamWriter, request: Request, reply: Reply) -> bool:
        status, body = reply.status, reply.body
        extra = list(reply.headers)
        if reply.conditional:
            extra += [("ETag", reply.etag), ("Last-Modified", LAST_MODIFIED)]
            tag = request.headers.get("if-none-match")  # takes precedence (RFC 9110)
            since = request.headers.get("if-modified-since")
            if (tag == reply.etag) if tag is not None else (since == LAST_MODIFIED):
                status, body = 304, b""
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "X"
        head = [f"HTTP/1.1 {status} {phrase}"]
        if reply.content_type and status != 304:
            head.append(f"Content-Type: {reply.content_type}")
        head += [f"{name}: {value}" for name, value in extra]
        if reply.endless:
            head.append("Connection: close")
        elif status != 304:
            length = reply.declared_length if reply.declared_length is not None else len(body)
            head.append(f"Content-Length: {length}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if status == 304 or request.method == "HEAD":
            await writer.drain()
            return True
        if reply.endless:
            while True:
                writer.write(body or b"x" * 65536)
                await writer.drain()
        if reply.drip_s:
            for i in range(0, len(body), reply.drip_bytes):
                writer.write(body[i : i + reply.drip_bytes])
                await writer.drain()
                await asyncio.sleep(reply.drip_s)
            return True
        writer.write(body)
        await writer.drain()
        return reply.declared_length is None


class _Thread:
    def __init__(self, servers: list[FixtureServer]) -> None:
        self.servers = servers
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="fixture-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        for server in self.servers:
            self.loop.run_until_complete(server.start())
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        async def stop_all() -> None:
            for server in self.servers:
                await server.stop()
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop_all(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@contextlib.contextmanager
def serve_in_thread(*servers: FixtureServer) -> Iterator[tuple[FixtureServer, ...]]:
    """Run the servers on their own event loop in a background thread until the block exits."""
    runner = _Thread(list(servers))
    runner.thread.start()
    if not runner.ready.wait(timeout=10):
        raise RuntimeError("fixture servers did not start")
    try:
        yield servers
    finally:
        runner.stop()
