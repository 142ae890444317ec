"""Mixed traffic leaves nothing behind.

Rounds of the traffic a public server sees (keep-alive clients, pipelines, uploads,
handler errors, bad requests, half-sent heads and bodies, resets, clients that leave
mid-stream or while their handler waits, 100-continue) run against one server. After
each round, once every connection has closed:

- no connection protocol, request, response, body stream or handler task is still
  alive, and no timer of the server is still scheduled on the loop;
- between two later rounds of the same traffic, the memory that the server's own source
  lines hold (tracemalloc, grouped by line) does not grow: one round is a few hundred
  requests, so a leak of even one small object per request shows.

The counts are bounded (a few hundred requests per round, about 2 s in all) and every
peer is on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import socket
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROUNDS = 3
CLIENT_REQUESTS = 120  # keep-alive requests through aiohttp's client, per round
RAW_EACH = 8  # raw-socket connections of each misbehaving kind, per round


def _server_files(impl: str) -> str:
    """The folder whose source lines count as the server's own memory."""
    if impl == "aiohttp":
        import aiohttp as pkg
    else:
        import aioweb.server as pkg
    assert pkg.__file__ is not None
    # aioweb's packages are siblings (packages/<name>/src/aioweb/...): count them all.
    path = Path(pkg.__file__).resolve().parent
    return str(path.parents[3]) if impl == "aioweb" else str(path)


def _protocol_type(impl: str) -> type:
    if impl == "aiohttp":
        from aiohttp.web_protocol import RequestHandler
    else:
        from aioweb.server.protocol import RequestHandler
    return RequestHandler


def _stream_type(impl: str) -> type:
    if impl == "aiohttp":
        from aiohttp.streams import StreamReader
    else:
        from aioweb.server.streams import StreamReader
    return StreamReader


def _alive(types: tuple[type, ...]) -> list[Any]:
    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, types)]


async def _send_and_close(port: int, data: bytes, *, reset: bool = False) -> bytes:
    """Send ``data``, read what comes within a moment, then close (or reset)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    got = b""
    with contextlib.suppress(TimeoutError, ConnectionError):
        got = await asyncio.wait_for(reader.read(65536), 0.05)
    if reset:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return got


async def _leave_after_first_bytes(port: int, request: bytes) -> None:
    """Send ``request`` and close as soon as any answer (or none, 0.2 s) arrives."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(reader.read(1), 0.2)
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def _pipeline(port: int, wire: Any) -> None:
    requests = (
        b"".join(f"GET /hello?i={i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(4))
        + b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    data = await wire.exchange(port, requests)
    assert [r.status for r in wire.parse_responses(data)] == [200] * 5


async def _continue(port: int, interim_expected: bool) -> None:
    """``Expect: 100-continue``; like curl, the body goes out after 1 s without the 100."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Length: 5\r\nConnection: close\r\n\r\n"
        )
        try:
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1)
        except TimeoutError:
            assert not interim_expected
        else:
            assert interim.startswith(b"HTTP/1.1 100 "), interim
        writer.write(b"hello")
        rest = await asyncio.wait_for(reader.read(), 5)
        assert rest.startswith(b"HTTP/1.1 200 "), rest
        assert rest.endswith(b"hello"), rest
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _traffic(port: int, wire: Any, impl: str, sub: bool) -> None:
    url = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=4)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def get(path: str, expect: int) -> None:
            async with session.get(url + path) as resp:
                await resp.read()
                assert resp.status == expect, path

        async def post(size: int) -> None:
            body = b"p" * size
            async with session.post(url + "/echo", data=body) as resp:
                assert resp.status == 200
                assert await resp.read() == body

        jobs = [get(f"/hello?n={i}", 200) for i in range(CLIENT_REQUESTS)]
        jobs += [post(4096) for _ in range(RAW_EACH)]
        jobs += [post(200_000) for _ in range(2)]  # more than one read, a paused reader
        jobs += [get("/raise", 500) for _ in range(RAW_EACH)]
        jobs += [get("/missing", 404) for _ in range(RAW_EACH)]
        jobs += [get("/stream", 200) for _ in range(RAW_EACH)]
        # routed by the app stack's sub-application; 404 on the bare low-level server
        jobs += [get(f"/sub/items/{i}", 200 if sub else 404) for i in range(RAW_EACH)]
        await asyncio.gather(*jobs)

    misbehaving = []
    for _ in range(RAW_EACH):
        misbehaving += [
            _pipeline(port, wire),
            # aiohttp's low-level server leaves the 100 to the application (its router)
            _continue(port, interim_expected=impl == "aioweb" or sub),
            # a bad request: 400, then the server closes
            wire.exchange(port, b"GET /hello HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"),
            # half a head, then the client leaves
            _send_and_close(port, b"GET /hello HTTP/1.1\r\nHost: x\r\nUser-Ag"),
            # half a body, then a reset
            _send_and_close(
                port,
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n" + b"b" * 3000,
                reset=True,
            ),
            # a request left in the pipeline behind a slow one, then a reset
            _send_and_close(
                port,
                b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
                reset=True,
            ),
            # the client leaves while a long body streams out
            _leave_after_first_bytes(port, b"GET /long-stream HTTP/1.1\r\nHost: x\r\n\r\n"),
            # the client leaves while its handler waits
            _leave_after_first_bytes(port, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"),
        ]
    await asyncio.gather(*misbehaving)


async def _settle(server: Any, tasks_before: set[asyncio.Task[Any]]) -> None:
    """Wait until every connection and every handler task of the round is gone."""
    async with asyncio.timeout(10):
        while server.connections or asyncio.all_tasks() - tasks_before:
            await asyncio.sleep(0.02)


def _server_timers(loop: asyncio.AbstractEventLoop, protocol: type) -> list[Any]:
    scheduled = getattr(loop, "_scheduled", [])  # asyncio's own loops keep their timers here
    return [
        timer
        for timer in scheduled
        if not timer.cancelled()
        and isinstance(getattr(timer._callback, "__self__", None), protocol)
    ]


def _own_bytes(snapshot: tracemalloc.Snapshot, folder: str) -> dict[str, int]:
    stats = snapshot.filter_traces([tracemalloc.Filter(True, folder + "/*")]).statistics("lineno")
    return {str(stat.traceback): stat.size for stat in stats}


def _handler(web: Any) -> Any:
    async def handler(request: Any) -> Any:
        path = request.path
        if path == "/hello":
            return web.Response(text="hello")
        if path == "/echo":
            return web.Response(body=await request.read())
        if path == "/raise":
            raise RuntimeError("a handler bug")
        if path == "/missing" or path.startswith("/sub/"):
            raise web.HTTPNotFound()
        if path == "/slow":
            await asyncio.sleep(0.1)
            return web.Response(text="slow")
        if path in ("/stream", "/long-stream"):
            resp = web.StreamResponse()
            await resp.prepare(request)
            for _ in range(3 if path == "/stream" else 200):
                await resp.write(b"s" * 8192)
                await asyncio.sleep(0.001)
            await resp.write_eof()
            return resp
        raise AssertionError(path)

    return handler


async def _soak(
    server: Any, port: int, wire: Any, impl: str, tracked: tuple[type, ...], *, sub: bool = False
) -> None:
    """Run the rounds against a listening server and check what they leave behind.

    With ``sub``, the server routes ``/sub/items/{id}`` to a sub-application.
    """
    server_logger = logging.getLogger("aiohttp.server" if impl == "aiohttp" else "aioweb.server")
    text_only = _TextOnlyTracebacks()
    server_logger.addFilter(text_only)
    loop = asyncio.get_running_loop()
    protocol = _protocol_type(impl)
    tracked += (protocol, _stream_type(impl))
    folder = _server_files(impl)
    tasks_before = asyncio.all_tasks()
    # Earlier tests in this process may keep objects of their own: held here, so that
    # their ids stay theirs, and left out of the count.
    earlier = _alive(tracked)
    left_out = {id(obj) for obj in earlier} | {id(_empty_payload(impl))}

    sizes: list[dict[str, int]] = []
    tracemalloc.start(1)
    try:
        for _ in range(ROUNDS):
            await _traffic(port, wire, impl, sub)
            await _settle(server, tasks_before)
            left = [obj for obj in _alive(tracked) if id(obj) not in left_out]
            assert left == [], f"alive after every connection closed: {left[:5]}"
            assert _server_timers(loop, protocol) == []
            sizes.append(_own_bytes(tracemalloc.take_snapshot(), folder))
    finally:
        tracemalloc.stop()
        server_logger.removeFilter(text_only)
    if impl == "aioweb":  # aiohttp also logs some client disconnects as errors
        # every /raise was logged, and nothing else was an error
        assert text_only.errors == ["RuntimeError('a handler bug')"] * (ROUNDS * RAW_EACH)

    # Round 1 fills the caches (dates, hosts, status lines, compiled patterns): compare
    # the last two rounds, line by line.
    grown = {
        line: size - sizes[-2].get(line, 0)
        for line, size in sizes[-1].items()
        if size - sizes[-2].get(line, 0) > 0
    }
    assert sum(grown.values()) < 4096, sorted(grown.items(), key=lambda kv: -kv[1])[:10]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cancellation", [False, True], ids=["run-to-end", "cancel-on-leave"])
async def test_mixed_traffic_leaves_nothing_behind(serve, web, wire, impl, cancellation):
    srv = await serve(_handler(web), handler_cancellation=cancellation, access_log=None)
    await _soak(srv.server, srv.port, wire, impl, (web.BaseRequest, web.StreamResponse))
    await srv.alive()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cancellation", [False, True], ids=["run-to-end", "cancel-on-leave"])
async def test_mixed_traffic_through_the_app_stack_leaves_nothing_behind(
    web, wire, impl, cancellation
):
    """The same through AppRunner: routes, a middleware, a sub-application."""
    app_web: Any = importlib.import_module("aiohttp.web" if impl == "aiohttp" else "aioweb.web")
    endpoint = _handler(web)

    @app_web.middleware
    async def passing(request: Any, handler: Any) -> Any:
        return await handler(request)

    async def item(request: Any) -> Any:
        return app_web.Response(text=request.match_info["id"])

    app = app_web.Application(middlewares=[passing])
    for path in ("/hello", "/echo", "/raise", "/slow", "/stream", "/long-stream"):
        app.router.add_route("*", path, endpoint)
    sub = app_web.Application()
    sub.router.add_get("/items/{id}", item)
    app.add_subapp("/sub", sub)

    runner = app_web.AppRunner(app, handler_cancellation=cancellation, access_log=None)
    await runner.setup()
    try:
        site = app_web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        match_info = importlib.import_module(
            "aiohttp.web_urldispatcher" if impl == "aiohttp" else "aioweb.router"
        ).UrlMappingMatchInfo
        tracked = (app_web.BaseRequest, app_web.StreamResponse, match_info)
        await _soak(runner.server, port, wire, impl, tracked, sub=True)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/sub/items/7") as resp,
        ):
            assert (resp.status, await resp.text()) == (200, "7")
    finally:
        await runner.cleanup()


class _TextOnlyTracebacks(logging.Filter):
    """Turns each record's exception into text, so no record keeps frames alive.

    pytest keeps the records of a test for its report; with their tracebacks they
    would hold the requests (and connections) of every failure logged. The text
    of the traceback is kept: the report shows the same lines.
    """

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            if record.levelno >= logging.ERROR:
                self.errors.append(repr(record.exc_info[1]))
            record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        return True


def _empty_payload(impl: str) -> object:
    if impl == "aiohttp":
        from aiohttp.streams import EMPTY_PAYLOAD
    else:
        from aioweb.server.streams import EMPTY_PAYLOAD
    return EMPTY_PAYLOAD
