"""Mutated request streams over a real socket: a clear answer or a close, never a 500.

Hypothesis builds pipelines of valid requests (bodies framed by Content-Length or by
chunks, with extensions and trailers) and then damages the bytes the way broken clients,
proxies and attackers do: flipped bytes, inserted CR, LF, NUL, colons, spaces and extra
framing fields, deleted and repeated runs, a stream cut short. The damaged stream goes
out in random pieces, then the client half-closes. Whatever the bytes, aioweb's
low-level server must:

* answer with complete, well-framed HTTP/1.x responses only (every byte it sends
  parses as responses), each a success or a client-error status a parser gives (never
  500: nothing a client sends may look like a server fault);
* close the connection within a bounded time;
* log nothing at ERROR level;
* keep serving: a fresh connection gets its answer afterwards.

The handler reads the whole body, as most handlers do; a body cut short by the
client's half-close reaches it as an error, which must not become a 500 either.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb import server as aioweb_server

# What a client may be told about its own bytes; 200 is the echo handler's answer.
CLIENT_STATUSES = {200, 400, 404, 405, 408, 413, 414, 417, 431, 501, 505}
# Seconds the server has to answer and close once the client has half-closed.
CLOSE_WITHIN = 5.0


async def echo(request: aioweb_server.BaseRequest) -> aioweb_server.Response:
    body = await request.read()
    return aioweb_server.Response(text=f"{request.method} {request.raw_path} {len(body)}")


async def stream_some(request: aioweb_server.BaseRequest) -> aioweb_server.StreamResponse:
    """Reads a little of the body, then streams a chunked answer (the rest is dropped)."""
    start = await request.content.read(5)
    resp = aioweb_server.StreamResponse()
    if request.version >= (1, 1):  # HTTP/1.0: the body ends with the connection
        resp.enable_chunked_encoding()
    await resp.prepare(request)
    await resp.write(b"read %d" % len(start))
    await resp.write(b" of the body")
    await resp.write_eof()
    return resp


class Target:
    """aioweb's low-level server in a loop of its own, run while a stream is exchanged."""

    def __init__(self, handler: Any = echo, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = aioweb_server.Server(handler, loop=self.loop, **kwargs)
        self.listener: asyncio.Server | None = None
        self.port = 0

    def start(self) -> None:
        self.listener = self.loop.run_until_complete(
            self.loop.create_server(self.server, "127.0.0.1", 0)
        )
        self.port = self.listener.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.loop.run_until_complete(self.server.shutdown(1.0))
            self.loop.run_until_complete(self.listener.wait_closed())
        self.loop.close()

    def exchange(self, pieces: list[bytes]) -> tuple[bytes, float]:
        """Send the pieces, half-close; everything received and the seconds to the close."""
        return self.loop.run_until_complete(self._exchange(pieces))

    async def _exchange(self, pieces: list[bytes]) -> tuple[bytes, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        received: list[bytes] = []
        try:
            for piece in pieces:
                writer.write(piece)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
                await asyncio.sleep(0)
            with contextlib.suppress(OSError):
                writer.write_eof()
            started = self.loop.time()
            async with asyncio.timeout(CLOSE_WITHIN):
                while chunk := await _read(reader):
                    received.append(chunk)
            return b"".join(received), self.loop.time() - started
        finally:
            writer.close()

    def alive(self) -> bytes:
        return self.loop.run_until_complete(self._alive())

    async def _alive(self) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(b"GET /alive HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            async with asyncio.timeout(5):
                return await reader.read()
        finally:
            writer.close()


async def _read(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read(65536)
    except ConnectionResetError:  # after a 4xx the server may reset what it did not read
        return b""


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with contextlib.closing(Target()) as t:
        t.start()
        yield t


@pytest.fixture(scope="module")
def streaming_target() -> Iterator[Target]:
    """A handler that reads part of the body and streams; cancelled if the client goes."""
    with contextlib.closing(Target(stream_some, handler_cancellation=True)) as t:
        t.start()
        yield t


METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
PATHS = st.sampled_from(["/", "/a", "/a/b?x=1&y=%20", "/%2e%2e/x", "/caf%C3%A9", "*"])
FIELDS = st.lists(
    st.sampled_from(
        [
            b"Accept: */*",
            b"User-Agent: fuzz/1.0",
            b"Cookie: a=1; b=2",
            b"X-Empty:",
            b"Connection: keep-alive",
            b"Accept-Encoding: gzip, br",
            b"Expect: 100-continue",
            b"Content-Type: text/plain; charset=utf-8",
            b"X-Obs: caf\xe9",
        ]
    ),
    max_size=4,
)


@st.composite
def one_request(draw: st.DrawFn) -> bytes:
    method = draw(METHODS)
    path = draw(PATHS)
    lines = [f"{method} {path} HTTP/1.{draw(st.sampled_from('10'))}".encode(), b"Host: h"]
    lines += draw(FIELDS)
    body = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["none", "length", "chunked"]))
    payload = b""
    if framing == "length" or (framing == "chunked" and b"HTTP/1.0" in lines[0]):
        lines.append(b"Content-Length: %d" % len(body))
        payload = body
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        cut = draw(st.integers(0, len(body)))
        for chunk in (body[:cut], body[cut:]):
            if chunk:
                ext = draw(st.sampled_from([b"", b";a=b", b';q="x"']))
                payload += b"%x%b\r\n%b\r\n" % (len(chunk), ext, chunk)
        payload += b"0\r\n" + draw(st.sampled_from([b"", b"X-T: 1\r\n"])) + b"\r\n"
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


INSERTS = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\x00",
        b" ",
        b"\t",
        b":",
        b"\r\n",
        b"\r\n\r\n",
        b"\r\n ",
        b"\xff",
        b"Content-Length: 5\r\n",
        b"Content-Length: -1\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"Host: other\r\n",
        b"Connection: close\r\n",
        b"Upgrade: websocket\r\nConnection: upgrade\r\n",
        b"ffffffffffffffffff\r\n",
        b"HTTP/2.0",
        b"GET / HTTP/1.1\r\n",
        b"Content-Length: 99999999999999999999\r\n",
        b"Content-Length: 1\r\nContent-Length: 2\r\n",
        b"Transfer-Encoding: chunked, gzip\r\n",
        b"Content-Encoding: gzip\r\n",
        b"Content-Encoding: deflate\r\n",
        b"\r\n0\r\n\r\n",
        b"X" * 9000,  # a line over the limits: 414 or 431
        b"X-Many: 1\r\n" * 130,  # over max_headers
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(b"".join(draw(st.lists(one_request(), min_size=1, max_size=3))))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "cut"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(INSERTS)
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 24))]
        elif kind == "cut":
            del data[at:]
    return bytes(data)


@st.composite
def split(draw: st.DrawFn, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=4)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def responses(wire: Any, data: bytes) -> list[Any]:
    """The responses in ``data``; fails the test if the bytes are not well-framed ones."""
    try:
        parsed: list[Any] = wire.parse_responses(data)
    except (ValueError, AssertionError, IndexError) as exc:
        pytest.fail(f"malformed response bytes ({exc}): {data[:600]!r}")
    return parsed


def check_damaged_stream(
    target: Target, wire: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    stream = data.draw(mutated(), label="stream")
    pieces = data.draw(split(stream), label="pieces")
    # A HEAD answer has no body: which response that is cannot be told from the bytes.
    if b"HEAD" in stream:
        pieces = [p.replace(b"HEAD", b"HEAP") for p in pieces]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        received, took = target.exchange(pieces)
        assert took < CLOSE_WITHIN
        for resp in responses(wire, received):
            if resp.status == 100:
                continue
            assert resp.status in CLIENT_STATUSES, (resp.status, resp.body, stream)
            assert resp.version in ("HTTP/1.1", "HTTP/1.0"), resp.head
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        alive = responses(wire, target.alive())
        assert [r.status for r in alive] == [200], alive


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(st.data())
def test_damaged_streams_get_clear_answers_and_the_server_survives(
    target: Target, wire: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    check_damaged_stream(target, wire, caplog, data)


@FUZZ
@given(st.data())
def test_damaged_streams_against_a_streaming_handler_that_reads_part_of_the_body(
    streaming_target: Target, wire: Any, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    check_damaged_stream(streaming_target, wire, caplog, data)


INCOMPLETE = [(400, b"400 Bad Request\n\nincomplete request body\n")]


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        # a body cut short by the client's half-close: the handler's read fails on it,
        # and the client hears why (aiohttp logs an error with a traceback, sends nothing)
        (b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", INCOMPLETE),
        (
            b"POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            INCOMPLETE,
        ),
        # a chunk size line that is not hex, after a valid first request: the POST's
        # read() raises HTTPBadRequest with the parser's reason (as aiohttp's does)
        (
            b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            [(200, b"GET / 0"), (400, b"invalid chunk size line")],
        ),
    ],
)
def test_known_damaged_streams(
    target: Target,
    wire: Any,
    caplog: pytest.LogCaptureFixture,
    stream: bytes,
    expected: list[tuple[int, bytes]],
) -> None:
    with caplog.at_level(logging.DEBUG):
        received, took = target.exchange([stream])
        assert took < CLOSE_WITHIN
        assert [(r.status, r.body) for r in responses(wire, received)] == expected
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.status for r in responses(wire, target.alive())] == [200]


def test_an_answer_before_the_body_error_of_the_same_read(
    streaming_target: Target, wire: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # One read holds the head, a chunk and a framing error after it. With the handler
    # started in that read (eager start, Python 3.12+) it has answered and the
    # connection is half-closed before the error comes up: answering that error too
    # failed in transport.write() ("Fatal error: protocol.data_received() call failed").
    stream = (
        b"GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n1\r\n\n\x00\r\n0\r\n\r\n"
    )
    with caplog.at_level(logging.DEBUG):
        received, took = streaming_target.exchange([stream])
        assert took < CLOSE_WITHIN
        statuses = [r.status for r in responses(wire, received) if r.status != 100]
        assert statuses in ([200], [400])  # answered first, or refused first (3.11)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.status for r in responses(wire, streaming_target.alive())] == [200]


def test_a_client_that_drops_the_connection_mid_body_is_not_an_error(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    async def drop() -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", target.port)
        writer.write(b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        await asyncio.sleep(0.05)  # the handler is reading the body now
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.1)  # and fails on the close

    with caplog.at_level(logging.DEBUG):
        target.loop.run_until_complete(drop())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("Connection lost" in r.getMessage() for r in caplog.records)


async def test_a_reset_connection_does_not_fail_the_reads_of_later_requests(serve, web, wire):
    """A lost connection fails the bodies of its queued requests, never the shared empty one.

    aioweb shares one empty body between the requests that have none. A connection reset
    while a bodiless request waited behind a slow one used to fail that shared body, and
    with it ``request.content.read()`` of every later bodiless request in the process.
    """

    async def handler(request):
        if request.path == "/slow":
            await asyncio.sleep(0.3)
        return web.Response(text=repr(await request.content.read()))

    srv = await serve(handler)
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\nGET /queued HTTP/1.1\r\nHost: h\r\n\r\n")
    await asyncio.sleep(0.1)  # /slow runs, /queued waits
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # a reset: the connection is lost with /queued still waiting
    await asyncio.sleep(0.4)
    data = await wire.exchange(srv.port, b"GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert [(r.status, r.body) for r in wire.parse_responses(data)] == [(200, b"b''")]


async def test_a_fin_with_handler_cancellation_starts_no_queued_request(serve, web):
    """The FIN counts as a disconnect: the requests pipelined behind it are not run."""
    seen: list[str] = []

    async def handler(request):
        seen.append(request.path)
        await asyncio.sleep(0.1)
        return web.Response(text="x")

    srv = await serve(handler, handler_cancellation=True)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
    writer.write_eof()
    async with asyncio.timeout(5):
        await reader.read()
    writer.close()
    await asyncio.sleep(0.3)
    assert seen == ["/a"]
    await srv.alive()
