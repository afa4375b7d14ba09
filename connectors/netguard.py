"""Which addresses a connector may connect to, checked when each connection is opened.

The HTTP client's transport (:mod:`connectors.transport`, a connection pool of its own, on
httpcore's public API) connects through :class:`GuardedBackend`: it resolves the host itself,
refuses the whole host if *any* address it resolves to is loopback, private, link-local, a
cloud metadata address or otherwise not globally routable (so a DNS answer cannot mix a public
address with an internal one), and then connects to the address it checked, never resolving
twice. Every hop of a redirect opens its connection through the same check.

Sources with ``allow_private: true`` (the sample sites on loopback) may reach loopback and
private addresses; metadata addresses stay refused for everyone unless a network is explicitly
trusted (:attr:`AddressPolicy.trusted`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpcore

from connectors.exceptions import AddressRefused, ResolutionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address (a category), or None if it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal(embedded)
    if ip in METADATA_ADDRESSES:
        return "metadata"
    for category, applies in _CATEGORIES:
        if applies(ip):
            return category
    return None


_CATEGORIES: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("loopback", lambda ip: ip.is_loopback),
    ("unspecified", lambda ip: ip.is_unspecified),
    ("link_local", lambda ip: ip.is_link_local),
    ("private", lambda ip: ip.is_private),
    ("multicast", lambda ip: ip.is_multicast),
    ("reserved", lambda ip: not ip.is_global),
)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """``allow_private`` admits loopback/private/link-local; ``trusted`` networks are always
    admitted (an operator's proxy, a test server)."""

    allow_private: bool = False
    trusted: tuple[IPNetwork, ...] = ()

    @classmethod
    def build(cls, *, allow_private: bool = False, trusted: Iterable[str] = ()) -> AddressPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(n, strict=False) for n in trusted))

    def check(self, address: str) -> str | None:
        """The refusal category for ``address``, or None if it may be reached."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in network for network in self.trusted):
            return None
        category = refusal(ip)
        if category is None or (self.allow_private and category != "metadata"):
            return None
        return category


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order, without repeats."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolutionError(f"{host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks, then connects to the checked address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await asyncio.wait_for(self._resolver(host, port), timeout)
            except TimeoutError as exc:
                raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        if not addresses:
            raise ResolutionError(f"{host}: no addresses")
        for address in addresses:
            category = self._policy.check(address)
            if category is not None:
                raise AddressRefused(host, address, category)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # noqa: S101 - addresses is not empty
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(path, path, "unix_socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
