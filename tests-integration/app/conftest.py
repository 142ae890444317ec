"""Fixtures for the application-layer integration tests (helper "app-core").

``tls_contexts`` is a (server, client) pair of SSL contexts for 127.0.0.1, with a
certificate made by trustme for the test.

``core_server(app, **server_kwargs)`` serves an :class:`aioweb.app.Application` on
127.0.0.1 (ephemeral port) with :func:`aioweb.app._testing.serve_app`, i.e. the
way a runner does, returns the base URL and stops it after the test.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
import trustme

from aioweb.app import Application
from aioweb.app._testing import serve_app

StartApp = Callable[..., Awaitable[str]]


@pytest.fixture
async def core_server() -> AsyncIterator[StartApp]:
    async with AsyncExitStack() as stack:

        async def start(app: Application, **server_kwargs: Any) -> str:
            return await stack.enter_async_context(serve_app(app, **server_kwargs))

        yield start


@pytest.fixture
def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx
