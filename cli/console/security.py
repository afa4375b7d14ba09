"""The console's security model (docs/console.md): loopback, read-only, token-gated writes.

- :func:`check_bind`: the console binds to loopback unless told ``--allow-remote``;
- :data:`LOOPBACK_HOSTS`: the Host headers accepted when bound to loopback, so that a web page
  elsewhere cannot reach the console through DNS rebinding;
- :func:`write_refusal`: a write (marking an alert) carries ``MARSAD_CONSOLE_TOKEN``, as the
  form field ``token`` or the header ``X-Marsad-Token``; with no token configured every write
  is refused. The token also stops cross-site form posts: another site cannot know it;
- :class:`SecurityHeaders`: no script at all (CSP ``script-src 'none'``), nothing from another
  origin, no framing, no MIME sniffing, no referrer.
"""

from __future__ import annotations

import hmac
import ipaddress

from pydantic import SecretStr
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
TOKEN_FIELD = "token"  # noqa: S105 - the form field's name, not a secret
TOKEN_HEADER = "x-marsad-token"  # noqa: S105 - a header name

HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, allow_remote: bool) -> str | None:
    """Why binding to ``host`` is refused, or None when it is allowed."""
    if is_loopback(host) or allow_remote:
        return None
    return (
        f"refusing to serve on {host}: the console shows everything indexed and binds to "
        "loopback only; pass --allow-remote to serve on another address (put it behind an "
        "authenticating proxy; writes still need MARSAD_CONSOLE_TOKEN)"
    )


def write_refusal(configured: SecretStr | None, given: str | None) -> str | None:
    """Why a write is refused (answered 403), or None when its token is the configured one."""
    if configured is None or not configured.get_secret_value():
        return (
            "the console is read-only: set MARSAD_CONSOLE_TOKEN in its environment to allow "
            "marking alerts"
        )
    if not given or not hmac.compare_digest(
        given.encode("utf-8"), configured.get_secret_value().encode("utf-8")
    ):
        return "wrong or missing token (the form's token field or the X-Marsad-Token header)"
    return None


class SecurityHeaders:
    """Adds :data:`HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = [
    "HEADERS",
    "LOOPBACK_HOSTS",
    "TOKEN_FIELD",
    "TOKEN_HEADER",
    "SecurityHeaders",
    "check_bind",
    "is_loopback",
    "write_refusal",
]
