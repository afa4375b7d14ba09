"""``marsad console``: the analyst's web console, right-to-left Arabic, server-rendered.

    create_app(ConsoleConfig(...)) -> the ASGI application (Starlette)
    serve(config, host, port)      -> uvicorn on loopback (see cli.commands.console)

Modules: :mod:`.state` (the URL's search state), :mod:`.queries` (request bodies built on
``marsad search``'s), :mod:`.render` (escaping, highlights, tags, number histories),
:mod:`.names` (display names from the lexicons), :mod:`.health` (sources, lag, dead letters),
:mod:`.security` (loopback, token, headers), :mod:`.pages` (the handlers), :mod:`.app` (routes
and error pages), :mod:`.geo` (the governorate map). See docs/console.md.
"""

from cli.console.app import create_app
from cli.console.config import ConsoleConfig

__all__ = ["ConsoleConfig", "create_app"]
