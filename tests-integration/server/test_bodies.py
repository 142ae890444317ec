"""Request and response bodies: compression both ways, cookies, forms, multipart."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import zlib

import aiohttp
import brotli
import httpx
import pytest
import zstandard
from multidict import MultiDictProxy

TIMEOUT = aiohttp.ClientTimeout(total=10)
PAYLOAD = b"The quick brown fox jumps over the lazy dog. " * 200

COMPRESSORS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


def raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-15)
    return obj.compress(data) + obj.flush()


REQUEST_CODINGS = [
    "gzip",
    "deflate",
    "br",
    pytest.param(
        "x-gzip",
        marks=pytest.mark.aioweb_only(reason="aiohttp does not decode the x-gzip alias"),
    ),
    pytest.param(
        "zstd",
        marks=pytest.mark.aioweb_only(
            reason="aiohttp decodes zstd only with backports.zstd, not the zstandard package"
        ),
    ),
]


@pytest.mark.parametrize("coding", REQUEST_CODINGS)
async def test_request_body_decompressed(serve, web, wire, coding):
    async def handler(request):
        return web.Response(body=await request.read())

    srv = await serve(handler)
    body = COMPRESSORS[coding](PAYLOAD)
    req = (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (coding.encode(), len(body), body)
    )
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, req))
    assert resp.status == 200
    assert resp.body == PAYLOAD


async def test_request_body_raw_deflate(serve, web, wire):
    async def handler(request):
        return web.Response(body=await request.read())

    srv = await serve(handler)
    body = raw_deflate(PAYLOAD)
    req = (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Encoding: deflate\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, req))
    assert resp.body == PAYLOAD


async def test_request_body_gzip_chunked_via_aiohttp_client(serve, web):
    async def handler(request):
        return web.Response(body=await request.read())

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(srv.url, data=PAYLOAD, compress="deflate") as resp,
    ):
        assert await resp.read() == PAYLOAD


_CORRUPT_GZIP = b"\x1f\x8b\x08\x00garbage-garbage-garbage"
CORRUPT_GZIP_POST = (
    b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(_CORRUPT_GZIP), _CORRUPT_GZIP)
)


async def test_corrupt_compressed_body_is_400(serve, web, wire):
    async def handler(request):
        await request.read()
        return web.Response(text="should not get here")

    srv = await serve(handler)
    data = await wire.exchange(srv.port, CORRUPT_GZIP_POST)
    (resp,) = wire.parse_responses(data)
    assert resp.status in (400, 500)
    assert b"should not get here" not in data
    await srv.alive()


async def test_corrupt_compressed_body_is_a_request_payload_error(serve, web, wire):
    """Code that catches RequestPayloadError around body reads catches this one too."""

    async def handler(request):
        try:
            await request.content.read()
        except web.RequestPayloadError:
            return web.Response(status=422, text="bad body")
        return web.Response(text="should not get here")

    srv = await serve(handler)
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, CORRUPT_GZIP_POST))
    assert (resp.status, resp.body) == (422, b"bad body")
    await srv.alive()


@pytest.mark.parametrize("kind", ["bytesio", "stringio", "file", "text-file", "async-iterable"])
async def test_response_body_streamed_from_an_object(serve, web, tmp_path, kind):
    """What aiohttp takes as Response(body=...) besides bytes: sent in pieces."""
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 100_000)
    (tmp_path / "notes.txt").write_text("caf\u00e9\n" * 1000, encoding="utf-8")
    opened = []

    async def pieces():
        for i in range(3):
            yield f"piece{i};".encode()

    async def handler(request):
        if kind == "bytesio":
            body = io.BytesIO(b"skipped:bytesio-data")
            body.seek(8)  # sent from the current position, as aiohttp does
        elif kind == "stringio":
            body = io.StringIO("caf\u00e9")
        elif kind == "file":
            body = open(tmp_path / "report.pdf", "rb")  # noqa: SIM115 - the response closes it
        elif kind == "text-file":
            body = open(tmp_path / "notes.txt", encoding="utf-8")  # noqa: SIM115
        else:
            body = pieces()
        opened.append(body)
        return web.Response(body=body)

    expected = {
        "bytesio": (b"bytesio-data", "application/octet-stream", None),
        "stringio": ("caf\u00e9".encode(), "text/plain; charset=utf-8", None),
        "file": (b"%PDF-1.4 " + b"x" * 100_000, "application/pdf", "report.pdf"),
        "text-file": (("caf\u00e9\n" * 1000).encode(), "text/plain; charset=utf-8", "notes.txt"),
        "async-iterable": (b"piece0;piece1;piece2;", "application/octet-stream", None),
    }[kind]
    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
        session.get(srv.url) as resp,
    ):
        assert resp.status == 200
        assert await resp.read() == expected[0]
        assert resp.headers["Content-Type"] == expected[1]
        if expected[2] is None:
            assert "Content-Disposition" not in resp.headers
        else:
            assert resp.headers["Content-Disposition"] == f'attachment; filename="{expected[2]}"'
    if kind in ("file", "text-file"):
        # the response closes the file it sent, once its last write is done: the
        # client may have the whole body a moment before that
        async with asyncio.timeout(5):
            while not opened[0].closed:
                await asyncio.sleep(0.01)


async def test_file_body_is_closed_when_the_client_leaves(serve, web, wire, tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (32 * 1024 * 1024))  # far more than the socket buffers hold
    opened = []

    async def handler(request):
        body = open(path, "rb")  # noqa: SIM115 - the response closes it
        opened.append(body)
        return web.Response(body=body)

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.transport.abort()
    async with asyncio.timeout(10):
        while not (opened and opened[0].closed):
            await asyncio.sleep(0.02)
    await srv.alive()


@pytest.mark.aioweb_only(reason="aiohttp sends a compressed stream's gzip trailer to HEAD")
async def test_streamed_body_compressed_and_head(serve, web, wire):
    async def handler(request):
        resp = web.Response(body=io.BytesIO(b"x" * 50_000))
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(srv.url, headers={"Accept-Encoding": "gzip"})
        assert got.headers["Content-Encoding"] == "gzip"
        assert got.content == b"x" * 50_000
    data = await wire.exchange(
        srv.port,
        b"HEAD / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    )
    assert data.endswith(b"\r\n\r\n")  # a head, and no content


RESPONSE_CODINGS = [
    "gzip",
    "deflate",
    pytest.param(
        "br",
        marks=pytest.mark.aioweb_only(reason="aiohttp 3.x compresses responses with gzip/deflate"),
    ),
    pytest.param(
        "zstd",
        marks=pytest.mark.aioweb_only(reason="aiohttp 3.x compresses responses with gzip/deflate"),
    ),
]


@pytest.mark.parametrize("piece", [0, 7], ids=["one-write", "7-byte-writes"])
async def test_readchunk_reports_http_chunk_ends(serve, web, wire, piece):
    async def handler(request):
        chunks = [
            f"{data.decode()}|{int(end)}" async for data, end in request.content.iter_chunks()
        ]
        return web.Response(text=",".join(chunks))

    srv = await serve(handler)
    body = b"5\r\nhello\r\n6\r\nworld!\r\n3\r\nabc\r\n0\r\n\r\n"
    data = await wire.exchange(
        srv.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + body,
        piece=piece,
        pause=0.01 if piece else 0.0,
    )
    (resp,) = wire.parse_responses(data)
    assert resp.status == 200
    pieces = [item.rsplit("|", 1) for item in resp.body.decode().split(",")]
    assert "".join(part for part, _ in pieces) == "helloworld!abc"
    assert pieces[-1][1] == "1"
    if not piece:
        # The whole body was there at once: one readchunk() per HTTP chunk.
        assert pieces == [["hello", "1"], ["world!", "1"], ["abc", "1"]]


@pytest.mark.parametrize("coding", RESPONSE_CODINGS)
async def test_response_compression_negotiated(serve, web, coding):
    async def handler(request):
        resp = web.Response(body=PAYLOAD, content_type="text/plain")
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(srv.url, headers={"Accept-Encoding": coding})
    assert resp.headers["content-encoding"] == coding
    assert int(resp.headers["content-length"]) < len(PAYLOAD)
    assert resp.content == PAYLOAD  # httpx decoded it


async def test_empty_compressed_response_has_a_length(serve, web):
    """An empty in-memory body is compressed in one piece, with Content-Length (as aiohttp)."""

    async def handler(request):
        resp = web.Response(text="")
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:  # one kept-alive connection
        for _ in range(2):
            resp = await client.get(srv.url, headers={"Accept-Encoding": "gzip"})
            assert resp.headers["content-encoding"] == "gzip"
            assert "transfer-encoding" not in resp.headers
            assert int(resp.headers["content-length"]) > 0
            assert resp.content == b""


async def test_response_compression_aiohttp_client(serve, web):
    async def handler(request):
        resp = web.StreamResponse()
        resp.enable_compression()
        await resp.prepare(request)
        for _ in range(10):
            await resp.write(PAYLOAD)
        return resp

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(srv.url, headers={"Accept-Encoding": "gzip"}) as resp,
    ):
        assert resp.headers["Content-Encoding"] == "gzip"
        assert await resp.read() == PAYLOAD * 10


@pytest.mark.aioweb_only(reason="aiohttp 3.14.5 ignores the strategy of an in-memory Response")
async def test_response_compression_strategy_is_used(serve, web):
    # Z_HUFFMAN_ONLY finds no repeats: a repetitive body compresses far less than with
    # the default strategy, and still decodes to the same bytes. Both response kinds.
    body = b"abcdefgh" * 4096

    async def handler(request):
        strategy = zlib.Z_HUFFMAN_ONLY if request.query.get("s") == "huffman" else None
        if request.query.get("stream"):
            resp = web.StreamResponse()
            resp.enable_compression(web.ContentCoding.gzip, strategy=strategy)
            await resp.prepare(request)
            await resp.write(body)
            return resp
        resp = web.Response(body=body)
        resp.enable_compression(web.ContentCoding.gzip, strategy=strategy)
        return resp

    srv = await serve(handler)
    sizes = {}
    async with aiohttp.ClientSession(timeout=TIMEOUT, auto_decompress=False) as session:
        for query in ("s=default", "s=huffman", "s=default&stream=1", "s=huffman&stream=1"):
            async with session.get(f"{srv.url}/?{query}") as resp:
                raw = await resp.read()
                assert resp.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(raw) == body
            sizes[query] = len(raw)
    assert sizes["s=huffman"] > 10 * sizes["s=default"]
    assert sizes["s=huffman&stream=1"] > 10 * sizes["s=default&stream=1"]


async def test_response_not_compressed_without_accept_encoding(serve, web, wire):
    async def handler(request):
        resp = web.Response(body=PAYLOAD)
        resp.enable_compression()
        return resp

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    assert resp.header("Content-Encoding") is None
    assert resp.body == PAYLOAD


async def test_precompressed_body_passed_through(serve, web):
    async def handler(request):
        return web.Response(body=gzip.compress(PAYLOAD), headers={"Content-Encoding": "gzip"})

    srv = await serve(handler)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.get(srv.url) as resp:
        assert await resp.read() == PAYLOAD


# --- cookies ---------------------------------------------------------------------------


async def test_set_cookie_attributes(serve, web, wire):
    async def handler(request):
        resp = web.Response(text="c")
        resp.set_cookie(
            "session",
            "abc123",
            max_age=3600,
            path="/app",
            domain="example.com",
            secure=True,
            httponly=True,
            samesite="Lax",
        )
        resp.set_cookie("plain", "v")
        resp.del_cookie("old")
        return resp

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    cookies = {v.split("=", 1)[0]: v for v in resp.all("Set-Cookie")}
    assert set(cookies) == {"session", "plain", "old"}
    attrs = [a.strip().lower() for a in cookies["session"].split(";")]
    assert attrs[0] == "session=abc123"
    assert "max-age=3600" in attrs
    assert "path=/app" in attrs
    assert "domain=example.com" in attrs
    assert "secure" in attrs
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert cookies["plain"].startswith("plain=v; Path=/")
    old = cookies["old"].lower()
    assert "max-age=0" in old
    assert "expires=thu, 01 jan 1970 00:00:00 gmt" in old

    async with httpx.AsyncClient(timeout=10) as client:
        got = await client.get(srv.url)
    assert got.cookies.get("plain") == "v"


async def test_cookie_version_attribute(serve, web, wire):
    async def handler(request):
        resp = web.Response(text="c")
        resp.set_cookie("a", "b", version="1")
        return resp

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    assert resp.all("Set-Cookie") == ["a=b; Path=/; Version=1"]


async def test_http_exception_carries_cookies(serve, web):
    """The login and logout idiom: a redirect that sets or deletes a cookie."""

    async def handler(request):
        if request.path == "/login":
            exc = web.HTTPFound("/home")
            exc.set_cookie("session", "s3cret", httponly=True, max_age=60)
            raise exc
        exc = web.HTTPSeeOther("/")
        exc.del_cookie("session")
        raise exc

    srv = await serve(handler)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        async with session.get(srv.url + "/login", allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.headers["Location"] == "/home"
            assert resp.cookies["session"].value == "s3cret"
            (field,) = resp.headers.getall("Set-Cookie")
            assert "HttpOnly" in field
            assert "Max-Age=60" in field
        async with session.get(srv.url + "/logout", allow_redirects=False) as resp:
            assert resp.status == 303
            (field,) = resp.headers.getall("Set-Cookie")
            assert field.startswith('session=""; ')
            assert "Max-Age=0" in field


@pytest.mark.aioweb_only(reason="aiohttp's low-level Server answers 500 (its app layer sends it)")
async def test_http_exception_body_given_as_str(serve, web, wire):
    async def handler(request):
        raise web.HTTPBadRequest(body="caf\u00e9 is closed")

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    assert resp.status == 400
    assert resp.body == "caf\u00e9 is closed".encode()
    assert resp.header("Content-Type") == "text/plain; charset=utf-8"


async def test_request_cookies_parsed(serve, web):
    async def handler(request):
        return web.json_response(dict(request.cookies))

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT, cookies={"a": "1", "b": "two"}) as session,
        session.get(srv.url) as resp,
    ):
        assert await resp.json() == {"a": "1", "b": "two"}
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(srv.url, headers={"Cookie": 'x=1; bad cookie; y="q"; z=3'})
    parsed = resp.json()
    assert parsed["x"] == "1"
    assert parsed["z"] == "3"


async def test_cookie_round_trip_with_aiohttp_jar(serve, web):
    async def handler(request):
        resp = web.Response(text=request.cookies.get("token", "none"))
        if request.path == "/login":
            resp.set_cookie("token", "t0k3n")
        return resp

    srv = await serve(handler)
    jar = aiohttp.CookieJar(unsafe=True)  # 127.0.0.1 is an IP: the jar needs unsafe=True
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=jar) as session,
        session.get(srv.url + "/") as resp,
    ):
        assert await resp.text() == "none"
        async with session.get(srv.url + "/login") as resp:
            assert await resp.text() == "none"
        async with session.get(srv.url + "/") as resp:
            assert await resp.text() == "t0k3n"


# --- forms -----------------------------------------------------------------------------


async def form_handler(request):
    form = await request.post()
    out = []
    for key, value in form.items():
        if hasattr(value, "file"):
            out.append(
                [key, value.filename, value.content_type, value.file.read().decode("latin-1")]
            )
        else:
            out.append([key, value])
    assert isinstance(form, MultiDictProxy)
    return out


async def test_urlencoded_form_aiohttp_and_httpx(serve, web):
    async def handler(request):
        return web.json_response(await form_handler(request))

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(srv.url, data={"a": "1", "é": "ü & ="}) as resp,
    ):
        assert await resp.json() == [["a", "1"], ["é", "ü & ="]]
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(srv.url, data={"k": ["v1", "v2"]})
    assert resp.json() == [["k", "v1"], ["k", "v2"]]


async def test_multipart_form_aiohttp_formdata(serve, web):
    async def handler(request):
        return web.json_response(await form_handler(request))

    srv = await serve(handler)
    form = aiohttp.FormData()
    form.add_field("name", "value")
    form.add_field(
        "upload", io.BytesIO(b"file contents\r\n--"), filename="a.txt", content_type="text/plain"
    )
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(srv.url, data=form) as resp,
    ):
        assert resp.status == 200
        assert await resp.json() == [
            ["name", "value"],
            ["upload", "a.txt", "text/plain", "file contents\r\n--"],
        ]


async def test_multipart_form_httpx_files(serve, web):
    async def handler(request):
        return web.json_response(await form_handler(request))

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(
            srv.url,
            data={"field": "x"},
            files={"doc": ("r\u00e9sum\u00e9.bin", b"\x00\x01\x02" * 1000, "application/x-bin")},
        )
    assert resp.status_code == 200
    got = resp.json()
    assert got[0] == ["field", "x"]
    assert got[1][:3] == ["doc", "r\u00e9sum\u00e9.bin", "application/x-bin"]
    assert got[1][3].encode("latin-1") == b"\x00\x01\x02" * 1000


async def test_multipart_reader_streaming(serve, web):
    async def handler(request):
        reader = await request.multipart()
        parts = []
        async for part in reader:
            size = 0
            while chunk := await part.read_chunk(8192):
                size += len(chunk)
            parts.append([part.name, part.filename, size])
        return web.json_response(parts)

    srv = await serve(handler)
    form = aiohttp.FormData()
    form.add_field("a", b"x" * 100_000, filename="a.bin")
    form.add_field("b", "short")
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(srv.url, data=form) as resp,
    ):
        assert await resp.json() == [["a", "a.bin", 100_000], ["b", None, 5]]


async def test_post_over_client_max_size_is_413(serve, web):
    async def handler(request):
        await request.post()
        return web.Response(text="no")

    srv = await serve(handler, client_max_size=1000)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(srv.url, data={"a": "x" * 5000})
        assert resp.status_code == 413
        resp = await client.post(srv.url, files={"f": ("f", b"x" * 5000)})
        assert resp.status_code == 413
    await srv.alive()


async def test_json_request_and_response(serve, web):
    async def handler(request):
        data = await request.json()
        return web.json_response({"echo": data, "len": len(json.dumps(data))}, status=201)

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(srv.url, json={"k": [1, 2, 3]}) as resp,
    ):
        assert resp.status == 201
        assert (await resp.json())["echo"] == {"k": [1, 2, 3]}


async def test_response_subclasses_keep_their_steps_and_bases(serve, web):
    # aioweb sends a plain Response in one step, without prepare() and without calling
    # StreamResponse.__init__; a subclass that overrides a step, or a cooperative base
    # between Response and StreamResponse, must still be honoured.
    calls = []

    class Counted(web.Response):
        async def prepare(self, request):
            calls.append("prepare")
            return await super().prepare(request)

    class Tagging(web.StreamResponse):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.headers["X-Tag"] = "from the base"

    class Tagged(web.Response, Tagging):  # MRO: Response, Tagging, StreamResponse
        pass

    async def handler(request):
        if request.path == "/counted":
            return Counted(text="counted")
        return Tagged(text="tagged", status=201)

    srv = await serve(handler)
    async with httpx.AsyncClient() as client:
        counted = await client.get(srv.url + "/counted")
        tagged = await client.get(srv.url + "/tagged")
    assert (counted.status_code, counted.text, calls) == (200, "counted", ["prepare"])
    assert (tagged.status_code, tagged.text) == (201, "tagged")
    assert tagged.headers["X-Tag"] == "from the base"
