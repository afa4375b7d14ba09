"""The fetcher's httpx transport: httpcore's connection pool on the address guard.

httpx 0.28's own transport (``httpx.AsyncHTTPTransport``) builds its httpcore pool with no way
to pass a network backend, and replacing the pool it built means writing a private attribute
(``_pool``), which ties the project to httpx's and httpcore's internals. So
:class:`GuardedTransport` is a transport of its own (``httpx.AsyncBaseTransport``, the public
base for custom transports) that owns an ``httpcore.AsyncConnectionPool`` built on
:class:`~connectors.netguard.GuardedBackend`: every connection the pool opens, for every hop of
a redirect, goes through the address check.

It does for a request what httpx's transport does: turns the httpx request into an httpcore
one (the client's timeouts travel in ``request.extensions``), and httpcore's exceptions into the
httpx ones the fetcher catches (``httpx.TimeoutException``, ``httpx.TransportError``, ...), while
the body is read as well as while the request is sent. httpx's own exception table is private,
so :data:`HTTPCORE_TO_HTTPX` is an explicit one. The guard's own errors
(:class:`~connectors.exceptions.AddressRefused`, :class:`~connectors.exceptions.ResolutionError`)
are not httpcore's and pass through unchanged, for the fetcher to count.

Only public API is used: httpx's ``AsyncBaseTransport``, ``AsyncByteStream``, ``Request``,
``Response``, ``Limits`` and ``create_ssl_context``; httpcore's ``AsyncConnectionPool``,
``Request``, ``URL``, network backend and exceptions. Neither library needs a seam.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, AsyncIterator

import httpcore
import httpx

from connectors.netguard import AddressPolicy, GuardedBackend, Resolver, system_resolver

# An error is looked up along its class's MRO, so its most specific entry wins: httpcore's
# ReadTimeout becomes httpx.ReadTimeout, not merely httpx.TimeoutException.
HTTPCORE_TO_HTTPX: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}
_HTTPCORE_ERRORS = tuple(HTTPCORE_TO_HTTPX)


def httpx_error(exc: Exception) -> httpx.TransportError:
    """The httpx exception for httpcore's ``exc``: the entry of its most specific class."""
    for kind in type(exc).__mro__:
        target = HTTPCORE_TO_HTTPX.get(kind)
        if target is not None:
            return target(str(exc))
    raise TypeError(f"not an httpcore error: {type(exc).__name__}") from exc


class _Body(httpx.AsyncByteStream):
    """A response body from the pool, with httpcore's errors raised as httpx's."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except _HTTPCORE_ERRORS as exc:
            raise httpx_error(exc) from exc

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)  # the pool's streams release a connection
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose connections are opened only to addresses ``policy`` admits.

    Configured as httpx's default transport is (HTTP/1.1 only, no connection retries,
    certificates verified as ``httpx.create_ssl_context(verify=...)`` does), with the pool
    sized by ``limits``; timeouts are the client's, passed with each request.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(policy, resolver),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("GuardedTransport serves httpx.AsyncClient only")
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._pool.handle_async_request(core_request)
        except _HTTPCORE_ERRORS as exc:
            raise httpx_error(exc) from exc
        if not isinstance(response.stream, AsyncIterable):
            raise TypeError("httpcore's async pool answered with a synchronous body")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
