"""Fixtures for the application-layer integration tests (helper "app-core").

``core_server(app)`` runs an :class:`aioweb.app.Application` the way a runner
does (``on_startup`` frozen, ``startup()``, ``freeze()``, then a low-level
:class:`aioweb.server.Server` built from ``app._handle`` and
``app._make_request``) on 127.0.0.1 with an ephemeral port, and tears it down
after the test (``shutdown()``, connections closed, ``cleanup()``). It returns
the base URL (``http://127.0.0.1:<port>``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from aioweb.app import Application
from aioweb.server import Server

StartApp = Callable[..., Awaitable[str]]


@pytest.fixture
async def core_server() -> AsyncIterator[StartApp]:
    started: list[tuple[Application, Server, asyncio.Server]] = []

    async def start(app: Application, **server_kwargs: object) -> str:
        app.on_startup.freeze()
        await app.startup()
        app.freeze()
        server = Server(app._handle, request_factory=app._make_request, **server_kwargs)  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(server, "127.0.0.1", 0)
        started.append((app, server, listener))
        port = listener.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start
    for app, server, listener in reversed(started):
        listener.close()
        await listener.wait_closed()
        await app.shutdown()
        await server.shutdown(1.0)
        await app.cleanup()
