"""The low-level server over real sockets on 127.0.0.1 (raw asyncio clients only)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
import sys
from typing import Any

import pytest

from aioweb.exceptions import HTTPNoContent, HTTPNotFound
from aioweb.server import BaseRequest, Response, StreamResponse
from aioweb.server._testing import read_response, serve

GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="Hello")


async def open_conn(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await writer.wait_closed()
    except ConnectionError:
        pass


async def test_seed_example_keep_alive_and_headers() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await open_conn(port)
        for _ in range(3):
            writer.write(GET)
            resp = await read_response(reader)
            assert resp.status == 200
            assert resp.body == b"Hello"
            assert resp.headers["Server"] == "aioweb"
            assert resp.headers["Date"].endswith(" GMT")
            assert "Connection" not in resp.headers
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        resp = await read_response(reader)
        assert resp.headers["Connection"] == "close"
        assert await reader.read() == b""
        await close(writer)


async def test_http10_closes_unless_keep_alive() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        resp = await read_response(reader)
        assert resp.version == "HTTP/1.0"
        assert resp.headers["Connection"] == "keep-alive"
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        resp = await read_response(reader)
        assert resp.body == b"Hello"
        assert await reader.read() == b""
        await close(writer)


async def test_pipelined_requests_answered_in_order() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/slow":
            await asyncio.sleep(0.05)
        return Response(text=request.path)

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        paths = ["/slow", "/a", "/slow", "/b"] * 5
        writer.write(b"".join(f"GET {p} HTTP/1.1\r\nHost: t\r\n\r\n".encode() for p in paths))
        got = [(await read_response(reader)).body.decode() for _ in paths]
        assert got == paths
        await close(writer)


async def test_expect_100_continue_sent_on_first_read() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(body=await request.read())

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"data")
        resp = await read_response(reader)
        assert resp.body == b"data"
        await close(writer)


async def test_expect_continue_not_sent_when_body_unread() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(status=403, text="no")

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        resp = await read_response(reader)
        assert resp.status == 403
        # the body never came: the connection cannot be reused
        assert await reader.read() == b""
        await close(writer)


@pytest.mark.parametrize(
    ("request_line", "status"),
    [(b"HEAD / HTTP/1.1", 200), (b"GET /204 HTTP/1.1", 204), (b"GET /304 HTTP/1.1", 304)],
)
async def test_no_body_responses(request_line: bytes, status: int) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/204":
            raise HTTPNoContent()
        if request.path == "/304":
            return Response(status=304, text="ignored")
        return Response(text="Hello")

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(request_line + b"\r\nHost: t\r\n\r\n" + GET)
        resp = await read_response(reader, head_only=True)
        assert resp.status == status
        if status == 200:
            assert resp.headers["Content-Length"] == "5"
        else:
            assert "Content-Length" not in resp.headers
            assert "Transfer-Encoding" not in resp.headers
        # the next response follows immediately: no body bytes were sent
        nxt = await read_response(reader)
        assert nxt.body == b"Hello"
        await close(writer)


async def test_error_page_has_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise RuntimeError("secret detail")

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        with caplog.at_level(logging.ERROR, logger="aioweb.server"):
            writer.write(GET)
            resp = await read_response(reader)
        assert resp.status == 500
        assert b"secret" not in resp.body
        assert b"Traceback" not in resp.body
        assert resp.headers["Server"] == "aioweb"
        records = [r for r in caplog.records if r.name == "aioweb.server"]
        assert len(records) == 1
        assert records[0].exc_info
        await close(writer)


async def test_debug_error_page_has_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise RuntimeError("secret detail")

    async with serve(handler, debug=True) as (_, port):
        reader, writer = await open_conn(port)
        with caplog.at_level(logging.CRITICAL, logger="aioweb.server"):
            writer.write(GET)
            resp = await read_response(reader)
        assert resp.status == 500
        assert b"Traceback" in resp.body
        assert b"secret detail" in resp.body
        await close(writer)


async def test_raised_http_exception() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise HTTPNotFound(text="nope", headers={"X-Why": "because"})

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(GET + GET)
        for _ in range(2):  # the connection stays usable
            resp = await read_response(reader)
            assert resp.status == 404
            assert resp.reason == "Not Found"
            assert resp.body == b"nope"
            assert resp.headers["X-Why"] == "because"
            assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
        await close(writer)


async def test_returned_http_exception_warns() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return HTTPNotFound()  # type: ignore[return-value]

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(GET)
        with pytest.warns(DeprecationWarning, match="raise it instead"):
            resp = await read_response(reader)
        assert resp.status == 404
        assert resp.body == b"404: Not Found"
        await close(writer)


async def test_non_response_result_is_500(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return None  # type: ignore[return-value]

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        with caplog.at_level(logging.ERROR, logger="aioweb.server"):
            writer.write(GET)
            resp = await read_response(reader)
        assert resp.status == 500
        assert "missing return" in caplog.text
        await close(writer)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
    ],
)
async def test_parser_errors_answered_and_closed(raw: bytes, status: int) -> None:
    async with serve(hello) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(raw)
        resp = await read_response(reader)
        assert resp.status == status
        assert resp.headers["Connection"] == "close"
        assert b"Traceback" not in resp.body
        assert await reader.read() == b""
        await close(writer)


async def test_parser_error_after_good_request() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(GET)
        assert (await read_response(reader)).status == 200
        writer.write(b"BAD\x01 / HTTP/1.1\r\n\r\n")
        assert (await read_response(reader)).status == 400
        assert await reader.read() == b""
        await close(writer)


async def test_head_timeout_closes_slowloris() -> None:
    async with serve(hello, request_head_timeout=0.1) as (_, port):
        reader, writer = await open_conn(port)
        loop = asyncio.get_running_loop()
        start = loop.time()
        writer.write(b"GET / HTTP/1.1\r\n")
        await asyncio.sleep(0.05)
        writer.write(b"X-A: b\r\n")  # trickling bytes do not extend the deadline
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert loop.time() - start < 1.0
        await close(writer)


async def test_keepalive_timeout_closes_idle_connection() -> None:
    async with serve(hello, keepalive_timeout=0.1) as (server, port):
        reader, writer = await open_conn(port)
        writer.write(GET)
        await read_response(reader)
        assert len(server.connections) == 1
        assert await asyncio.wait_for(reader.read(), 5) == b""
        await close(writer)


@pytest.mark.parametrize("cancellation", [True, False])
async def test_handler_cancellation(cancellation: bool) -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("completed")
        return Response(text="late")

    async with serve(handler, handler_cancellation=cancellation) as (_, port):
        _, writer = await open_conn(port)
        writer.write(GET)
        await started.wait()
        await close(writer)
        await asyncio.sleep(0.4)
    assert outcome == (["cancelled"] if cancellation else ["completed"])


async def test_graceful_shutdown_lets_inflight_finish() -> None:
    started = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/slow":
            started.set()
            await asyncio.sleep(0.1)
        return Response(text="done")

    loop = asyncio.get_running_loop()
    from aioweb.server import Server

    server = Server(handler, access_log=None)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    idle_reader, idle_writer = await open_conn(port)
    idle_writer.write(GET)
    await read_response(idle_reader)
    reader, writer = await open_conn(port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
    await started.wait()
    listener.close()
    await server.shutdown(2.0)
    resp = await read_response(reader)
    assert resp.body == b"done"
    assert resp.headers["Connection"] == "close"
    assert await idle_reader.read() == b""
    assert server.connections == []
    await listener.wait_closed()
    await close(writer)
    await close(idle_writer)


async def test_shutdown_timeout_cancels_stuck_handler() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("not reached")

    async with serve(handler) as (server, port):
        reader, writer = await open_conn(port)
        writer.write(GET)
        await started.wait()
        await server.shutdown(0.05)
        assert cancelled.is_set()
        assert await reader.read() == b""
        await close(writer)


VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


async def test_context_copied_per_request() -> None:
    VAR.set("outer")
    seen: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        seen.append(VAR.get())
        VAR.set(request.path)
        return Response(text="x")

    async with serve(hello) as (server, port):
        server._handler = handler
        reader, writer = await open_conn(port)
        writer.write(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n" + b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        await read_response(reader)
        await read_response(reader)
        writer.write(GET)
        await read_response(reader)
        await close(writer)
    assert seen == ["outer", "outer", "outer"]
    assert VAR.get() == "outer"


async def test_client_max_size_413_before_buffering() -> None:
    seen: list[int] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        finally:
            seen.append(request.content.total_bytes)
        return Response(text="read")

    async with serve(handler) as (_, port):
        # Content-Length alone is over the cap: refused before any body byte is read.
        reader, writer = await open_conn(port)
        writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n")
        resp = await read_response(reader)
        assert resp.status == 413
        assert resp.body == b"Maximum request body size 1048576 exceeded."
        assert seen == [0]
        await close(writer)
        # chunked: stops as soon as the count passes the cap
        reader, writer = await open_conn(port)
        writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        for _ in range(17):
            writer.write(chunk)
        resp = await read_response(reader)
        assert resp.status == 413
        await close(writer)
    assert seen[1] < 1024 * 1024 + 4 * 65536


async def test_unread_body_discarded_before_next_request() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=request.method)

    async with serve(handler) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789"
            b"PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n"
        )
        assert (await read_response(reader)).body == b"POST"
        await asyncio.sleep(0.02)
        writer.write(b"abcde" + GET)
        assert (await read_response(reader)).body == b"PUT"
        assert (await read_response(reader)).body == b"GET"
        await close(writer)


async def test_large_unread_body_closes_connection() -> None:
    async with serve(hello, max_discard_size=1000) as (_, port):
        reader, writer = await open_conn(port)
        writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc")
        resp = await read_response(reader)
        assert resp.status == 200
        assert await reader.read() == b""
        await close(writer)


async def test_client_that_never_reads_cannot_grow_buffers() -> None:
    written = 0
    blocked = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        nonlocal written
        resp = StreamResponse()
        await resp.prepare(request)
        chunk = b"x" * 65536
        for _ in range(2000):  # 128 MiB if nothing stopped it
            writer_task = asyncio.ensure_future(resp.write(chunk))
            done, _ = await asyncio.wait([writer_task], timeout=0.5)
            if not done:
                blocked.set()
                writer_task.cancel()
                await asyncio.gather(writer_task, return_exceptions=True)
                break
            written += len(chunk)
        return resp

    async with serve(handler) as (_, port):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(GET)
        await asyncio.wait_for(blocked.wait(), 10)
        sock.close()
    # kernel buffers plus the transport's high-water mark: far below 128 MiB
    assert written < 16 * 1024 * 1024


async def test_requests_count_and_connections() -> None:
    async with serve(hello) as (server, port):
        reader, writer = await open_conn(port)
        writer.write(GET * 3)
        for _ in range(3):
            await read_response(reader)
        assert server.requests_count == 3
        assert len(server.connections) == 1
        await close(writer)
        await asyncio.sleep(0.05)
        assert server.connections == []


async def test_handler_runs_in_its_own_current_task() -> None:
    # current_task() is request.task and asyncio.timeout() works, before and after
    # the handler suspends.
    seen: list[tuple[bool, bool]] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        task = asyncio.current_task()
        async with asyncio.timeout(5):
            seen.append((task is request.task, task is not None and not task.done()))
        if request.path == "/slow":
            await asyncio.sleep(0.01)  # suspends: goes on as a normal task
            seen.append((asyncio.current_task() is request.task, True))
        return Response(text=request.path)

    async with serve(hello) as (server, port):
        server._handler = handler
        reader, writer = await open_conn(port)
        for path in (b"/a", b"/slow", b"/b"):
            writer.write(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path)
            resp = await read_response(reader)
            assert (resp.status, resp.body) == (200, path)
        await close(writer)
    assert seen == [(True, True)] * 4


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are Python 3.12+")
async def test_an_eager_task_factory_serves_requests_in_order() -> None:
    # With asyncio.eager_task_factory each request's task runs its first step inside
    # create_task(): it may finish (and start the next request) before it is returned.
    loop = asyncio.get_running_loop()
    seen: list[tuple[str, bool]] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        seen.append((request.path, asyncio.current_task() is request.task))
        if request.path == "/slow":
            await asyncio.sleep(0.01)
        body = await request.read()
        return Response(body=request.path.encode() + body)

    async with serve(hello) as (server, port):
        server._handler = handler
        loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined,unused-ignore]
        try:
            reader, writer = await open_conn(port)
            writer.write(
                b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
                b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
                b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n"
            )
            bodies = [(await read_response(reader)).body for _ in range(3)]
            await close(writer)
        finally:
            loop.set_task_factory(None)
    assert bodies == [b"/a", b"/slowhi", b"/b"]
    assert seen == [("/a", True), ("/slow", True), ("/b", True)]


async def test_a_loop_task_factory_makes_the_request_tasks() -> None:
    loop = asyncio.get_running_loop()
    made: list[object] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=str(request.task in made))

    async with serve(hello) as (server, port):
        server._handler = handler
        loop.set_task_factory(factory)
        try:
            reader, writer = await open_conn(port)
            writer.write(GET)
            resp = await read_response(reader)
            await close(writer)
        finally:
            loop.set_task_factory(None)
    assert resp.body == b"True"
