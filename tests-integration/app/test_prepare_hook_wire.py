"""``on_response_prepare`` and what it may do to a response, on the wire.

As in aiohttp, the signal is sent once the server has completed the headers
(Content-Length or chunked, Content-Encoding, Set-Cookie, Date, Server), and receivers
may change them before they leave. aioweb sends a plain ``Response`` with the hook in
one step, without the ``prepare()``/``write_eof()`` coroutines; the client must see
the same either way, and the hook must run once. Unless marked ``aioweb_only``, every
test passes under ``AIOWEB_IMPL=aiohttp`` too.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import ModuleType
from typing import Any

import aiohttp
import pytest

Hook = Callable[[Any, Any], Awaitable[None]]


@pytest.fixture
def webmod(impl: str) -> ModuleType:
    return importlib.import_module("aiohttp.web" if impl == "aiohttp" else "aioweb.web")


@pytest.fixture
async def serve(webmod: ModuleType) -> AsyncIterator[Callable[[Hook], Awaitable[str]]]:
    runners: list[Any] = []

    async def start(hook: Hook) -> str:
        web = webmod

        async def plain(request: Any) -> Any:
            return web.Response(text="hello " * 200)

        async def json_(request: Any) -> Any:
            return web.json_response({"a": 1})

        async def streamed(request: Any) -> Any:
            resp = web.StreamResponse()
            await resp.prepare(request)
            await resp.write(b"streamed")
            return resp

        async def error(request: Any) -> Any:
            raise web.HTTPNotFound(text="nope")

        async def coded(request: Any) -> Any:
            resp = web.Response(text="hello " * 200)
            resp.enable_compression()
            resp.set_cookie("k", "v")
            return resp

        app = web.Application()
        app.on_response_prepare.append(hook)
        app.router.add_get("/plain", plain)
        app.router.add_get("/json", json_)
        app.router.add_get("/streamed", streamed)
        app.router.add_get("/error", error)
        app.router.add_get("/coded", coded)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def fetch(base: str, path: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
    async with (
        aiohttp.ClientSession(auto_decompress=False) as session,
        session.get(base + path, **kwargs) as resp,
    ):
        return resp.status, dict(resp.headers), await resp.read()


async def test_hook_runs_once_and_its_headers_go_out(serve: Any) -> None:
    calls: list[str] = []

    async def hook(request: Any, response: Any) -> None:
        calls.append(request.path)
        response.headers["X-Hooked"] = "yes"

    base = await serve(hook)
    for path in ("/plain", "/json", "/streamed", "/error", "/missing"):
        _, headers, _ = await fetch(base, path)
        assert headers["X-Hooked"] == "yes", path
    assert calls == ["/plain", "/json", "/streamed", "/error", "/missing"]


async def test_hook_sees_the_completed_headers_and_may_change_them(serve: Any) -> None:
    # aiohttp sends the signal once the default headers are computed: a receiver can
    # drop the Server header (a common recipe) or rewrite what the server set.
    seen: list[dict[str, str]] = []

    async def hook(request: Any, response: Any) -> None:
        seen.append(dict(response.headers))
        del response.headers["Server"]
        response.headers["Content-Type"] = "text/x-hooked"

    base = await serve(hook)
    for path in ("/plain", "/json", "/error", "/missing"):
        _, headers, body = await fetch(base, path)
        assert "Server" not in headers, path
        assert headers["Content-Type"] == "text/x-hooked", path
        assert headers["Content-Length"] == str(len(body)), path
    for headers in seen:
        assert {"Content-Length", "Date", "Server", "Content-Type"} <= set(headers)
    assert seen[0]["Content-Length"] == str(len("hello " * 200))


async def test_hook_on_a_streamed_response_sees_chunked_framing(serve: Any) -> None:
    seen: list[str | None] = []

    async def hook(request: Any, response: Any) -> None:
        seen.append(response.headers.get("Transfer-Encoding"))

    base = await serve(hook)
    status, _, body = await fetch(base, "/streamed")
    assert (status, body) == (200, b"streamed")
    assert seen == ["chunked"]


async def test_hook_sees_the_coding_and_the_cookies(serve: Any) -> None:
    seen: list[tuple[str, str, str]] = []

    async def hook(request: Any, response: Any) -> None:
        headers = response.headers
        seen.append(
            (headers.get("Content-Encoding"), headers.get("Set-Cookie"), headers["Content-Length"])
        )

    base = await serve(hook)
    status, headers, body = await fetch(base, "/coded", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert gzip.decompress(body) == b"hello " * 200
    coding, cookie, length = seen[0]
    assert coding == "gzip"
    assert cookie.startswith("k=v")
    assert length == str(len(body)) == headers["Content-Length"]


async def test_hook_force_close_ends_the_connection(serve: Any) -> None:
    async def hook(request: Any, response: Any) -> None:
        response.force_close()

    base = await serve(hook)
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET /json HTTP/1.1\r\nHost: h\r\n\r\n")
        async with asyncio.timeout(5):
            data = await reader.read()  # until the server closes
    finally:
        writer.close()
    assert data.startswith(b"HTTP/1.1 200 ")
    assert data.endswith(b'{"a": 1}')


@pytest.mark.aioweb_only("aiohttp drops the connection without an answer")
async def test_hook_changing_the_status_is_a_500(serve: Any) -> None:
    # As in aiohttp, the response counts as prepared while the hook runs: the status
    # can no longer change. aioweb answers 500 instead of closing silently.
    async def hook(request: Any, response: Any) -> None:
        if request.path == "/plain":
            response.set_status(203)

    base = await serve(hook)
    status, _, _ = await fetch(base, "/plain")
    assert status == 500
    status, _, body = await fetch(base, "/json")
    assert (status, body) == (200, b'{"a": 1}')


async def test_hook_that_prepares_the_response_itself(serve: Any) -> None:
    calls: list[str] = []

    async def hook(request: Any, response: Any) -> None:
        calls.append("hook")
        if len(calls) == 1:  # aiohttp would recurse forever otherwise
            await response.prepare(request)

    base = await serve(hook)
    status, _, body = await fetch(base, "/plain")
    assert (status, body) == (200, b"hello " * 200)
    assert calls == ["hook"]


@pytest.mark.aioweb_only("aiohttp drops the connection without an answer")
async def test_hook_error_is_a_500_and_the_server_goes_on(serve: Any) -> None:
    fail = [True]

    async def hook(request: Any, response: Any) -> None:
        if fail[0]:
            raise RuntimeError("hook failed")

    base = await serve(hook)
    status, _, _ = await fetch(base, "/plain")
    assert status == 500
    fail[0] = False
    status, _, body = await fetch(base, "/plain")
    assert (status, body) == (200, b"hello " * 200)


async def test_slow_hook_keeps_order_on_a_kept_alive_connection(serve: Any) -> None:
    async def hook(request: Any, response: Any) -> None:
        await asyncio.sleep(0.01)
        response.headers["X-Path"] = request.path

    base = await serve(hook)
    async with aiohttp.ClientSession() as session:
        for path in ("/plain", "/json", "/plain"):
            async with session.get(base + path) as resp:
                assert resp.headers["X-Path"] == path
                await resp.read()
