"""Tests for aioweb.server.legacy: the pre-1.0 ServerHttpProtocol / Response API."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from aioweb.http import HttpVersion10
from aioweb.server import legacy
from aioweb.server.legacy import MultiDict, PayloadStream, RawRequestMessage, Response

Handle = Callable[[legacy.ServerHttpProtocol, RawRequestMessage, PayloadStream], Any]


def protocol_class(handle: Handle) -> type[legacy.ServerHttpProtocol]:
    class Proto(legacy.ServerHttpProtocol):
        async def handle_request(self, message: RawRequestMessage, payload: PayloadStream) -> None:
            await handle(self, message, payload)

    return Proto


@pytest.fixture
async def start() -> AsyncIterator[Callable[..., Any]]:
    servers: list[asyncio.Server] = []

    async def run(factory: Callable[[], asyncio.Protocol]) -> int:
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(factory, "127.0.0.1", 0)
        servers.append(srv)
        port: int = srv.sockets[0].getsockname()[1]
        return port

    yield run
    for srv in servers:
        srv.close()
        await srv.wait_closed()


async def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        out = b""
        with contextlib.suppress(ConnectionResetError):
            async with asyncio.timeout(timeout):
                out = await reader.read()
        return out
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def it_works(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
    response = Response(proto.writer, 200, http_version=message.version)
    response.add_header("Content-Type", "text/html")
    response.add_header("Content-Length", "18")
    response.send_headers()
    response.write(b"<h1>It Works!</h1>")
    await response.write_eof()


async def echo(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
    body = await payload.read()
    response = Response(proto.writer, 200, http_version=message.version)
    response.add_headers(("Content-Length", str(len(body))), ("X-Path", message.path))
    response.send_headers()
    response.write(body)
    await response.write_eof()


async def test_seed_handler_and_keep_alive(start: Any) -> None:
    port = await start(protocol_class(it_works))
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    data = await exchange(
        port, req + req + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert data.count(b"<h1>It Works!</h1>") == 3
    assert b"Content-Type: text/html\r\n" in data
    assert b"Date: " in data


async def test_message_fields(start: Any) -> None:
    seen: list[RawRequestMessage] = []

    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        seen.append(message)
        await it_works(proto, message, payload)

    port = await start(protocol_class(handle))
    await exchange(port, b"GET /p?a=1&a=2 HTTP/1.0\r\nHost: h\r\nX-A: b\r\n\r\n")
    (msg,) = seen
    assert (msg.method, msg.path, msg.version) == ("GET", "/p?a=1&a=2", HttpVersion10)
    assert msg.headers["X-A"] == "b"
    assert msg.should_close
    assert msg.url.query.getall("a") == ["1", "2"]
    assert isinstance(MultiDict([("a", "1")]), MultiDict)


async def test_payload_read_and_pipelined_post(start: Any) -> None:
    port = await start(protocol_class(echo))
    data = await exchange(
        port,
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    )
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert data.index(b"X-Path: /a") < data.index(b"X-Path: /b")
    assert data.endswith(b"abcde")


async def test_payload_stream_methods(start: Any) -> None:
    got: dict[str, Any] = {}

    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        got["line"] = await payload.readline()
        got["exact"] = await payload.readexactly(3)
        got["rest"] = [chunk async for chunk in payload]
        got["eof"] = payload.at_eof()
        with pytest.raises(asyncio.IncompleteReadError):
            await payload.readexactly(1)
        await it_works(proto, message, payload)

    port = await start(protocol_class(handle))
    body = b"first line\nabcREST"
    await exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body),
    )
    assert got == {"line": b"first line\n", "exact": b"abc", "rest": [b"REST"], "eof": True}


async def test_gzip_body_decoded(start: Any) -> None:
    port = await start(protocol_class(echo))
    body = gzip.compress(b"decoded " * 100)
    data = await exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
    )
    assert data.endswith(b"decoded " * 100)


async def test_decompressed_size_capped(start: Any, caplog: pytest.LogCaptureFixture) -> None:
    class Proto(legacy.ServerHttpProtocol):
        def __init__(self) -> None:
            super().__init__(max_decompressed_size=1000)

        async def handle_request(self, message: RawRequestMessage, payload: PayloadStream) -> None:
            await echo(self, message, payload)

    port = await start(Proto)
    body = gzip.compress(bytes(100_000))
    data = await exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
    )
    assert data.startswith(b"HTTP/1.1 413 ")


async def test_unread_body_discarded_then_next_request(start: Any) -> None:
    port = await start(protocol_class(it_works))
    data = await exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n"
        + b"z" * 10000
        + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert data.count(b"HTTP/1.1 200 OK") == 2


async def test_default_handler_404(start: Any) -> None:
    port = await start(legacy.ServerHttpProtocol)
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 404 Not Found\r\n")


async def test_auto_chunked_and_http10_close(start: Any) -> None:
    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        response = Response(proto.writer, 200, http_version=message.version)
        response.send_headers()
        await response.write(b"part1,")
        response.write(b"part2")
        await response.write_eof()

    port = await start(protocol_class(handle))
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Transfer-Encoding: chunked\r\n" in data
    assert data.endswith(b"6\r\npart1,\r\n5\r\npart2\r\n0\r\n\r\n")
    data = await exchange(port, b"GET / HTTP/1.0\r\n\r\n")
    assert b"Transfer-Encoding" not in data
    assert data.startswith(b"HTTP/1.0 200 OK\r\n")
    assert data.endswith(b"\r\n\r\npart1,part2")


async def test_content_length_never_exceeded(start: Any) -> None:
    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        response = Response(proto.writer, 200, http_version=message.version)
        response.add_header("Content-Length", "3")
        response.send_headers()
        response.write(b"abcHTTP/1.1 200 OK\r\n\r\nsmuggled")
        await response.write_eof()

    port = await start(protocol_class(handle))
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.endswith(b"\r\n\r\nabc")
    assert b"smuggled" not in data


async def test_head_and_204_have_no_body(start: Any) -> None:
    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        status = 204 if message.path == "/204" else 200
        response = Response(proto.writer, status, http_version=message.version)
        if status == 200:
            response.add_header("Content-Length", "4")
        response.send_headers()
        response.write(b"body")
        await response.write_eof()
        proto.keep_alive(True)

    port = await start(protocol_class(handle))
    data = await exchange(
        port,
        b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert data.count(b"body") == 1
    assert data.endswith(b"\r\n\r\nbody")
    assert b"HTTP/1.1 204 No Content\r\n" in data


async def test_keep_alive_false_closes(start: Any) -> None:
    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        await it_works(proto, message, payload)
        proto.keep_alive(False)

    port = await start(protocol_class(handle))
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    data = await exchange(port, req + req)
    assert data.count(b"HTTP/1.1 200") == 1


async def test_error_pages(start: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL + 1)

    async def crash(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        raise RuntimeError("secret <detail>")

    port = await start(protocol_class(crash))
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"secret" not in data
    assert b"Traceback" not in data

    class Debug(legacy.ServerHttpProtocol):
        def __init__(self) -> None:
            super().__init__(debug=True)

        async def handle_request(self, message: RawRequestMessage, payload: PayloadStream) -> None:
            await crash(self, message, payload)

    port = await start(Debug)
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"Traceback" in data
    assert b"secret &lt;detail&gt;" in data


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ],
)
async def test_bad_requests(start: Any, request_bytes: bytes, status: int) -> None:
    port = await start(protocol_class(it_works))
    data = await exchange(port, request_bytes)
    assert data.startswith(b"HTTP/1.1 %d " % status)
    assert b"It Works" not in data


async def test_header_injection_refused(start: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL + 1)

    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        response = Response(proto.writer, 200, http_version=message.version)
        response.add_header("X-A", "a\r\nX-Injected: 1")
        response.send_headers()

    port = await start(protocol_class(handle))
    data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"X-Injected" not in data


async def test_head_timeout_closes_silent_connection(start: Any) -> None:
    class Quick(legacy.ServerHttpProtocol):
        def __init__(self) -> None:
            super().__init__(timeout=0.2)

    port = await start(Quick)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await exchange(port, b"GET / HTTP/1.1\r\n") == b""
    assert loop.time() - started < 2


async def test_response_api_errors(start: Any) -> None:
    async def handle(proto: Any, message: RawRequestMessage, payload: PayloadStream) -> None:
        response = Response(proto.writer, 200, http_version=message.version, close=True)
        assert not response.keep_alive()
        response.add_header("Content-Length", "2")
        response.send_headers()
        with pytest.raises(RuntimeError):
            response.add_header("X", "y")
        with pytest.raises(RuntimeError):
            response.send_headers()
        response.write(b"ok")
        await response.write_eof()
        await response.write_eof()  # idempotent
        with pytest.raises(RuntimeError):
            response.write(b"more")

    port = await start(protocol_class(handle))
    data = await exchange(
        port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert b"Connection: close\r\n" in data
    assert data.count(b"HTTP/1.1 200") == 1
    assert data.endswith(b"ok")
