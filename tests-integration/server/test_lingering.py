"""An answer reaches a client that is still sending its body (lingering close).

When the server answers before a large body has arrived (413 over client_max_size, a
handler that ignores the body, a malformed body), closing the socket at once, with the
client's bytes unread, makes the kernel reset the connection: a client that sends its
whole body before reading (httpx does) then loses the answer. The server sends the
answer and a FIN, and reads and drops what still comes, within ``lingering_time``.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import time

import aiohttp
import httpx
import pytest

BIG = 12 * 1024 * 1024  # well over max_discard_size (1 MiB) and the socket buffers
TIMEOUT = aiohttp.ClientTimeout(total=30)


@pytest.fixture
def handlers(web):
    async def reads(request):
        await request.read()  # over client_max_size: 413
        return web.Response(text="read")

    async def ignores(request):
        return web.Response(text="ignored")

    return {"reads": (reads, 413), "ignores": (ignores, 200)}


@pytest.mark.parametrize("kind", ["reads", "ignores"])
async def test_httpx_sending_a_big_body_gets_the_answer(serve, handlers, kind):
    handler, status = handlers[kind]
    srv = await serve(handler, client_max_size=1024 * 1024)
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(3):
            resp = await client.post(srv.url, content=b"x" * BIG)
            assert resp.status_code == status
    await srv.alive()


@pytest.mark.parametrize("kind", ["reads", "ignores"])
async def test_aiohttp_client_sending_a_big_body_gets_the_answer(serve, handlers, kind):
    handler, status = handlers[kind]
    srv = await serve(handler, client_max_size=1024 * 1024)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for _ in range(3):
            async with session.post(srv.url, data=io.BytesIO(b"x" * BIG)) as resp:
                assert resp.status == status


async def test_curl_sending_a_big_body_gets_the_answer(serve, handlers, curl, tmp_path):
    handler, status = handlers["reads"]
    srv = await serve(handler, client_max_size=1024 * 1024)
    path = tmp_path / "big"
    path.write_bytes(b"x" * BIG)
    proc = await asyncio.create_subprocess_exec(
        curl,
        *("-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:"),
        *("--max-time", "20", "--data-binary", f"@{path}", srv.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert (out.decode(), proc.returncode) == (str(status), 0), err


@pytest.mark.aioweb_only(
    reason="aiohttp reads and drops the rest of a body within lingering_time, then keeps "
    "the connection; aioweb drops at most max_discard_size, then closes"
)
async def test_a_client_that_never_stops_sending_is_closed_after_lingering_time(serve, web, wire):
    async def handler(request):
        return web.Response(text="ignored")

    srv = await serve(handler, lingering_time=0.5)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (resp.status, resp.body) == (200, b"ignored")
        # too much body left to drop: the head says so, before the client sends more
        assert resp.header("Connection") == "close"
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 5:
            try:
                writer.write(b"x" * 65536)
                await asyncio.wait_for(writer.drain(), 1)
                # the server reads on: EOF (its FIN) is there, and no reset yet
                assert await asyncio.wait_for(reader.read(1), 0.05) == b""
            except TimeoutError:
                pass
            except ConnectionError:
                closed = True
                break
            await asyncio.sleep(0.02)
        assert closed, "still open 5 s after the answer"
        assert time.monotonic() - started < 3  # lingering_time (0.5 s), give or take
    await srv.alive()


@pytest.mark.aioweb_only(
    reason="aiohttp closes at once after a parse error: the reset can destroy its 400"
)
async def test_after_a_parse_error_the_answer_reaches_a_client_still_sending(serve, web, wire):
    async def handler(request):
        await request.read()
        return web.Response(text="read")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        writer.write(b"x" * (4 * 1024 * 1024))  # keeps coming after the bad chunk line
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert resp.status == 400
        writer.write_eof()
        assert await asyncio.wait_for(reader.read(), 5) == b""
    await srv.alive()


@pytest.mark.aioweb_only(reason="aiohttp closes without answering when the FIN comes mid-body")
async def test_a_client_that_stopped_sending_mid_body_is_not_waited_for(serve, web, wire):
    """The client's FIN came before its body was complete: nothing to linger for."""

    async def handler(request):
        await asyncio.sleep(0.2)  # the FIN arrives meanwhile
        return web.Response(text="early")

    srv = await serve(handler, lingering_time=30)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nabc")
        writer.write_eof()
        started = time.monotonic()
        data = await asyncio.wait_for(reader.read(), 10)  # until the server closes
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        while srv.server.connections and time.monotonic() - started < 5:
            await asyncio.sleep(0.05)
        assert not srv.server.connections, "the connection is still held"
    await srv.alive()


async def test_a_small_unread_body_keeps_the_connection(serve, web, wire):
    async def handler(request):
        return web.Response(text="ignored")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        for _ in range(3):
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
            resp = await asyncio.wait_for(wire.read_response(reader), 5)
            assert (resp.status, resp.body) == (200, b"ignored")
            assert resp.header("Connection") is None
            writer.write(b"x" * 5000)  # dropped, then the next request is read
