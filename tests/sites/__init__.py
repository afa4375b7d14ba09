"""Fixture web sites on loopback for the connector's tests and benchmarks.

:class:`FixtureServer` is a small asyncio HTTP/1.1 server (keep-alive, optional TLS) whose
routes answer with :class:`Reply` values, including the misbehaviour a crawler meets: slow
drips, hangs, endless bodies, lying lengths, redirects anywhere. :mod:`tests.sites.content`
builds feeds, sitemaps, listing pages, articles in several charsets, and every hostile case;
:mod:`tests.sites.fleet` serves thousands of generated outlets under virtual host names.
"""

from tests.sites.server import FixtureServer, Reply, Request, serve_in_thread

__all__ = ["FixtureServer", "Reply", "Request", "serve_in_thread"]
