"""Upgrade and CONNECT over a real socket: taken (101) or not, the connection goes on.

A server may ignore ``Upgrade`` (RFC 9110 7.8): curl asks for h2c on every ``--http2``
request to an http:// URL, and a plain handler answers 200. The connection then stays
in HTTP, and the requests the client sends next must be answered. aiohttp 3.14.5 keeps
such a connection in its upgraded state and never answers them.
"""

from __future__ import annotations

import asyncio
import subprocess

import pytest

UPGRADE_H2C = (
    b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
    b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
)
NEXT = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"


async def answer_path(request):
    from aioweb.server import Response

    return Response(text=f"answer {request.path}")


pytestmark = pytest.mark.aioweb_only(
    reason="aiohttp never leaves the upgraded state: requests after an upgrade it did not "
    "take go unanswered"
)


@pytest.mark.parametrize("together", [True, False], ids=["one-write", "two-writes"])
async def test_upgrade_not_taken_then_next_request_answered(serve, wire, together):
    srv = await serve(answer_path)
    async with wire.connect(srv.port) as (reader, writer):
        if together:
            writer.write(UPGRADE_H2C + NEXT)
        else:
            writer.write(UPGRADE_H2C)
            first = await asyncio.wait_for(wire.read_response(reader), 5)
            assert (first.status, first.body) == (200, b"answer /a")
            writer.write(NEXT)
        if together:
            first = await asyncio.wait_for(wire.read_response(reader), 5)
            assert (first.status, first.body) == (200, b"answer /a")
        second = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (second.status, second.body) == (200, b"answer /b")


async def test_curl_http2_over_http_reuses_the_connection(serve, curl):
    srv = await serve(answer_path)
    proc = await asyncio.create_subprocess_exec(
        curl,
        "-sS",
        "--http2",
        "--max-time",
        "10",
        "-w",
        " %{http_version} %{num_connects}\\n",
        f"{srv.url}/a",
        f"{srv.url}/b",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err
    # curl asked for h2c on the first request only; the second went on the same connection
    assert out.decode().splitlines() == ["answer /a 1.1 1", "answer /b 1.1 0"], out


@pytest.mark.parametrize("status", [404, 405, 407, 502])
async def test_connect_refused_then_next_request_answered(serve, web, wire, status):
    async def handler(request):
        if request.method == "CONNECT":
            return web.Response(status=status, text="no tunnel")
        return web.Response(text=f"answer {request.path}")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n" + NEXT)
        first = await asyncio.wait_for(wire.read_response(reader), 5)
        assert first.status == status
        second = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (second.status, second.body) == (200, b"answer /b")


async def test_upgrade_taken_delivers_every_later_byte_to_the_receiver(serve, web, wire):
    """A 101 hands the connection over; bytes sent with the request head are not lost."""

    async def handler(request):
        done = asyncio.get_running_loop().create_future()
        received = bytearray()

        def receive(data: bytes) -> None:
            received.extend(data)
            if received.endswith(b"bye") and not done.done():
                done.set_result(None)

        resp = web.StreamResponse(status=101, headers={"Upgrade": "echo", "Connection": "Upgrade"})
        await resp.prepare(request)
        request.protocol.set_upgraded_receiver(receive)
        await asyncio.wait_for(done, 5)
        request.transport.write(b"echo:" + bytes(received))
        request.transport.close()
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
            b"early GET / HTTP/1.1\r\n"  # not HTTP any more: raw bytes for the receiver
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 ")
        writer.write(b" late bye")
        rest = await asyncio.wait_for(reader.read(), 5)
        assert rest == b"echo:early GET / HTTP/1.1\r\n late bye"
    await srv.alive()


async def test_bytes_held_for_an_upgrade_are_bounded(serve, web, wire):
    """Until the handler takes the upgrade or declines it, reading pauses past a bound."""
    sizes: list[int] = []

    async def handler(request):
        await asyncio.sleep(0.5)  # the client keeps sending meanwhile
        sizes.append(request.protocol._upgraded.held_size)
        return web.Response(text="not taken")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
        writer.write(b"x" * (8 * 1024 * 1024))  # never drained: the kernel's buffers fill
        first = await asyncio.wait_for(wire.read_response(reader), 5)
        assert (first.status, first.body) == (200, b"not taken")
        # (the held bytes then parse as a request line far over its limit: 414, closed)
        writer.transport.abort()
    (held,) = sizes
    read_bufsize = srv.server.read_bufsize
    assert 0 < held <= read_bufsize + 256 * 1024, held  # one read past the bound at most
    await srv.alive()
