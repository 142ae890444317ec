"""Middlewares over real sockets: order, custom error pages, path normalisation."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import httpx

from aioweb.app import Application, Request, middleware, normalize_path_middleware
from aioweb.exceptions import HTTPException
from aioweb.server import Response, StreamResponse

StartApp = Any  # the core_server fixture


def tagging(tag: str) -> Any:
    @middleware
    async def mw(request: Request, handler: Any) -> StreamResponse:
        request.setdefault("trail", []).append(tag)
        response: StreamResponse = await handler(request)
        response.headers.add("X-Trail", tag)
        return response

    return mw


@middleware
async def error_pages(request: Request, handler: Any) -> StreamResponse:
    try:
        response: StreamResponse = await handler(request)
        return response
    except HTTPException as exc:
        return Response(
            status=exc.status,
            text=f"<h1>custom {exc.status}</h1>",
            content_type="text/html",
            headers={"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None,
        )


async def test_order_and_custom_error_pages(core_server: StartApp) -> None:
    async def handler(request: Request) -> Response:
        return Response(text=">".join(request["trail"]))

    app = Application(middlewares=[error_pages, tagging("outer"), tagging("inner")])
    app.router.add_get("/", handler)
    base = await core_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/") as resp:
            assert resp.status == 200
            assert await resp.text() == "outer>inner"
            # Responses travel back out: inner adds its header first.
            assert resp.headers.getall("X-Trail") == ["inner", "outer"]
        async with session.get(base + "/missing") as resp:
            assert resp.status == 404
            assert resp.content_type == "text/html"
            assert await resp.text() == "<h1>custom 404</h1>"
        async with session.delete(base + "/") as resp:
            assert resp.status == 405
            assert await resp.text() == "<h1>custom 405</h1>"
            assert set(resp.headers["Allow"].split(",")) == {"GET", "HEAD"}


async def test_unhandled_route_errors_use_the_server_pages(core_server: StartApp) -> None:
    app = Application()
    base = await core_server(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/nothing")
        assert resp.status_code == 404


async def test_normalize_path_redirects_with_real_clients(core_server: StartApp) -> None:
    async def handler(request: Request) -> Response:
        return Response(text="page " + request.query_string)

    app = Application(middlewares=[normalize_path_middleware()])
    app.router.add_get("/docs/", handler)
    app.router.add_get("/evil.com/", handler)
    base = await core_server(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/docs?x=1")
        assert resp.status_code == 308
        assert resp.headers["Location"] == "/docs/?x=1"
        resp = await client.get(base + "/docs?x=1", follow_redirects=True)
        assert resp.text == "page x=1"
        assert str(resp.url) == base + "/docs/?x=1"


async def _raw_get(base: str, target: str) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_open_redirect_variants_stay_on_this_origin(core_server: StartApp) -> None:
    """CVE-2021-21330 over a raw socket (clients would normalise these targets)."""

    async def handler(request: Request) -> Response:
        return Response(text="local")

    app = Application(middlewares=[normalize_path_middleware()])
    app.router.add_get("/evil.com/", handler)
    base = await core_server(app)
    for target in ("//evil.com", "///evil.com", "//evil.com?q=1", "/%2F%2Fevil.com", "/\\evil.com"):
        raw = await _raw_get(base, target)
        status_line, _, rest = raw.partition(b"\r\n")
        head = rest.partition(b"\r\n\r\n")[0].decode("latin-1")
        locations = [
            line.split(":", 1)[1].strip()
            for line in head.split("\r\n")
            if line.lower().startswith("location:")
        ]
        for location in locations:
            assert location.startswith("/"), (target, location)
            assert location[1:2] not in ("/", "\\"), (target, location)
        assert status_line.split()[1] in (b"308", b"404", b"400"), (target, status_line)
    assert (
        (await _raw_get(base, "//evil.com")).split(b"\r\n")[0].endswith(b"308 Permanent Redirect")
    )
