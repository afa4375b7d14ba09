"""The guarded transport (connectors.transport) on httpx's and httpcore's public API only.

Refusals need no socket: the resolver is injected and the address is refused before any
connection is opened. The exchanges that do need one use a server on loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpcore
import httpx
import pytest

from connectors.exceptions import AddressRefused, FetchError, ResolutionError
from connectors.fetch import Fetcher, FetcherConfig
from connectors.netguard import AddressPolicy
from connectors.transport import HTTPCORE_TO_HTTPX, GuardedTransport, httpx_error

LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=5.0)
NAMES = {
    "intranet.example": ["10.0.0.7"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "nowhere.example": [],
}


async def resolver(host: str, port: int) -> list[str]:
    if host == "unresolvable.example":
        raise ResolutionError(f"{host}: no such host")
    return NAMES[host]


def guarded_client(
    *, allow_private: bool = False, resolve: Callable[[str, int], Awaitable[list[str]]] = resolver
) -> httpx.AsyncClient:
    policy = AddressPolicy.build(allow_private=allow_private)
    transport = GuardedTransport(policy, resolver=resolve, limits=LIMITS)
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(2.0, connect=0.2))


@pytest.mark.parametrize(
    ("url", "address", "category"),
    [
        ("http://intranet.example/", "10.0.0.7", "private"),
        ("https://mixed.example/feed.xml", "127.0.0.1", "loopback"),  # one bad address is enough
        ("http://127.0.0.1:8080/", "127.0.0.1", "loopback"),  # a literal is checked too
        # Python 3.13 writes an IPv4-mapped address with its IPv4 part, 3.11 in hex: compare
        # with what this Python's ipaddress makes of it.
        ("http://[::ffff:10.1.2.3]/", str(ipaddress.ip_address("::ffff:10.1.2.3")), "private"),
    ],
)
async def test_the_public_transport_refuses_a_private_address(
    url: str, address: str, category: str
) -> None:
    async with guarded_client() as client:
        with pytest.raises(AddressRefused) as info:
            await client.get(url)
    assert (info.value.address, info.value.category) == (address, category)


async def test_metadata_stays_refused_for_sources_allowed_private_addresses() -> None:
    async with guarded_client(allow_private=True) as client:
        with pytest.raises(AddressRefused, match="metadata"):
            await client.get("http://metadata.example/latest/meta-data/")
        with pytest.raises(ResolutionError):
            await client.get("http://nowhere.example/")


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        ("http://intranet.example/news", "blocked_address"),
        ("http://169.254.169.254/", "blocked_address"),
        ("http://unresolvable.example/", "dns_error"),
        ("http://nowhere.example/", "dns_error"),
    ],
)
async def test_the_fetcher_counts_a_refusal_as_before(url: str, outcome: str) -> None:
    async with Fetcher(FetcherConfig(min_delay_s=0), resolver=resolver) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(url)
    assert info.value.outcome == outcome


async def test_a_slow_resolver_is_httpx_connect_timeout() -> None:
    async def stuck(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return ["93.184.216.34"]

    async with guarded_client(resolve=stuck) as client:
        with pytest.raises(httpx.ConnectTimeout) as info:
            await client.get("http://slow.example/")
    assert isinstance(info.value.__cause__, httpcore.ConnectTimeout)


def test_every_httpcore_error_has_the_httpx_error_of_its_name() -> None:
    exported = {
        getattr(httpcore, name)
        for name in httpcore.__all__
        if isinstance(getattr(httpcore, name), type)
        and issubclass(getattr(httpcore, name), Exception)
    }
    exported.discard(httpcore.ConnectionNotAvailable)  # the pool's own: it retries, never raises
    assert exported == set(HTTPCORE_TO_HTTPX)
    for error in exported:
        mapped = httpx_error(error("boom"))
        assert type(mapped) is getattr(httpx, error.__name__)
        assert str(mapped) == "boom"


@asynccontextmanager
async def loopback_server(answer: bytes) -> AsyncIterator[int]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def test_an_admitted_address_is_fetched_through_the_pool() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nmarsa"
    async with loopback_server(answer) as port, guarded_client(allow_private=True) as client:
        response = await client.get(f"http://127.0.0.1:{port}/page")
    assert (response.status_code, response.text) == (200, "marsa")
    assert response.http_version == "HTTP/1.1"


async def test_a_body_cut_short_is_an_httpx_protocol_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
    async with loopback_server(answer) as port, guarded_client(allow_private=True) as client:
        with pytest.raises(httpx.RemoteProtocolError):  # raised while the body is read
            await client.get(f"http://127.0.0.1:{port}/")
