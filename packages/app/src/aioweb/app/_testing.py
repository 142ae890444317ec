"""Test support: serve an :class:`Application` on 127.0.0.1 the way a runner would.

Private to aioweb's own test suites until ``aioweb.testing`` offers ``TestServer``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aioweb.server import Server

from ._app import Application

__all__ = ["serve_app"]


@asynccontextmanager
async def serve_app(app: Application, **server_kwargs: Any) -> AsyncIterator[str]:
    """Start *app* on an ephemeral port, yield its base URL, then stop it.

    Start: ``on_startup`` frozen, ``startup()``, ``freeze()``, a low-level
    :class:`~aioweb.server.Server` on ``app._handle``/``app._make_request``.
    Stop: listener closed, ``shutdown()``, connections closed, ``cleanup()``.
    """
    app.on_startup.freeze()
    await app.startup()
    try:
        app.freeze()
        settings: dict[str, Any] = dict(app._handler_args or {})
        settings.update(server_kwargs)
        server = Server(app._handle, request_factory=app._make_request, **settings)
        listener = await asyncio.get_running_loop().create_server(server, "127.0.0.1", 0)
        try:
            port = listener.sockets[0].getsockname()[1]
            yield f"http://127.0.0.1:{port}"
        finally:
            listener.close()
            await app.shutdown()
            await server.shutdown(1.0)
            # waits for the connections as well on Python 3.12.1+: after shutdown()
            await listener.wait_closed()
    finally:
        await app.cleanup()
