"""Expect: 100-continue through the route's expect handler, over a raw socket."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from aioweb.app import Application, Request
from aioweb.server import Response, StreamResponse

StartApp = Any  # the core_server fixture


async def check_auth(request: Request) -> StreamResponse | None:
    if request.headers.get("Authorization") != "Bearer ok":
        return Response(status=401, text="who are you?")
    await request.send_continue()
    return None


async def upload(request: Request) -> Response:
    body = await request.read()
    return Response(text=f"got {len(body)}")


async def _connect(base: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = base.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def test_accepted_upload_gets_100_then_the_response(core_server: StartApp) -> None:
    app = Application()
    app.router.add_post("/upload", upload, expect_handler=check_auth)
    base = await core_server(app)
    reader, writer = await _connect(base)
    try:
        writer.write(
            b"POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ok\r\n"
            b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"hello")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert await asyncio.wait_for(reader.readexactly(length), 5) == b"got 5"
    finally:
        writer.close()
        await writer.wait_closed()


async def test_refused_upload_gets_final_response_without_100(core_server: StartApp) -> None:
    app = Application()
    app.router.add_post("/upload", upload, expect_handler=check_auth)
    base = await core_server(app)
    reader, writer = await _connect(base)
    try:
        writer.write(
            b"POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 401 Unauthorized\r\n"), head
    finally:
        writer.close()
        await writer.wait_closed()


async def test_default_expect_handler_with_httpx(core_server: StartApp) -> None:
    app = Application()
    app.router.add_post("/upload", upload)
    base = await core_server(app)
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            base + "/upload", content=b"x" * 1000, headers={"Expect": "100-continue"}
        )
        assert resp.text == "got 1000"


async def test_an_expect_handler_may_write_the_100_through_request_writer(
    core_server: StartApp,
) -> None:
    """Raw bytes written before the response (an interim 100) do not begin the response."""

    async def write_continue(request: Request) -> None:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    app = Application()
    app.router.add_post("/upload", upload, expect_handler=write_continue)
    base = await core_server(app)
    reader, writer = await _connect(base)
    try:
        writer.write(
            b"POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Length: 5\r\nConnection: close\r\n\r\nhello"
        )
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    interim, head, body = data.split(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue"
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == b"got 5"
