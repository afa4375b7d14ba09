"""The console's ASGI application: one route per page, server-rendered, no script.

    create_app(ConsoleConfig(...)) -> Starlette

Every page reads through the configured search sink (``open_sink``, the same as
``marsad search``), renders a Jinja2 template with autoescaping on, and answers a readable
"unavailable: <reason>" page (503) when the engine or Kafka cannot be reached. The one write,
marking an alert, needs the token of ``MARSAD_CONSOLE_TOKEN`` (:mod:`cli.console.security`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from cli.console import pages
from cli.console.config import ConsoleConfig
from cli.console.render import highlighted
from cli.console.security import SecurityHeaders
from kernel.exceptions import MarsadError

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("cli.console", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlighted"] = highlighted
    return Jinja2Templates(env=env)


def create_app(config: ConsoleConfig) -> Starlette:
    templates = _templates()

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        context.setdefault("writable", config.token is not None)
        return templates.TemplateResponse(request, name, context, status_code=status)

    async def unavailable(request: Request, exc: Exception) -> Response:
        reason = str(exc) if isinstance(exc, MarsadError) else type(exc).__name__
        log.warning("page %s unavailable: %s", request.url.path, reason)
        return page(request, "error.html", {"title": "غير متاح", "reason": reason}, 503)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("page %s failed", request.url.path, exc_info=exc)
        return page(
            request,
            "error.html",
            {"title": "خطأ", "reason": f"internal error ({type(exc).__name__}); see the log"},
            500,
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return page(request, "error.html", {"title": "غير موجود", "reason": "not found"}, 404)

    handlers = pages.Handlers(config, page)
    routes = [
        Route("/", handlers.search),
        Route("/clusters", handlers.clusters),
        Route("/cluster/{cluster_id:str}", handlers.cluster),
        Route("/article/{url_id:str}", handlers.article),
        Route("/map", handlers.map),
        Route("/alerts", handlers.alerts),
        Route("/alerts/{alert_id:str}/triage", handlers.triage, methods=["POST"]),
        Route("/health", handlers.health),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if config.allowed_hosts:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=config.allowed_hosts))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            MarsadError: unavailable,
            404: not_found,
            Exception: server_error,
        },
    )


__all__ = ["ConsoleConfig", "create_app"]
