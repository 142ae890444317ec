"""A streamed response that goes wrong never corrupts the connection's next response.

Bytes written past the declared Content-Length are dropped (sent, they would be read
as the start of the next response), and a handler that fails, or answers anew, after
its response began gets the connection closed: an error page then would land inside
the body already on its way.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

SECOND = b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture
def errors(caplog):
    caplog.set_level(logging.ERROR)
    return caplog


def stream_handler(web, how: str):
    async def handler(request):
        if request.path == "/second":
            return web.Response(text="second")
        resp = web.StreamResponse()
        resp.content_length = 3
        await resp.prepare(request)
        if how == "write":
            await resp.write(b"abc")
            await resp.write(b"def")
            await resp.write_eof()
        else:
            await resp.write_eof(b"abcdef")
        return resp

    return handler


@pytest.mark.parametrize(
    "how",
    [
        "write",
        pytest.param(
            "write_eof",
            marks=pytest.mark.aioweb_only(reason="aiohttp sends write_eof()'s bytes uncut"),
        ),
    ],
)
async def test_bytes_past_content_length_are_dropped(serve, web, wire, how):
    srv = await serve(stream_handler(web, how))
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n" + SECOND)
        first = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (first.status, first.body) == (200, b"abc")
        second = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (second.version, second.status, second.body) == ("HTTP/1.1", 200, b"second")


@pytest.mark.aioweb_only(reason="aiohttp sends the whole body under a shorter Content-Length")
async def test_a_response_body_longer_than_its_content_length_header_is_cut(serve, web, wire):
    async def handler(request):
        return web.Response(body=b"abcdef", headers={"Content-Length": "3"})

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in range(2):
            resp = await asyncio.wait_for(wire.read_response(reader), 5)
            assert (resp.version, resp.status, resp.body) == ("HTTP/1.1", 200, b"abc")


@pytest.mark.aioweb_only(reason="aiohttp's chunked answer to these is not closed cleanly either")
@pytest.mark.parametrize("length", [None, 100])
@pytest.mark.parametrize("how", ["raise", "http-exception", "other-response"])
async def test_failure_after_the_response_began_closes_the_connection(
    serve, web, wire, errors, length, how
):
    async def handler(request):
        if request.path == "/second":
            return web.Response(text="second")
        resp = web.StreamResponse()
        if length is not None:
            resp.content_length = length
        await resp.prepare(request)
        await resp.write(b"partial")
        if how == "raise":
            raise ValueError("boom")
        if how == "http-exception":
            raise web.HTTPBadRequest()
        return web.Response(text="another answer")

    srv = await serve(handler)
    got = await wire.exchange(srv.port, b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n" + SECOND)
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    # the body stops short (no last chunk, or fewer bytes than declared), then the close
    assert body in (b"partial", b"7\r\npartial\r\n"), got
    assert b"HTTP/1.1 500" not in got
    assert b"another answer" not in got
    assert [r.levelno for r in errors.records] == [logging.ERROR]  # logged once
    await srv.alive()
