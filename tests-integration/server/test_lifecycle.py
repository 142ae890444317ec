"""Client disconnects (with and without handler_cancellation) and graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import httpx
import pytest


async def _disconnect_mid_request(srv, wire, entered: asyncio.Event) -> None:
    async with wire.connect(srv.port) as (_reader, writer):
        writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        await asyncio.wait_for(entered.wait(), 5)
    # leaving the block closed the client side


async def test_disconnect_without_handler_cancellation(serve, web, wire):
    entered = asyncio.Event()
    outcome: list[str] = []

    async def handler(request):
        entered.set()
        try:
            await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("completed")
        return web.Response(text="late")

    srv = await serve(handler)  # handler_cancellation defaults to False
    await _disconnect_mid_request(srv, wire, entered)
    async with asyncio.timeout(5):
        while not outcome:
            await asyncio.sleep(0.05)
    assert outcome == ["completed"]
    await srv.alive()


@pytest.mark.aioweb_only(reason="aiohttp logs the failed write as 'Error handling request'")
async def test_disconnect_mid_stream_is_not_logged_as_an_error(serve, web, wire, caplog):
    """A client that leaves while a streamed body is written is no server error."""
    caplog.set_level(logging.WARNING)
    finished = asyncio.Event()

    async def handler(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        try:
            for _ in range(400):
                await resp.write(b"x" * 65536)  # raises once the client is gone
                await asyncio.sleep(0.005)
        finally:
            finished.set()
        return resp

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.transport.abort()
    await asyncio.wait_for(finished.wait(), 10)
    await asyncio.sleep(0.1)  # the server's handling of the failed write
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    await srv.alive()


async def test_disconnect_with_handler_cancellation(serve, web, wire):
    entered = asyncio.Event()
    outcome: list[str] = []

    async def handler(request):
        entered.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("completed")
        return web.Response(text="late")

    srv = await serve(handler, handler_cancellation=True)
    await _disconnect_mid_request(srv, wire, entered)
    async with asyncio.timeout(3):
        while not outcome:
            await asyncio.sleep(0.05)
    assert outcome == ["cancelled"]
    await srv.alive()


async def test_disconnect_during_body_read(serve, web, wire):
    entered = asyncio.Event()
    outcome: list[str] = []

    async def handler(request):
        entered.set()
        try:
            await request.read()
        except (ConnectionError, asyncio.CancelledError):
            outcome.append("error")
            raise
        outcome.append("read")
        return web.Response(text="x")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (_reader, writer):
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
        await writer.drain()
        await asyncio.wait_for(entered.wait(), 5)
    async with asyncio.timeout(5):
        while not outcome:
            await asyncio.sleep(0.05)
    assert outcome == ["error"]
    await srv.alive()


async def test_graceful_shutdown_finishes_requests_in_flight(serve, web):
    n = 5
    entered = 0
    all_in = asyncio.Event()

    async def handler(request):
        nonlocal entered
        entered += 1
        if entered == n:
            all_in.set()
        await asyncio.sleep(0.4)
        return web.Response(text=f"done {request.path}")

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        tasks = [asyncio.create_task(client.get(f"{srv.url}/{i}")) for i in range(n)]
        await asyncio.wait_for(all_in.wait(), 5)
        await asyncio.wait_for(srv.shutdown(timeout=5.0), 8)
        results = await asyncio.gather(*tasks)
    assert [r.status_code for r in results] == [200] * n
    assert [r.text for r in results] == [f"done /{i}" for i in range(n)]
    # The listener is closed: new connections are refused.
    with pytest.raises(OSError):
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", srv.port), 2)


async def test_shutdown_closes_idle_keep_alive_connections(serve, web, wire):
    async def handler(request):
        return web.Response(text="x")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert resp.status == 200
        await asyncio.wait_for(srv.shutdown(timeout=2.0), 5)
        data = b""
        with contextlib.suppress(ConnectionError):
            data = await asyncio.wait_for(reader.read(), 5)
        assert data == b""


@pytest.mark.aioweb_only(reason="aiohttp closes a just-accepted connection at once")
async def test_shutdown_answers_a_connection_whose_request_was_still_on_the_way(serve, web, wire):
    # Accepted just before the stop, request sent just after it started: answered once,
    # with Connection: close, instead of a reset the client cannot tell from a crash.
    async def handler(request):
        return web.Response(text="late but answered")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, writer):
        await asyncio.sleep(0.05)  # the server has accepted it; nothing sent yet
        stopping = asyncio.ensure_future(srv.shutdown(timeout=2.0))
        await asyncio.sleep(0.05)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await asyncio.wait_for(wire.read_response(reader), 5)
        assert resp.status == 200
        assert resp.body == b"late but answered"
        assert resp.header("Connection") == "close"
        assert await asyncio.wait_for(reader.read(), 5) == b""
        await asyncio.wait_for(stopping, 5)


@pytest.mark.aioweb_only(reason="the grace period is aioweb's")
async def test_shutdown_closes_a_silent_new_connection_after_a_short_grace(serve, web, wire):
    async def handler(request):
        return web.Response(text="x")

    srv = await serve(handler)
    async with wire.connect(srv.port) as (reader, _writer):
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(srv.shutdown(timeout=10.0), 5)  # not the full timeout
        data = b""
        with contextlib.suppress(ConnectionError):
            data = await asyncio.wait_for(reader.read(), 5)
        assert data == b""
        assert loop.time() - started < 2.0


async def test_shutdown_timeout_cancels_stuck_handler(serve, web):
    entered = asyncio.Event()
    outcome: list[str] = []

    async def handler(request):
        entered.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return web.Response(text="never")

    srv = await serve(handler)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        request = asyncio.create_task(session.get(srv.url))
        await asyncio.wait_for(entered.wait(), 5)
        await asyncio.wait_for(srv.shutdown(timeout=0.3), 5)
        with pytest.raises(aiohttp.ClientError):
            await request
    assert outcome == ["cancelled"]
