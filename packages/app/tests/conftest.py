"""Unit-test helpers for aioweb.app: real Request objects without a socket.

``make_request(app, method, path, headers=...)`` builds an :class:`aioweb.app.Request`
through ``app._make_request`` over a fake transport; ``run(app, ...)`` also
dispatches it through ``app._handle`` and returns ``(request, response)``, with
HTTP exceptions turned into their status as the server would (``response`` is
then the exception).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest
from multidict import CIMultiDict

from aioweb.app import Application, Request
from aioweb.exceptions import HTTPException
from aioweb.http._version import HttpVersion, HttpVersion11
from aioweb.http.message import RequestHead
from aioweb.server.streams import EMPTY_PAYLOAD
from aioweb.server.writer import StreamWriter


class FakeTransport(asyncio.Transport):
    """Collects written bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000)}.get(name, default)


class FakeProtocol:
    """What Request and StreamWriter need from the connection."""

    def __init__(self) -> None:
        self.transport: FakeTransport | None = FakeTransport()
        self.writing_paused = False
        self.closing = False

    async def wait_writable(self) -> None:
        return None

    def keeps_alive_after(self, request: Request) -> bool:
        return not self.closing


MakeRequest = Callable[..., Request]


def _make_request(
    app: Application,
    method: str,
    target: str,
    headers: Mapping[str, str] | None = None,
    *,
    version: HttpVersion = HttpVersion11,
) -> Request:
    hdrs = CIMultiDict(headers or {})
    hdrs.setdefault("Host", "example.com")
    head = RequestHead.build(method, target, hdrs, version=version)
    protocol = FakeProtocol()
    writer = StreamWriter(protocol)
    task = asyncio.current_task()
    assert task is not None
    return app._make_request(head, EMPTY_PAYLOAD, protocol, writer, task)  # type: ignore[arg-type]


@pytest.fixture
def make_request() -> MakeRequest:
    return _make_request


Run = Callable[..., Awaitable[tuple[Request, Any]]]


@pytest.fixture
def run() -> Run:
    async def run(
        app: Application, method: str, target: str, headers: Mapping[str, str] | None = None
    ) -> tuple[Request, Any]:
        app.freeze()
        request = _make_request(app, method, target, headers)
        try:
            response = await app._handle(request)
        except HTTPException as exc:
            return request, exc
        return request, response

    return run
