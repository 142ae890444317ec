"""The full-stack bench application, built from whichever ``web`` module is given.

``app_aioweb.py`` and ``app_aiohttp.py`` differ only in the line that imports ``web``;
both call :func:`main`, so the two frameworks serve exactly the same application:

- one new-style ``@web.middleware`` that sets two security headers on every response;
- 200 routes: static and dynamic paths under a few prefixes, with the bench's own
  routes spread among them (the dynamic one is the 190th registered);
- served by ``web.run_app`` on the default asyncio loop, on 127.0.0.1.

``--access-log off`` passes ``access_log=None``; ``default`` leaves ``access_log`` at
its default with logging unconfigured (the logger is not enabled for INFO, as in an
application that never configures logging); ``info`` leaves the default too and sets
that logger to INFO with a file handler writing to ``os.devnull``, so every request is
formatted and written. Once listening, the process prints ``READY <port> <pid>``.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import os
import socket
from typing import Any

ROUTE_COUNT = 200
DYNAMIC_POSITION = 189  # 0-based: the 190th route registered
PLAINTEXT_POSITION = 60
JSON_POSITION = 120
ECHO_POSITION = 150

PREFIXES = ("/api/v1", "/api/v2", "/admin", "/shop")
RESOURCES = (
    "users",
    "items",
    "orders",
    "products",
    "carts",
    "invoices",
    "reviews",
    "tags",
    "teams",
    "projects",
    "reports",
    "payments",
    "coupons",
    "events",
    "files",
)
PAGES = ("/", "/about", "/contact", "/help", "/help/faq", "/pricing", "/login", "/logout")

# The dynamic workload's route and a request path for it; no other route matches it.
DYNAMIC_ROUTE = "/api/v2/widgets/{widget_id}"
DYNAMIC_PATH = "/api/v2/widgets/12345"
DYNAMIC_BODY = b"widget 12345"


def filler_routes() -> list[tuple[str, str]]:
    """(method, path) of the routes nobody requests: a plausible REST API and some pages."""
    routes = [("GET", page) for page in PAGES]
    for resource in RESOURCES:
        for prefix in PREFIXES:
            routes.append(("GET", f"{prefix}/{resource}"))
            routes.append(("POST", f"{prefix}/{resource}"))
            routes.append(("GET", f"{prefix}/{resource}/{{id}}"))
    for prefix in PREFIXES:
        routes.append(("GET", f"{prefix}/widgets"))
        routes.append(("GET", f"{prefix}/widgets/{{widget_id}}/parts"))
        routes.append(("GET", f"{prefix}/users/{{user_id:\\d+}}/orders/{{order_id}}"))
    return routes


def build_app(web: Any) -> Any:
    """The bench application, with the same routes in the same order for either framework."""

    @web.middleware  # type: ignore[untyped-decorator]  # web is either module
    async def security_headers(request: Any, handler: Any) -> Any:
        response = await handler(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    async def plaintext(request: Any) -> Any:
        return web.Response(text="Hello, World!")

    async def json(request: Any) -> Any:
        return web.json_response({"message": "Hello, World!"})

    async def widget(request: Any) -> Any:
        return web.Response(text=f"widget {request.match_info['widget_id']}")

    async def echo(request: Any) -> Any:
        return web.Response(body=await request.read(), content_type="application/octet-stream")

    async def filler(request: Any) -> Any:
        return web.Response(text="filler")

    special = {
        PLAINTEXT_POSITION: ("GET", "/plaintext", plaintext),
        JSON_POSITION: ("GET", "/json", json),
        ECHO_POSITION: ("POST", "/echo", echo),
        DYNAMIC_POSITION: ("GET", DYNAMIC_ROUTE, widget),
    }
    fillers = iter(filler_routes())
    app = web.Application(middlewares=[security_headers])
    for position in range(ROUTE_COUNT):
        if position in special:
            method, path, handler = special[position]
        else:
            method, path = next(fillers)
            handler = filler
        app.router.add_route(method, path, handler)
    return app


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def main(web: Any, description: str) -> None:
    """Parse the command line, build the app and ``run_app`` it until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--access-log", choices=("off", "default", "info"), default="off")
    parser.add_argument("--uvloop", action="store_true", help="run_app on uvloop's event loop")
    args = parser.parse_args()
    port = args.port or free_port(args.host)
    pid = os.getpid()

    def ready(message: str) -> None:
        # run_app prints once every site listens: that is the moment to tell the bench.
        print(f"READY {port} {pid}", flush=True)

    kwargs: dict[str, Any] = {}
    if args.uvloop:
        import uvloop  # an optional extra: imported only when asked for

        kwargs["loop"] = uvloop.new_event_loop()
    if args.access_log == "off":
        kwargs["access_log"] = None
    elif args.access_log == "info":
        # The framework's own default access logger, whatever its name.
        logger = inspect.signature(web.run_app).parameters["access_log"].default
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(logging.FileHandler(os.devnull))
    web.run_app(build_app(web), host=args.host, port=port, print=ready, **kwargs)
