"""Reading request bodies, over a real socket.

Each test is one difference the side-by-side probe of body reading (aiohttp.web.Server
against aioweb.server.Server: the stream reader, read/text/json/post, compressed and
chunked uploads, client_max_size) found; unless marked ``aioweb_only`` both
implementations must pass it (AIOWEB_IMPL=aiohttp).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging

import brotli
import pytest

MIB = 2**20


def post(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + head.encode()
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )


ZEROS = b"\0" * (5 * MIB)
BROTLI_ZEROS = brotli.compress(ZEROS)  # a few bytes that stand for 5 MiB


@pytest.mark.parametrize("how", ["read", "content"])
async def test_highly_compressed_brotli_body_is_read_whole(serve, web, wire, how):
    # brotli 1.2 says it can take more input while output is still pending; taking
    # that at its word stopped after the first 96 KiB and called the body truncated.
    async def handler(request):
        body = await request.read() if how == "read" else await request.content.read()
        return web.Response(text=f"{len(body)} {body == ZEROS}")

    srv = await serve(handler, client_max_size=10 * MIB)
    data = await wire.exchange(srv.port, post(BROTLI_ZEROS, "Content-Encoding: br"))
    (resp,) = wire.parse_responses(data)
    assert (resp.status, resp.body) == (200, b"%d True" % len(ZEROS))


async def test_brotli_body_past_client_max_size_is_413(serve, web, wire):
    async def handler(request):
        await request.read()
        return web.Response(text="read")

    srv = await serve(handler, client_max_size=MIB)
    data = await wire.exchange(srv.port, post(BROTLI_ZEROS, "Content-Encoding: br"))
    (resp,) = wire.parse_responses(data)
    assert resp.status == 413
    assert b"Maximum request body size 1048576 exceeded." in resp.body


async def test_read_nowait_returns_a_compressed_body_that_has_arrived(serve, web, wire):
    # aioweb decodes as the handler reads: read_nowait() must decode what is there,
    # not answer b"" for a body that has all arrived.
    async def handler(request):
        await request.content.wait_eof()
        first = request.content.read_nowait(4)
        rest = request.content.read_nowait()
        return web.json_response([first.decode(), rest.decode(), request.content.at_eof()])

    srv = await serve(handler)
    body = gzip.compress(b"line one\nline two")
    data = await wire.exchange(srv.port, post(body, "Content-Encoding: gzip"))
    (resp,) = wire.parse_responses(data)
    assert json.loads(resp.body) == ["line", " one\nline two", True]


LONG_LINE = b"y" * 300 + b"\nshort\n"


async def test_a_line_over_the_bound_is_a_400_line_too_long(serve, web, wire):
    async def handler(request):
        try:
            await request.content.readline(max_line_length=100)
        except Exception as exc:
            status = exc.status if web.impl == "aioweb" else exc.code
            return web.json_response([type(exc).__name__, status])
        return web.Response(text="no error")

    srv = await serve(handler)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(LONG_LINE)))
    assert json.loads(resp.body)[1] == 400
    assert "LineTooLong" in json.loads(resp.body)[0]
    await srv.alive()


@pytest.mark.aioweb_only(
    reason="aiohttp answers a handler's LineTooLong with a 500 and an ERROR log; "
    "aioweb answers 400, as for other errors in what the client sent"
)
@pytest.mark.parametrize("how", ["readline", "iterate", "readuntil"])
async def test_an_unhandled_long_line_is_answered_400_without_error_log(
    serve, web, wire, caplog, how
):
    async def handler(request):
        if how == "readline":
            await request.content.readline(max_line_length=100)
        elif how == "readuntil":
            await request.content.readuntil(b"\n", max_size=100)
        else:
            async for _line in request.content:
                pass
        return web.Response(text="no error")

    srv = await serve(handler, read_bufsize=64)
    with caplog.at_level(logging.ERROR):
        (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(LONG_LINE)))
    assert resp.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.aioweb_only(
    reason="aioweb documents a ValueError and keeps the bytes; aiohttp's LineTooLong is "
    "no ValueError, and the bytes it read are lost"
)
async def test_a_long_line_is_also_a_value_error_and_stays_readable(serve, web, wire):
    async def handler(request):
        with pytest.raises(ValueError, match="too long"):
            await request.content.readline(max_line_length=100)
        return web.Response(body=await request.content.read())

    srv = await serve(handler)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(LONG_LINE)))
    assert (resp.status, resp.body) == (200, LONG_LINE)


async def test_unread_data_is_deprecated(serve, web, wire):
    async def handler(request):
        head = await request.content.read(3)
        with pytest.deprecated_call():
            request.content.unread_data(head)
        return web.Response(body=await request.content.read())

    srv = await serve(handler)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(b"hello")))
    assert (resp.status, resp.body) == (200, b"hello")


@pytest.mark.parametrize("coding", [None, "gzip"])
async def test_total_raw_and_compressed_bytes(serve, web, wire, coding):
    async def handler(request):
        await request.content.read()
        content = request.content
        return web.json_response([content.total_raw_bytes, content.total_compressed_bytes])

    srv = await serve(handler)
    body = b"hello world" if coding is None else gzip.compress(b"hello world")
    headers = () if coding is None else (f"Content-Encoding: {coding}",)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(body, *headers)))
    expected = [len(body), None if coding is None else len(body)]
    assert json.loads(resp.body) == expected


@pytest.mark.parametrize("how", ["readchunk", "iter_chunks"])
async def test_readchunk_reports_a_chunk_end_that_arrives_after_its_data(serve, web, wire, how):
    # The handler takes each chunk's data before the CRLF that ends it has arrived;
    # the end must still be reported (as (b"", True)), not lost.
    async def handler(request):
        got = []
        if how == "readchunk":
            while (item := await request.content.readchunk()) != (b"", False):
                got.append(item)
        else:
            got = [item async for item in request.content.iter_chunks()]
        ends, pos = [], 0
        for data, end in got:
            pos += len(data)
            if end:
                ends.append(pos)
        return web.json_response([b"".join(d for d, _ in got).decode(), ends])

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello"
        )
        for piece in (b"\r\n3\r\nabc", b"\r\n0\r\n\r\n"):
            await asyncio.sleep(0.1)
            writer.write(piece)
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
    assert json.loads(resp.body) == ["helloabc", [5, 8]]


@pytest.mark.parametrize(
    "size",
    [
        300 * 1024,
        pytest.param(
            3 * MIB,
            marks=pytest.mark.aioweb_only(
                reason="aiohttp's wait_eof() waits forever for a body over twice read_bufsize"
            ),
        ),
    ],
)
async def test_wait_eof_receives_a_body_larger_than_the_buffer(serve, web, wire, size):
    # wait_eof() asks for the whole body to be buffered; reading must not stay paused
    # (flow control) while it waits, or it waits forever.
    async def handler(request):
        await asyncio.wait_for(request.content.wait_eof(), 5)
        return web.Response(text=str(len(await request.content.read())))

    srv = await serve(handler, client_max_size=10 * MIB)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(b"x" * size)))
    assert (resp.status, resp.body) == (200, str(size).encode())


@pytest.mark.aioweb_only(reason="aiohttp's wait_eof() waits forever past twice read_bufsize")
async def test_wait_eof_holds_no_more_than_client_max_size(serve, web, wire):
    # Reading goes on while wait_eof() waits: the body cap bounds what it buffers.
    seen: list[object] = []

    async def handler(request):
        try:
            await asyncio.wait_for(request.content.wait_eof(), 5)
        except web.RequestPayloadError as exc:
            seen.append((exc.status, request.content.total_bytes <= 2 * MIB))
            raise
        return web.Response(text="whole")

    srv = await serve(handler, client_max_size=1 * MIB)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(b"x" * (8 * MIB))))
    assert resp.status == 413
    assert seen == [(413, True)]
    await srv.alive()


async def test_default_line_bound_is_aiohttps_512_kib(serve, web, wire):
    """The default read_bufsize is aiohttp 3.14's 256 KiB: lines up to 512 KiB read."""

    async def handler(request):
        lines = [len(line) async for line in request.content]
        return web.json_response(lines)

    srv = await serve(handler)
    body = b"y" * (300 * 1024) + b"\n" + b"z" * (500 * 1024) + b"\nend"
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, post(body)))
    assert resp.status == 200
    assert json.loads(resp.body) == [300 * 1024 + 1, 500 * 1024 + 1, 3]
