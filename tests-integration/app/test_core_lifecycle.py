"""Signals, cleanup_ctx and on_response_prepare with a server really running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from aioweb.app import AppKey, Application, Request
from aioweb.server import Response, Server, StreamResponse

LOG = AppKey("log", list)


async def test_lifecycle_order_around_serving() -> None:
    log: list[str] = []
    app = Application()
    sub = Application()
    app[LOG] = log

    async def resource(a: Application) -> AsyncIterator[None]:
        log.append("ctx:enter")
        yield
        log.append("ctx:exit")

    def note(event: str) -> Any:
        async def receiver(a: Application) -> None:
            log.append(f"{event}:{'sub' if a is sub else 'main'}")

        return receiver

    async def handler(request: Request) -> Response:
        request.config_dict[LOG].append("request")
        return Response(text="ok")

    app.cleanup_ctx.append(resource)
    for signal, name in ((app.on_startup, "startup"), (app.on_shutdown, "shutdown")):
        signal.append(note(name))
    app.on_cleanup.append(note("cleanup"))
    sub.on_startup.append(note("startup"))
    sub.on_cleanup.append(note("cleanup"))
    sub.router.add_get("/", handler)
    app.add_subapp("/sub", sub)

    app.on_startup.freeze()
    await app.startup()
    app.freeze()
    server = Server(app._handle, request_factory=app._make_request)  # type: ignore[arg-type]
    listener = await asyncio.get_running_loop().create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/sub/") as resp,
        ):
            assert resp.status == 200
    finally:
        listener.close()
        await app.shutdown()
        await server.shutdown(1.0)
        await listener.wait_closed()  # after shutdown: on 3.12.1+ it waits for connections
        await app.cleanup()
    assert log == [
        "ctx:enter",
        "startup:main",
        "startup:sub",
        "request",
        "shutdown:main",
        "ctx:exit",
        "cleanup:main",
        "cleanup:sub",
    ]


async def test_on_response_prepare_reaches_streamed_responses(core_server: Any) -> None:
    async def on_prepare(request: Request, response: StreamResponse) -> None:
        response.headers["X-Prepared"] = request.path

    async def stream(request: Request) -> StreamResponse:
        response = StreamResponse()
        response.content_type = "text/plain"
        await response.prepare(request)
        for i in range(3):
            await response.write(f"part{i};".encode())
        await response.write_eof()
        return response

    app = Application()
    app.on_response_prepare.append(on_prepare)
    app.router.add_get("/stream", stream)
    base = await core_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/stream") as resp:
            assert resp.headers["X-Prepared"] == "/stream"
            assert await resp.text() == "part0;part1;part2;"
        async with session.get(base + "/missing") as resp:
            assert resp.status == 404
            # As in aiohttp, error responses pass through the signal too (the
            # request was routed), so security headers reach error pages.
            assert resp.headers["X-Prepared"] == "/missing"
