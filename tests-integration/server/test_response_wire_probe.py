"""How responses are written, over a real socket: framing, lengths, misuse.

Each test is a difference the side-by-side probe of aiohttp.web and aioweb.web
found in how a response reaches the wire. Each fails on the code before its fix;
unless marked ``aioweb_only`` it passes under ``AIOWEB_IMPL=aiohttp`` too.
"""

from __future__ import annotations

import asyncio
import warnings

import pytest

REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
NEXT = b"GET /__alive__ HTTP/1.1\r\nHost: x\r\n\r\n"


async def _closed_after(reader: asyncio.StreamReader, wire) -> bytes:
    """What still comes until the server closes; fails if it is still open after 5 s."""
    return await wire.read_until_close(reader, timeout=5.0)


# --- write_eof() takes bytes-like data only, as write() does (aioweb bug: an int
# --- became that many NUL bytes of body).


async def test_write_eof_refuses_what_is_not_bytes(serve, web, wire, impl):
    seen: list[str] = []

    async def handler(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        for bad in (3, "text"):
            try:
                await resp.write_eof(bad)
            except (TypeError, AssertionError) as exc:
                seen.append(type(exc).__name__)
        await resp.write_eof(b"ok")
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
    assert resp.body == b"ok"
    # aiohttp asserts (see docs/server.md: argument errors are TypeError in aioweb)
    expected = "AssertionError" if impl == "aiohttp" else "TypeError"
    assert seen == [expected, expected]


async def test_write_eof_takes_bytearray_and_memoryview(serve, web, wire):
    async def handler(request):
        resp = web.StreamResponse()
        resp.content_length = 4
        await resp.prepare(request)
        await resp.write(memoryview(b"ab"))
        await resp.write_eof(bytearray(b"cd"))
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert resp.body == b"abcd"
        writer.write(NEXT)
        again = await asyncio.wait_for(wire.read_response(reader), 5)
        assert again.body == b"alive"


# --- A body shorter than its Content-Length closes the connection: kept open, the
# --- client reads the start of the next response as the rest of this body.


SHORT = "aiohttp keeps the connection: the next response is read as the rest of the body"


@pytest.mark.aioweb_only(reason=SHORT)
@pytest.mark.parametrize("how", ["write", "write_eof"])
async def test_streamed_body_shorter_than_its_length_closes(serve, web, wire, how, caplog):
    async def handler(request):
        resp = web.StreamResponse()
        resp.content_length = 10
        await resp.prepare(request)
        if how == "write":
            await resp.write(b"abc")
        else:
            await resp.write_eof(b"abc")
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert b"Content-Length: 10\r\n" in head
        assert await _closed_after(reader, wire) == b"abc"
    assert "shorter than its Content-Length (3 of 10 bytes)" in caplog.text
    await srv.alive()


@pytest.mark.aioweb_only(reason=SHORT)
async def test_response_body_shorter_than_its_length_says_close(serve, web, wire):
    async def handler(request):
        return web.Response(body=b"abc", headers={"Content-Length": "6"})

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST + NEXT)
        data = await _closed_after(reader, wire)
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\r\nConnection: close" in head
    assert body == b"abc"  # the pipelined request is not answered inside this body


@pytest.mark.aioweb_only(reason=SHORT)
async def test_prepared_response_body_shorter_than_its_length_says_close(serve, web, wire):
    # Through prepare() (the path with on_response_prepare signals, or compression).
    async def handler(request):
        resp = web.Response(body=b"abc", headers={"Content-Length": "6"})
        await resp.prepare(request)
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST + NEXT)
        data = await _closed_after(reader, wire)
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\r\nConnection: close" in head
    assert body == b"abc"


async def test_head_answer_with_a_length_keeps_the_connection(serve, web, wire):
    # Not a short body: a HEAD answer has none, whatever its Content-Length says.
    async def handler(request):
        resp = web.StreamResponse()
        resp.content_length = 10
        await resp.prepare(request)
        await resp.write_eof()
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await asyncio.wait_for(wire.read_response(reader, head_request=True), 5)
        assert resp.header("Content-Length") == "10"
        writer.write(NEXT)
        again = await asyncio.wait_for(wire.read_response(reader), 5)
        assert again.body == b"alive"


# --- A Content-Length header that is not a number fails prepare() before anything
# --- is queued, so the client gets the 500 page (aioweb sent nothing and closed).


async def test_invalid_content_length_header_gives_a_500_page(serve, web, wire):
    seen: list[str] = []

    async def handler(request):
        resp = web.StreamResponse(headers={"Content-Length": "abc"})
        try:
            await resp.prepare(request)
        except ValueError as exc:
            seen.append(type(exc).__name__)
            raise
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(
        await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert resp.status == 500
    assert resp.body.startswith(b"500 Internal Server Error")
    assert seen == ["ValueError"]


@pytest.mark.aioweb_only(reason="aiohttp sends such a Content-Length as it is, then the body")
@pytest.mark.parametrize("kind", ["stream", "response"])
@pytest.mark.parametrize("value", ["-1", "+3", "3_0", " 3", "\u0663", "0x3"])
async def test_content_length_not_ascii_digits_gives_a_500_page(serve, web, wire, kind, value):
    # int() reads "+3", "3_0", " 3" and Arabic-Indic digits; none is a Content-Length
    # (RFC 9110 8.6: 1*DIGIT), and a client would read the body by its own rules.
    async def handler(request):
        if kind == "response":
            return web.Response(body=b"abc", headers={"Content-Length": value})
        resp = web.StreamResponse(headers={"Content-Length": value})
        await resp.prepare(request)
        await resp.write(b"abc")
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(
        await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert resp.status == 500
    assert resp.header("Content-Length") != value


# --- A head that fails to serialise leaves the writer as it was: the response the
# --- handler sends instead is framed by its own head (aioweb and aiohttp sent a
# --- chunk-framed body under a Content-Length, on a kept-alive connection).


FALLBACK = "aiohttp frames the fallback's body with the failed head's chunking"


@pytest.mark.aioweb_only(reason=FALLBACK)
@pytest.mark.parametrize("compress", [False, True])
async def test_fallback_after_a_failed_prepare_is_framed_by_its_own_head(
    serve, web, wire, compress
):
    async def handler(request):
        resp = web.StreamResponse(headers={"X-Bad": "a\nb"})
        if compress:
            resp.enable_compression()
        try:
            await resp.prepare(request)
        except ValueError:
            fallback = web.Response(text="fallback")
            await fallback.prepare(request)
            await fallback.write_eof()
            return fallback
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (resp.status, resp.body) == (200, b"fallback")
        assert resp.header("Content-Encoding") is None
        writer.write(NEXT)
        again = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (again.status, again.body) == (200, b"alive")


@pytest.mark.aioweb_only(reason=FALLBACK)
async def test_error_page_after_a_failed_head_is_framed_by_its_own_head(wire):
    # With an on_response_prepare signal every response goes through prepare(): the
    # 500 page for the failed head came out chunk-framed under its Content-Length.
    from aioweb import web as aioweb_web

    async def on_prepare(request, response):
        response.headers["X-Signal"] = "1"

    async def handler(request):
        resp = aioweb_web.StreamResponse(headers={"X-Bad": "a\nb"})
        await resp.prepare(request)
        return resp

    app = aioweb_web.Application()
    app.router.add_get("/", handler)
    app.on_response_prepare.append(on_prepare)
    runner = aioweb_web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = aioweb_web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        [resp] = wire.parse_responses(await wire.exchange(port, REQUEST))
    finally:
        await runner.cleanup()
    assert resp.status == 500
    assert resp.body == b"500 Internal Server Error\n\nServer got itself in trouble"
    assert resp.header("X-Signal") == "1"


# --- drain() is deprecated, as in aiohttp (write() drains), and has nothing to wait
# --- for once the body has ended (aioweb warned of nothing and returned).


async def test_drain_is_deprecated_and_refused_after_the_end(serve, web, wire, impl):
    seen: list[str] = []

    async def handler(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await resp.drain()
        seen.extend(w.category.__name__ for w in caught)
        await resp.write_eof(b"ok")
        try:
            await resp.drain()
        except (RuntimeError, AssertionError) as exc:
            seen.append(type(exc).__name__)
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
    assert resp.body == b"ok"
    refused = "AssertionError" if impl == "aiohttp" else "RuntimeError"
    assert seen == ["DeprecationWarning", refused]


# --- A Response prepared but not sent yet (its head waits for its body) has not
# --- begun the answer: an error, or another response, still takes its place, as in
# --- aiohttp (aioweb closed the connection without a word).


@pytest.mark.parametrize(
    ("error", "status", "reusable"),
    [("ValueError", 500, False), ("HTTPForbidden", 403, True)],
)
async def test_error_after_preparing_a_response_gets_its_answer(
    serve, web, wire, error, status, reusable
):
    async def handler(request):
        resp = web.Response(text="never sent")
        await resp.prepare(request)
        if error == "ValueError":
            raise ValueError("after prepare")
        raise web.HTTPForbidden()

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert resp.status == status
        assert b"never sent" not in resp.body
        if reusable:
            writer.write(NEXT)
            again = await asyncio.wait_for(wire.read_response(reader), 5)
            assert again.body == b"alive"
        else:
            assert resp.header("Connection") == "close"


async def test_another_response_returned_after_preparing_one(serve, web, wire):
    async def handler(request):
        first = web.Response(text="first")
        await first.prepare(request)
        return web.Response(text="second")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (resp.status, resp.body) == (200, b"second")
        writer.write(NEXT)
        again = await asyncio.wait_for(wire.read_response(reader), 5)
        assert again.body == b"alive"


# --- A BaseException out of a handler (not an Exception, not a cancellation) closes
# --- the connection; aioweb left it open, unserved, until shutdown gave up on it.


class _Stop(BaseException):
    pass


async def test_base_exception_in_a_handler_closes_the_connection(serve, web, wire):
    tasks: list[asyncio.Task[object]] = []

    async def handler(request):
        task = asyncio.current_task()
        assert task is not None
        tasks.append(task)
        raise _Stop()

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(REQUEST)
        assert await _closed_after(reader, wire) == b""
    await srv.alive()
    # The exception went on up and ended the task serving the request; take it, so
    # that the task's finaliser does not report it later, in the middle of another test.
    [task] = tasks
    done, _ = await asyncio.wait({task}, timeout=5)
    assert done == {task}
    assert isinstance(task.exception(), _Stop)
