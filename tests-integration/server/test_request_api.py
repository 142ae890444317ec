"""The request and response API a handler touches, over a real socket.

Each test is one difference the side-by-side probe of aiohttp.web.Server and
aioweb.server.Server found; both implementations must pass it (AIOWEB_IMPL=aiohttp).
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings

import aiohttp
import httpx
import pytest

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def test_clone_rel_url_is_the_new_raw_path(serve, web):
    async def handler(request):
        clone = request.clone(rel_url="/x%20y?z=%20")
        return web.json_response([clone.raw_path, clone.path, clone.path_qs, request.raw_path])

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(f"{srv.url}/a?b=1")
    assert resp.json() == ["/x%20y?z=%20", "/x y", "/x%20y?z=%20", "/a?b=1"]


async def test_clone_with_absolute_url_gives_url_and_host(serve, web):
    async def handler(request):
        clone = request.clone(rel_url="http://other.example/x?q=1")
        return web.json_response(
            [str(clone.url), clone.host, clone.path, clone.raw_path, str(clone.rel_url)]
        )

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(f"{srv.url}/a") as resp,
    ):
        assert resp.status == 200
        body = await resp.json()
    assert body == [
        "http://other.example/x?q=1",
        "other.example",
        "/x",
        "http://other.example/x?q=1",
        "/x?q=1",
    ]


async def test_message_is_the_deprecated_raw_message(serve, web):
    async def handler(request):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            message = request.message
        return web.json_response(
            {
                "warnings": [str(w.message) for w in caught if w.category is DeprecationWarning],
                "method": message.method,
                "path": message.path,
                "version": list(message.version),
                "x": message.headers.get("X-Probe"),
                "raw": [k.decode() for k, _ in message.raw_headers],
                "should_close": message.should_close,
                "compression": message.compression,
                "upgrade": message.upgrade,
                "chunked": message.chunked,
                "url": str(message.url),
            }
        )

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(
            f"{srv.url}/p?q=1", headers={"X-Probe": "yes", "Connection": "close"}, content=b"x"
        )
    body = resp.json()
    assert body["warnings"] == ["Request.message is deprecated"]
    assert body["method"] == "POST"
    assert body["path"] == "/p?q=1"
    assert body["version"] == [1, 1]
    assert body["x"] == "yes"
    assert "X-Probe" in body["raw"]
    assert body["should_close"] is True
    assert body["compression"] is None
    assert body["upgrade"] is False
    assert body["chunked"] is False
    assert body["url"] == "/p?q=1"


async def test_post_reads_a_form_sent_with_delete(serve, web):
    async def handler(request):
        form = await request.post()
        return web.json_response(sorted(form.items()))

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.delete(f"{srv.url}/", data={"a": "1", "b": "x y"}) as resp,
    ):
        assert resp.status == 200
        assert await resp.json() == [["a", "1"], ["b", "x y"]]


async def test_multipart_part_read_is_a_bytearray(serve, web):
    async def handler(request):
        reader = await request.multipart()
        out = []
        async for part in reader:
            data = await part.read()
            out.append([part.name, type(data).__name__, data.decode()])
        return web.json_response(out)

    srv = await serve(handler)
    form = aiohttp.FormData()
    form.add_field("a", "hello")
    form.add_field("f", b"file data", filename="f.bin", content_type="application/x-thing")
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(f"{srv.url}/", data=form) as resp,
    ):
        assert resp.status == 200
        assert await resp.json() == [
            ["a", "bytearray", "hello"],
            ["f", "bytearray", "file data"],
        ]


async def test_multipart_part_iteration_and_decode_give_bytearrays(serve, web):
    async def handler(request):
        reader = await request.multipart()
        part = await reader.next()
        decoded = await part.read(decode=True)
        part = await reader.next()
        pieces = [type(piece).__name__ async for piece in part]
        return web.json_response([type(decoded).__name__, decoded.decode(), pieces])

    srv = await serve(handler)
    body = (
        b'--BB\r\nContent-Disposition: form-data; name="a"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
        b'--BB\r\nContent-Disposition: form-data; name="b"\r\n\r\nxyz\r\n--BB--\r\n'
    )
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(
            f"{srv.url}/",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=BB"},
        )
    assert resp.json() == ["bytearray", "hello", ["bytearray"]]


@pytest.mark.parametrize("accept", ["*/*", "text/html"])
async def test_handler_timeout_is_an_empty_504_logged_as_error(serve, web, wire, caplog, accept):
    async def handler(request):
        async with asyncio.timeout(0.01):
            await asyncio.sleep(5)
        return web.Response(text="never")

    srv = await serve(handler)
    request = (
        f"GET / HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    ).encode()
    with caplog.at_level(logging.DEBUG):
        data = await wire.exchange(srv.port, request)
    (resp,) = wire.parse_responses(data)
    assert resp.status == 504
    assert resp.body == b""
    assert resp.header("Content-Length") == "0"
    assert resp.header("Content-Type") == "text/plain"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["Error handling request from 127.0.0.1"]
    await srv.alive()


async def test_handler_timeout_page_stays_empty_with_debug(serve, web, curl):
    async def handler(request):
        raise TimeoutError("deadline")

    srv = await serve(handler, debug=True)
    proc = await asyncio.create_subprocess_exec(
        curl, "-s", "-i", "--max-time", "10", f"{srv.url}/", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 504 Gateway Timeout")
    assert body == b""


@pytest.mark.parametrize("value", [123, 1.5, b"abc"])
async def test_etag_of_another_type_raises_value_error(serve, web, value):
    async def handler(request):
        resp = web.Response(text="x")
        try:
            resp.etag = value
        except ValueError:
            return web.Response(text="ValueError")
        except Exception as exc:  # the probe reports any other type
            return web.Response(text=type(exc).__name__)
        return web.Response(text="accepted")

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(f"{srv.url}/") as resp,
    ):
        assert await resp.text() == "ValueError"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/p#frag", ["/p", "", [], "http://h/p#frag", "/p#frag"]),
        ("/a?b=1#f", ["/a", "b=1", [["b", "1"]], "http://h/a?b=1#f", "/a?b=1#f"]),
        ("/a%20b#c%20d", ["/a b", "", [], "http://h/a%20b#c%20d", "/a%20b#c%20d"]),
    ],
)
async def test_a_fragment_in_the_target_is_not_part_of_the_path(serve, web, wire, target, expected):
    """Origin-form has no fragment, but a client that sends one must not move the path."""

    async def handler(request):
        seen = [request.path, request.query_string, list(map(list, request.query.items()))]
        return web.json_response([*seen, str(request.url), request.raw_path])

    srv = await serve(handler)
    data = await wire.exchange(
        srv.port, f"GET {target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".encode()
    )
    (resp,) = wire.parse_responses(data)
    assert resp.status == 200
    assert json.loads(resp.body) == expected


@pytest.mark.parametrize("reason", ["Très bien", "中文 OK"])
async def test_a_non_ascii_reason_phrase_is_sent_as_utf8(serve, web, wire, reason):
    async def handler(request):
        return web.Response(status=200, reason=reason, text="x")

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(f"{srv.url}/") as resp,
    ):
        assert (resp.status, resp.reason) == (200, reason)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 " + reason.encode() + b"\r\n")


@pytest.mark.parametrize(
    ("value", "header"),
    [("v1", '"v1"'), ("caf\xe9", '"caf\xe9"'), ("*", "*"), ("中", None), ("a b", None)],
)
async def test_etag_setter_formats_and_validates_as_aiohttp(serve, web, value, header):
    async def handler(request):
        resp = web.Response(text="x")
        try:
            resp.etag = value
        except ValueError:
            return web.Response(text="ValueError")
        return web.Response(text=resp.headers["ETag"])

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(f"{srv.url}/")
    assert resp.text == (header if header is not None else "ValueError")


async def test_a_weak_any_etag_is_sent_as_any(serve, web):
    async def handler(request):
        resp = web.Response(text="x")
        resp.etag = request.headers["X-Tag"]
        resp.etag = type(resp.etag)(value="*", is_weak=True)
        return resp

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(f"{srv.url}/", headers={"X-Tag": "t"})
    assert resp.headers["ETag"] == "*"
