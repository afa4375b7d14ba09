"""A loopback TCP proxy the suite controls, put between the worker and the search engine.

``forward`` relays bytes both ways. ``refuse`` closes the listening socket and resets every
open connection: new connections are refused (ECONNREFUSED), as from a stopped engine.
``hang`` listens again but relays nothing and never answers: requests time out, as from an
engine that stopped responding (a full GC, a partition). Runs its own event loop in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Literal

Mode = Literal["forward", "refuse", "hang"]


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.mode: Mode = "forward"
        self.refused_at_least = 0  # connections reset or refused while refusing
        self.hung = 0  # connections accepted and left without an answer while hanging
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, coro: object) -> object:
        future: Future[object] = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
        return future.result(timeout=30)

    def start(self) -> None:
        self._thread.start()
        self._run(self._listen())

    def stop(self) -> None:
        self._run(self._close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def set_mode(self, mode: Mode) -> None:
        self._run(self._switch(mode))

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()  # a reset, not a polite close
        self.refused_at_least += len(self._writers)
        self._writers.clear()

    async def _switch(self, mode: Mode) -> None:
        previous, self.mode = self.mode, mode
        if mode == "refuse" or previous == "hang":
            await self._close_all()  # hung connections end when the fault does
        if mode != "refuse" and self._server is None:
            await self._listen()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if self.mode == "hang":
                self.hung += 1
                with contextlib.suppress(ConnectionError):
                    while await reader.read(65536):
                        pass  # swallowed: no answer ever comes
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                return  # the engine itself is down: the client sees its connection closed
            self._writers.add(up_writer)
            try:
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                self._writers.discard(up_writer)
                up_writer.close()
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if self.mode != "forward":
                    return
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()


@contextlib.contextmanager
def fault_proxy(search_url: str) -> Iterator[FaultProxy]:
    host, _, port = search_url.removeprefix("http://").rstrip("/").rpartition(":")
    proxy = FaultProxy(host, int(port))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
