"""Test helpers for aioweb.server's own tests (not a public API).

``FakeTransport`` records writes so the connection protocol can be driven without
sockets; ``serve`` runs a real server on 127.0.0.1; ``read_response`` parses one
HTTP/1.1 response from a stream reader (Content-Length, chunked or until close).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from multidict import CIMultiDict

from ._contracts import Handler
from .server import Server

__all__ = ["FakeTransport", "ParsedResponse", "read_response", "serve"]


class FakeTransport(asyncio.Transport):
    """An in-memory transport: ``data`` holds everything written."""

    def __init__(self, peername: Any = ("127.0.0.1", 12345)) -> None:
        super().__init__()
        self.data = bytearray()
        self.closed = False
        self.reading = True
        self.peername = peername

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.closed:
            raise RuntimeError("write after close")
        self.data += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername":
            return self.peername
        return default


class ParsedResponse:
    """A response read back from the wire."""

    def __init__(
        self, status: int, reason: str, headers: CIMultiDict[str], body: bytes, version: str
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.version = version

    def __repr__(self) -> str:
        return f"<ParsedResponse {self.status} {self.body[:40]!r}>"


async def read_response(reader: asyncio.StreamReader, *, head_only: bool = False) -> ParsedResponse:
    """Read one response; ``head_only`` for HEAD requests and statuses without body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.add(name.strip(), value.strip())
    status = int(code)
    body = b""
    if head_only or status < 200 or status in (204, 304):
        pass
    elif headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif "Content-Length" in headers:
        body = await reader.readexactly(int(headers["Content-Length"]))
    else:
        body = await reader.read()
    return ParsedResponse(status, reason, headers, body, version)


@asynccontextmanager
async def serve(handler: Handler, **kwargs: Any) -> AsyncIterator[tuple[Server, int]]:
    """Serve ``handler`` on 127.0.0.1 (ephemeral port); yields ``(server, port)``."""
    loop = asyncio.get_running_loop()
    kwargs.setdefault("access_log", None)
    server = Server(handler, **kwargs)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, port
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()
