"""The example of docs/http-standalone.md, served over real sockets on 127.0.0.1.

``standalone_threads.py`` is a threaded server made of the standard library and
aioweb.http alone; the doc includes that very file (``literalinclude``), so what is
shown is what runs. Clients: httpx, aiohttp's client, curl, and raw sockets, which check
the bytes on the wire with no lenient client in between.
"""

from __future__ import annotations

import gzip
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest

from aioweb.http import parse_http_date

HERE = Path(__file__).parent
TIMEOUT = 10.0  # for every client call and every socket read
HELLO = b"Hello, world!\n"
STREAM = b"piece 1\npiece 2\npiece 3\n"
PAYLOAD = bytes(range(256)) * 800  # 200 KiB, every byte value


@dataclass
class Running:
    """One example server in a background thread; ``errors``: its handlers' exceptions."""

    server: Any
    port: int
    errors: list[BaseException | None] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def serve(example: ModuleType, request_timeout: float) -> Iterator[Running]:
    server, thread = example.start("127.0.0.1", 0, request_timeout=request_timeout)
    running = Running(server, server.server_address[1])

    def record(request: object, client_address: object) -> None:
        # socketserver hands a handler's exception here (and would only print it).
        running.errors.append(sys.exc_info()[1])

    server.handle_error = record
    try:
        yield running
    finally:
        server.shutdown()
        server.server_close()  # joins the connection threads (block_on_close)
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert running.errors == []


@pytest.fixture(scope="module")
def example(load_example: Callable[[Path, str], ModuleType]) -> ModuleType:
    return load_example(HERE / "standalone_threads.py", "http_examples_standalone_threads")


@pytest.fixture(scope="module")
def shared(example: ModuleType) -> Iterator[Running]:
    yield from serve(example, request_timeout=5.0)


@pytest.fixture
def srv(shared: Running) -> Iterator[Running]:
    yield shared
    assert shared.errors == []


@pytest.fixture
def impatient(example: ModuleType) -> Iterator[Running]:
    """A server that gives a client half a second per request."""
    yield from serve(example, request_timeout=0.5)


# --- raw sockets ----------------------------------------------------------------------


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)


def read_until_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (each read bounded by the timeout)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` on a new connection; return all the server says until it closes."""
    with connect(port) as sock:
        sock.sendall(data)
        return read_until_close(sock)


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, f"closed after {data!r}"
        data += chunk
    return data


def alive(srv: Running) -> None:
    """A new connection still gets its answer."""
    response = httpx.get(srv.url + "/hello", timeout=TIMEOUT)
    assert (response.status_code, response.content) == (200, HELLO)


def run_curl(curl: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [curl, "-sS", "--max-time", str(TIMEOUT), *args]
    proc = subprocess.run(command, capture_output=True, timeout=TIMEOUT + 5, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


# --- requests that succeed ------------------------------------------------------------


def test_get_with_httpx(srv: Running) -> None:
    response = httpx.get(srv.url + "/hello", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == HELLO
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(HELLO))
    date = parse_http_date(response.headers["Date"])
    assert date is not None
    assert abs(date.timestamp() - time.time()) < 60
    # a query string does not change the route
    assert httpx.get(srv.url + "/hello?x=1", timeout=TIMEOUT).content == HELLO


def test_get_with_curl(srv: Running, curl: str) -> None:
    proc = run_curl(curl, "-i", srv.url + "/hello")
    head, _, body = proc.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: 14" in head
    assert body == HELLO


def test_keep_alive_httpx(srv: Running) -> None:
    with httpx.Client(base_url=srv.url, timeout=TIMEOUT) as client:
        peers = set()
        for method, path in [("GET", "/hello"), ("POST", "/echo"), ("GET", "/stream")] * 3:
            response = client.request(method, path, content=b"x" if method == "POST" else None)
            assert response.status_code == 200
            assert "Connection" not in response.headers
            peers.add(response.extensions["network_stream"].get_extra_info("client_addr"))
        assert len(peers) == 1  # nine requests, one connection


async def test_keep_alive_aiohttp(srv: Running) -> None:
    created: list[object] = []
    reused: list[object] = []
    trace = aiohttp.TraceConfig()

    async def on_create(session: object, context: object, params: object) -> None:
        created.append(params)

    async def on_reuse(session: object, context: object, params: object) -> None:
        reused.append(params)

    trace.on_connection_create_end.append(on_create)
    trace.on_connection_reuseconn.append(on_reuse)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout, trace_configs=[trace]) as session:
        for i in range(5):
            async with session.post(srv.url + "/echo", data=b"n%d" % i) as response:
                assert response.status == 200
                assert await response.read() == b"n%d" % i
            async with session.get(srv.url + "/hello") as response:
                assert await response.read() == HELLO
    assert (len(created), len(reused)) == (1, 9)


def test_connection_close_is_honoured(srv: Running, wire: Any) -> None:
    request = b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    # The second request is never answered: the first one closed the connection.
    data = exchange(srv.port, request + b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
    [response] = wire.parse_responses(data)
    assert (response.status, response.body) == (200, HELLO)
    assert response.header("Connection") == "close"


def test_http10_gets_a_whole_body_and_a_close(srv: Running, wire: Any) -> None:
    # keep-alive asked for, but the example closes every HTTP/1.0 connection
    data = exchange(srv.port, b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    [response] = wire.parse_responses(data)
    assert response.status == 200
    assert response.header("Transfer-Encoding") is None  # HTTP/1.0 has no chunked framing
    assert response.header("Content-Length") == str(len(STREAM))
    assert response.header("Connection") == "close"
    assert response.body == STREAM


def test_post_echo_content_length(srv: Running) -> None:
    response = httpx.post(srv.url + "/echo", content=PAYLOAD, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == PAYLOAD
    assert response.headers["Content-Length"] == str(len(PAYLOAD))


async def test_post_echo_aiohttp(srv: Running) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(PAYLOAD), 7000):
            yield PAYLOAD[start : start + 7000]

    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(srv.url + "/echo", data=PAYLOAD) as response:
            assert response.status == 200
            assert await response.read() == PAYLOAD
        async with session.post(srv.url + "/echo", data=pieces()) as response:
            assert response.request_info.headers["Transfer-Encoding"] == "chunked"
            assert await response.read() == PAYLOAD


def test_post_echo_nothing(srv: Running, wire: Any) -> None:
    # 204 has no body and no Content-Length (RFC 9110 8.6): the next answer follows at once
    requests = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    requests += b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    data = exchange(srv.port, requests)
    no_content, hello = wire.parse_responses(data)
    assert (no_content.status, no_content.header("Content-Length")) == (204, None)
    assert (hello.status, hello.body) == (200, HELLO)
    assert data.startswith(no_content.head + b"\r\n\r\nHTTP/1.1 200 OK\r\n")


def test_chunked_upload_httpx(srv: Running) -> None:
    def pieces() -> Iterator[bytes]:
        for start in range(0, len(PAYLOAD), 5000):
            yield PAYLOAD[start : start + 5000]

    response = httpx.post(srv.url + "/echo", content=pieces(), timeout=TIMEOUT)
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 200
    assert response.content == PAYLOAD


def test_chunked_upload_curl(srv: Running, curl: str, tmp_path: Path) -> None:
    source = tmp_path / "body.bin"
    source.write_bytes(PAYLOAD)
    out = tmp_path / "out.bin"
    args = ["-H", "Transfer-Encoding: chunked", "--data-binary", f"@{source}", "-o", str(out)]
    proc = run_curl(curl, "-v", *args, srv.url + "/echo")
    assert b"> Transfer-Encoding: chunked" in proc.stderr
    assert b"< HTTP/1.1 200 OK" in proc.stderr
    assert out.read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # the zlib format, what HTTP calls deflate
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw deflate, also sent
    ],
)
def test_compressed_request_body(
    srv: Running, coding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = compress(PAYLOAD)
    headers = {"Content-Encoding": coding}
    with httpx.Client(base_url=srv.url, timeout=TIMEOUT) as client:
        response = client.post("/echo", content=body, headers=headers)
        assert (response.status_code, response.content) == (200, PAYLOAD)
        # compressed and chunked: de-chunked by the parser, then decoded
        pieces = (body[i : i + 999] for i in range(0, len(body), 999))
        response = client.post("/echo", content=pieces, headers=headers)
        assert (response.status_code, response.content) == (200, PAYLOAD)


def test_compressed_request_body_curl(srv: Running, curl: str, tmp_path: Path) -> None:
    source = tmp_path / "body.gz"
    source.write_bytes(gzip.compress(PAYLOAD))
    out = tmp_path / "out.bin"
    args = ["-H", "Content-Encoding: gzip", "--data-binary", f"@{source}", "-o", str(out)]
    run_curl(curl, *args, srv.url + "/echo")
    assert out.read_bytes() == PAYLOAD


BAD_BODIES = {
    # decompressed past MAX_BODY (1 MiB) from 2 KiB on the wire: a zip bomb
    "zip bomb": ("gzip", gzip.compress(bytes(2 << 20)), 413),
    "not gzip": ("gzip", b"this is not gzip", 400),
    "gzip cut short": ("gzip", gzip.compress(PAYLOAD)[:-20], 400),
    # a coding nobody here decodes: refused before the body, which is then read past
    "unknown coding": ("compress", b"abc", 415),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_compressed_request_body(srv: Running, wire: Any, case: str) -> None:
    coding, body, status = BAD_BODIES[case]
    head = f"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: {coding}\r\n"
    request = head.encode() + b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
    follow_up = b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    responses = wire.parse_responses(exchange(srv.port, request + follow_up))
    assert responses[0].status == status
    assert responses[0].header("Content-Type") == "text/plain; charset=utf-8"
    if status == 415:  # refused by the application: the connection goes on
        assert [r.status for r in responses] == [415, 200]
        assert responses[0].header("Connection") is None
    else:  # the decoder failed half-way: the rest of the stream is not read
        assert len(responses) == 1
        assert responses[0].header("Connection") == "close"
    alive(srv)


def test_body_over_the_cap(srv: Running, wire: Any) -> None:
    # Content-Length says too much: 413 from the head alone.
    data = exchange(srv.port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
    [response] = wire.parse_responses(data)
    assert response.status == 413
    assert response.header("Connection") == "close"
    # The same with the body sent anyway: the answer must survive the bytes the server
    # never reads. Without the lingering close in finish() the client's send fails with
    # a broken pipe (the server's close() with unread data resets the connection).
    size = 20_000_000  # more than the kernel buffers hold
    big = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size
    [response] = wire.parse_responses(exchange(srv.port, big + bytes(size)))
    assert response.status == 413
    # chunked: 413 once the chunk sizes add up past the cap
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = exchange(srv.port, head + b"80000\r\n" + bytes(0x80000) + b"\r\n80001\r\n")
    [response] = wire.parse_responses(data)
    assert response.status == 413
    alive(srv)


def test_body_over_the_cap_curl(srv: Running, curl: str, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(3_000_000))
    args = ["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", f"@{source}"]
    assert run_curl(curl, *args, srv.url + "/echo").stdout == b"413"


# --- responses ------------------------------------------------------------------------


def test_compressed_response(srv: Running, curl: str) -> None:
    plain = httpx.get(srv.url + "/gzip", headers={"Accept-Encoding": "identity"}, timeout=TIMEOUT)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    text = plain.content
    assert text.startswith(b"line 0: ")
    assert text.count(b"\n") == 100

    response = httpx.get(srv.url + "/gzip", timeout=TIMEOUT)  # gzip, deflate, br, zstd
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) < len(text) / 5
    assert response.content == text  # decoded by httpx

    proc = run_curl(curl, "--compressed", "-D", "-", srv.url + "/gzip")
    head, _, body = proc.stdout.partition(b"\r\n\r\n")
    assert b"\r\nContent-Encoding: gzip\r\n" in head
    assert body == text


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("gzip;q=0.5, deflate;q=0.1", "gzip"),
        ("deflate, gzip;q=0.5", "deflate"),
        ("gzip;q=0, *", "deflate"),
        ("br, zstd", None),  # the example offers gzip and deflate only
        ("*;q=0", None),
    ],
)
def test_compressed_response_on_the_wire(
    srv: Running, wire: Any, accept: str, coding: str | None
) -> None:
    request = f"GET /gzip HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept}\r\n"
    data = exchange(srv.port, request.encode() + b"Connection: close\r\n\r\n")
    [response] = wire.parse_responses(data)
    assert response.status == 200
    assert response.header("Content-Encoding") == coding
    assert response.header("Content-Length") == str(len(response.body))
    decoders: dict[str | None, Callable[[bytes], bytes]] = {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,
        None: bytes,
    }
    text = decoders[coding](response.body)
    assert text.startswith(b"line 0: ")
    assert text.count(b"\n") == 100


async def test_compressed_response_aiohttp(srv: Running) -> None:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        headers = {"Accept-Encoding": "deflate"}
        async with session.get(srv.url + "/gzip", headers=headers) as response:
            assert response.headers["Content-Encoding"] == "deflate"
            text = await response.read()
        async with session.get(srv.url + "/gzip", headers={"Accept-Encoding": "gzip"}) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert await response.read() == text
    assert text.startswith(b"line 0: ")
    assert text.count(b"\n") == 100


def test_chunked_response(srv: Running, wire: Any) -> None:
    data = exchange(srv.port, b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head
    assert b"Content-Length" not in head
    assert body == b"8\r\npiece 1\n\r\n8\r\npiece 2\n\r\n8\r\npiece 3\n\r\n0\r\n\r\n"
    response = httpx.get(srv.url + "/stream", timeout=TIMEOUT)
    assert (response.status_code, response.content) == (200, STREAM)


async def test_chunked_response_aiohttp(srv: Running) -> None:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(srv.url + "/stream") as response,
    ):
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert [line async for line in response.content] == STREAM.splitlines(keepends=True)


def test_head_has_no_body(srv: Running, wire: Any) -> None:
    response = httpx.head(srv.url + "/hello", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(HELLO))  # what GET would send
    assert response.content == b""
    # On the wire: had a body followed either HEAD, the GET's answer would be garbled.
    requests = b"HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nHEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n"
    data = exchange(
        srv.port, requests + b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    first, second, third = wire.parse_responses(data, head_requests=2)
    assert (first.status, first.header("Content-Length")) == (200, str(len(HELLO)))
    assert second.header("Transfer-Encoding") == "chunked"
    assert (third.status, third.body) == (200, HELLO)
    assert data.endswith(b"\r\n\r\n" + HELLO)


def test_not_found_and_method_not_allowed(srv: Running) -> None:
    with httpx.Client(base_url=srv.url, timeout=TIMEOUT) as client:
        response = client.get("/nothing")
        assert (response.status_code, response.text) == (404, "Not Found\n")
        response = client.put("/hello", content=b"x")
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD"
        response = client.get("/echo")
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
        # a refused request's body is read past: the connection goes on
        peer = response.extensions["network_stream"].get_extra_info("client_addr")
        response = client.post("/hello", content=PAYLOAD)
        assert response.status_code == 405
        assert "Connection" not in response.headers
        response = client.get("/hello")
        assert response.content == HELLO
        assert response.extensions["network_stream"].get_extra_info("client_addr") == peer


def test_missing_host_and_target_forms(srv: Running, wire: Any) -> None:
    requests = [
        b"GET /hello HTTP/1.1\r\n\r\n",  # HTTP/1.1 without Host (RFC 9112 3.2)
        b"GET /hell%6F HTTP/1.1\r\nHost: x\r\n\r\n",  # the path is matched decoded
        b"GET http://example.com/hello HTTP/1.1\r\nHost: example.com\r\n\r\n",  # absolute-form
        b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]
    responses = wire.parse_responses(exchange(srv.port, b"".join(requests)))
    assert [r.status for r in responses] == [400, 200, 200, 200]
    assert responses[0].body == b"missing Host header\n"
    assert responses[1].body == HELLO
    assert [r.header("Connection") for r in responses] == [None, None, None, "close"]


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        # curl --http2 on http:// asks for h2c like this; the example answers in HTTP/1.1
        (
            b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
            200,
        ),
        (b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 404),
    ],
    ids=["upgrade", "CONNECT"],
)
def test_upgrade_and_connect_are_answered_then_closed(
    srv: Running, wire: Any, request_: bytes, status: int
) -> None:
    # After such a request the parser hands over raw bytes: the example, which speaks
    # no other protocol, answers and closes; the second request is never read as one.
    data = exchange(srv.port, request_ + b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    [response] = wire.parse_responses(data)
    assert response.status == status
    assert response.header("Connection") == "close"


# --- 100-continue ---------------------------------------------------------------------


def test_expect_continue_curl(srv: Running, curl: str, tmp_path: Path) -> None:
    source = tmp_path / "body.bin"
    source.write_bytes(PAYLOAD)
    out = tmp_path / "out.bin"
    # curl would send the body after a second anyway; with 30 s, only a 100 lets it finish
    args = ["-v", "--expect100-timeout", "30", "-H", "Expect: 100-continue"]
    proc = run_curl(curl, *args, "--data-binary", f"@{source}", "-o", str(out), srv.url + "/echo")
    assert b"< HTTP/1.1 100 Continue" in proc.stderr
    assert b"< HTTP/1.1 200 OK" in proc.stderr
    assert out.read_bytes() == PAYLOAD


def test_expect_continue_raw(srv: Running, wire: Any) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    with connect(srv.port) as sock:
        sock.sendall(head + b"Connection: close\r\n\r\n")
        assert recv_exactly(sock, len(interim)) == interim  # before any body byte is sent
        sock.sendall(b"ping")
        data = read_until_close(sock)
    [response] = wire.parse_responses(data)
    assert (response.status, response.body) == (200, b"ping")


def test_expect_continue_refused(srv: Running, wire: Any) -> None:
    # Refused before its body: no 100, the final answer, and the connection closes,
    # since the client holds a body back that nobody will ask for.
    head = b"POST /hello HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
    data = exchange(srv.port, head)
    [response] = wire.parse_responses(data)
    assert response.status == 405
    assert response.header("Allow") == "GET, HEAD"
    assert response.header("Connection") == "close"


# --- pipelining -----------------------------------------------------------------------

PIPELINE = (
    b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping"
    b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"2\r\npo\r\n2\r\nng\r\n0\r\n\r\n"
    b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
    b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
)
PIPELINE_ANSWERS = [
    (200, HELLO),
    (200, b"ping"),
    (200, STREAM),
    (200, b"pong"),
    (404, b"Not Found\n"),
    (200, HELLO),
]


def test_pipelined_requests_in_one_send(srv: Running, wire: Any) -> None:
    responses = wire.parse_responses(exchange(srv.port, PIPELINE))
    assert [(r.status, r.body) for r in responses] == PIPELINE_ANSWERS


def test_pipelined_requests_in_small_pieces(srv: Running, wire: Any) -> None:
    with connect(srv.port) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(PIPELINE), 7):
            sock.sendall(PIPELINE[start : start + 7])
        data = read_until_close(sock)
    responses = wire.parse_responses(data)
    assert [(r.status, r.body) for r in responses] == PIPELINE_ANSWERS


# --- bad input ------------------------------------------------------------------------

BAD_REQUESTS = {
    "space before colon": (b"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    "bare LF": (b"GET /hello HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", 400),
    "bare LF ending the request line": (b"GET /hello HTTP/1.1\nHost: x\r\n\r\n", 400),
    "obs-fold": (b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", 400),
    "NUL in a value": (b"GET /hello HTTP/1.1\r\nHost: x\r\nX-A: b\x00c\r\n\r\n", 400),
    "oversized header": (
        b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
        431,
    ),
    "too many headers": (
        b"GET /hello HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
        431,
    ),
    "oversized request line": (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "Content-Length with Transfer-Encoding": (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "two Content-Lengths": (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        400,
    ),
    "bad chunk size": (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        400,
    ),
    "unknown transfer coding": (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
    ),
    "HTTP/2.0 request line": (b"GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    "garbage": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_input(srv: Running, wire: Any, case: str) -> None:
    request, status = BAD_REQUESTS[case]
    data = exchange(srv.port, request)  # returns once the server has closed
    [response] = wire.parse_responses(data)
    assert response.status == status
    assert response.header("Connection") == "close"
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    assert response.header("Date") is not None
    assert response.body.endswith(b"\n")
    assert len(response.body) > 1
    alive(srv)


def test_bad_input_after_good_requests(srv: Running, wire: Any) -> None:
    # Both in one read: feed() returns the good request and records the error in
    # parser.error; the good one is answered first.
    good = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
    data = exchange(srv.port, good + good + b"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n")
    responses = wire.parse_responses(data)
    assert [(r.status, r.header("Connection")) for r in responses] == [
        (200, None),
        (200, None),
        (400, "close"),
    ]
    assert responses[1].body == HELLO
    alive(srv)


def test_client_resets_right_away(srv: Running) -> None:
    # The answer meets a connection reset by the peer: nobody to answer, no traceback.
    linger = struct.pack("ii", 1, 0)  # SO_LINGER 0: close() sends RST
    for request in [b"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n", PIPELINE] * 10:
        with connect(srv.port) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            sock.sendall(request)
    alive(srv)
    time.sleep(0.2)  # the last handlers finish
    assert srv.errors == []


@pytest.mark.parametrize(
    ("partial", "answered"),
    [
        (b"GET /hello HTTP/1.1\r\nHost: x\r\n", 0),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 0),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0),
        (b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hel", 1),
    ],
    ids=["head", "body", "chunk", "second head"],
)
def test_eof_in_the_middle_of_a_request(
    srv: Running, wire: Any, partial: bytes, answered: int
) -> None:
    # The client stops sending: the complete requests are answered, then the server
    # closes without a word about the cut one (nobody would read it).
    with connect(srv.port) as sock:
        sock.sendall(partial)
        sock.shutdown(socket.SHUT_WR)
        data = read_until_close(sock)
    assert [(r.status, r.body) for r in wire.parse_responses(data)] == [(200, HELLO)] * answered
    alive(srv)


# --- timeouts -------------------------------------------------------------------------


def test_idle_client_is_dropped(impatient: Running) -> None:
    with connect(impatient.port) as sock:
        started = time.monotonic()
        assert read_until_close(sock) == b""  # nothing sent: nothing answered
        assert 0.4 < time.monotonic() - started < 5


def test_idle_keep_alive_connection_is_dropped(impatient: Running, wire: Any) -> None:
    with connect(impatient.port) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        data = read_until_close(sock)  # the answer, then the close half a second later
        assert 0.4 < time.monotonic() - started < 5
    [response] = wire.parse_responses(data)
    assert (response.status, response.body) == (200, HELLO)


def test_trickling_client_is_dropped(impatient: Running) -> None:
    # Every read gets a byte well within the timeout, but the request as a whole is late.
    request = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 200 + b"\r\n\r\n"
    with connect(impatient.port) as sock:
        sock.settimeout(0.05)
        started = time.monotonic()
        received = b""
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
                received = sock.recv(65536)
            except TimeoutError:
                continue  # the server is still reading: keep trickling
            except OSError:
                break  # reset: the server has closed
            if not received:
                break  # the server has closed
        else:
            pytest.fail("the whole request trickled in without the server giving up")
        assert received == b""
        assert 0.4 < time.monotonic() - started < 5
    alive(impatient)
