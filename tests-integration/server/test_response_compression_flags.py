"""Response flags and headers around compression and dates, as aiohttp has them.

Found by a side-by-side probe of aioweb and aiohttp; each test fails on the code
before its fix, and passes under ``AIOWEB_IMPL=aiohttp`` too unless marked.
"""

from __future__ import annotations

import datetime
import gzip

import pytest
from multidict import CIMultiDict

UTC = datetime.UTC
BODY = b"hello world, " * 50
REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
PLAIN_REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


# --- A Content-Length the handler set must not frame a compressed body (aioweb bug).


async def test_compressed_body_replaces_the_handlers_content_length(serve, web, wire):
    async def handler(request):
        # As a proxy does when it copies an upstream's headers.
        resp = web.Response(body=BODY, headers={"Content-Length": str(len(BODY))})
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    data = await wire.exchange(srv.port, REQUEST)
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
    assert fields["Content-Encoding"] == "gzip"
    assert int(fields["Content-Length"]) == len(body)
    assert gzip.decompress(body) == BODY


# --- Vary after enable_compression(): the handler's Vary lines all survive (aioweb bug).


def _vary_tokens(resp) -> list[str]:
    return [t.strip() for value in resp.all("Vary") for t in value.split(",")]


async def test_every_vary_line_of_the_handler_is_sent(serve, web, wire):
    async def handler(request):
        headers = CIMultiDict([("Vary", "Origin"), ("Vary", "Cookie")])
        resp = web.Response(body=BODY, headers=headers)
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(await wire.exchange(srv.port, REQUEST))
    tokens = _vary_tokens(resp)
    assert "Origin" in tokens
    assert "Cookie" in tokens


@pytest.mark.aioweb_only(reason="aiohttp sends no Vary: Accept-Encoding")
@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        (["Accept-Encoding-X"], ["Accept-Encoding-X", "Accept-Encoding"]),
        (["Origin", "Cookie"], ["Origin", "Cookie", "Accept-Encoding"]),
        (["Origin", "ACCEPT-ENCODING"], ["Origin", "ACCEPT-ENCODING"]),
        (["Origin, *"], ["Origin", "*"]),
    ],
)
async def test_accept_encoding_is_added_once_to_the_vary_list(serve, web, wire, vary, expected):
    async def handler(request):
        resp = web.StreamResponse(headers=CIMultiDict(("Vary", v) for v in vary))
        resp.enable_compression()
        await resp.prepare(request)
        await resp.write_eof(BODY)
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(await wire.exchange(srv.port, REQUEST))
    assert _vary_tokens(resp) == expected


# --- response.compression stays True once enabled, after prepare too (aioweb bug).


@pytest.mark.parametrize("accept", ["gzip", "identity"])
async def test_compression_is_still_enabled_after_prepare(serve, web, wire, accept):
    seen: list[bool] = []

    async def handler(request):
        resp = web.Response(body=BODY)
        resp.enable_compression()
        seen.append(resp.compression)
        await resp.prepare(request)
        seen.append(resp.compression)
        await resp.write_eof()
        seen.append(resp.compression)
        return resp

    srv = await serve(handler)
    request = f"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept}\r\nConnection: close\r\n\r\n"
    [resp] = wire.parse_responses(await wire.exchange(srv.port, request.encode()))
    assert resp.status == 200
    assert seen == [True, True, True]


# --- response.chunked says whether enable_chunked_encoding() was called (aioweb bug).


@pytest.mark.parametrize("compress", [False, True])
async def test_chunked_flag_is_not_set_by_implicit_chunking(serve, web, wire, compress):
    seen: list[object] = []

    async def handler(request):
        resp = web.StreamResponse()
        if compress:
            resp.enable_compression(force=web.ContentCoding.gzip)
        await resp.prepare(request)
        seen.append(resp.chunked)
        await resp.write(b"data")
        await resp.write_eof()
        seen.append(resp.chunked)
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(await wire.exchange(srv.port, REQUEST))
    assert resp.header("Transfer-Encoding") == "chunked"
    assert seen == [False, False]


async def test_explicit_chunking_sets_the_flag(serve, web, wire):
    seen: list[object] = []

    async def handler(request):
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        seen.append(resp.chunked)
        await resp.write_eof(b"data")
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(await wire.exchange(srv.port, REQUEST))
    assert (resp.header("Transfer-Encoding"), resp.body) == ("chunked", b"data")
    assert seen == [True]


# --- last_modified = datetime rounds a fraction of a second up, as a float does (aioweb bug).


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2020, 1, 2, 3, 4, 5, 1, tzinfo=UTC), "Thu, 02 Jan 2020 03:04:06 GMT"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, 999999), "Thu, 02 Jan 2020 03:04:06 GMT"),
        (
            datetime.datetime(2020, 12, 31, 23, 59, 59, 5, tzinfo=UTC),
            "Fri, 01 Jan 2021 00:00:00 GMT",
        ),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC), "Thu, 02 Jan 2020 03:04:05 GMT"),
        (1577934245.000001, "Thu, 02 Jan 2020 03:04:06 GMT"),
    ],
)
async def test_last_modified_rounds_up(serve, web, wire, value, expected):
    async def handler(request):
        resp = web.Response(text="ok")
        resp.last_modified = value
        return resp

    srv = await serve(handler)
    [resp] = wire.parse_responses(await wire.exchange(srv.port, PLAIN_REQUEST))
    assert resp.header("Last-Modified") == expected
