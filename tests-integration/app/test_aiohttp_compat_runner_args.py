"""aiohttp programs that pass these arguments keep working (real sockets, real clients).

- ``Application(client_max_fields=N)``: ``await request.post()`` answers 413 "Maximum
  number of form fields N exceeded." past N fields, urlencoded or multipart;
  ``request.client_max_fields`` is N.
- ``access_log_class`` written against ``aiohttp.abc.AbstractAccessLogger`` (or any
  class with ``log(request, response, time)``) works with ``AppRunner``,
  ``run_app`` and the low-level ``Server``.
- ``TCPSite``/``UnixSite``/``SockSite(..., shutdown_timeout=...)``: accepted with
  aiohttp 3.14's ``DeprecationWarning``; the value becomes the runner's.

Each test runs against ``AIOWEB_IMPL`` (``aioweb`` by default; ``aiohttp`` checks that
the test states aiohttp's own behaviour).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.abc import AbstractAccessLogger as AiohttpAbstractAccessLogger


@pytest.fixture
def webmod(impl: str) -> ModuleType:
    """``aioweb.web`` or ``aiohttp.web``: what an application module imports."""
    return importlib.import_module("aiohttp.web" if impl == "aiohttp" else "aioweb.web")


@asynccontextmanager
async def serving(web: ModuleType, app: Any, **runner_kwargs: Any) -> AsyncIterator[str]:
    """Run *app* (an Application or a low-level Server) on 127.0.0.1; yield its base URL."""
    runner_kwargs.setdefault("access_log", None)
    if isinstance(app, web.Application):
        runner = web.AppRunner(app, **runner_kwargs)
    else:
        runner = web.ServerRunner(app, **runner_kwargs)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# -- client_max_fields ------------------------------------------------------------


def form_app(web: ModuleType, **app_kwargs: Any) -> Any:
    app = web.Application(**app_kwargs)

    async def post(request: Any) -> Any:
        form = await request.post()
        return web.Response(text=f"{request.client_max_fields} {len(form)}")

    app.router.add_post("/", post)
    return app


async def test_client_max_fields_urlencoded(webmod: ModuleType) -> None:
    async with (
        serving(webmod, form_app(webmod, client_max_fields=3)) as url,
        aiohttp.ClientSession() as session,
    ):
        async with session.post(url, data={"a": "1", "b": "2", "c": "3"}) as resp:
            assert (resp.status, await resp.text()) == (200, "3 3")
        async with session.post(url, data={"a": "1", "b": "2", "c": "3", "d": "4"}) as resp:
            assert resp.status == 413
            assert await resp.text() == "Maximum number of form fields 3 exceeded."


async def test_client_max_fields_multipart(webmod: ModuleType) -> None:
    async with (
        serving(webmod, form_app(webmod, client_max_fields=3)) as url,
        httpx.AsyncClient() as client,
    ):
        files = {"upload": ("a.txt", b"file body", "text/plain")}
        ok = await client.post(url, data={"a": "1", "b": "2"}, files=files)
        assert ok.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert (ok.status_code, ok.text) == (200, "3 3")
        too_many = await client.post(url, data={"a": "1", "b": "2", "c": "3"}, files=files)
        assert too_many.status_code == 413
        assert too_many.text == "Maximum number of form fields 3 exceeded."


async def test_client_max_fields_default_and_unlimited(webmod: ModuleType) -> None:
    fields = {f"f{i}": str(i) for i in range(1001)}
    async with httpx.AsyncClient() as client:
        async with serving(webmod, form_app(webmod)) as url:
            resp = await client.post(url, data=fields)
            assert resp.status_code == 413
            assert resp.text == "Maximum number of form fields 1000 exceeded."
        async with serving(webmod, form_app(webmod, client_max_fields=0)) as url:
            resp = await client.post(url, data=fields)
            assert (resp.status_code, resp.text) == (200, "0 1001")


# -- access_log_class ---------------------------------------------------------------

logged: list[tuple[Any, ...]] = []


class AiohttpStyleLogger(AiohttpAbstractAccessLogger):
    """A custom access logger as aiohttp's documentation shows it."""

    def log(self, request: Any, response: Any, time: float) -> None:
        logged.append(
            ("aiohttp-abc", self.log_format, request.method, request.path, response.status)
        )


class DisabledLogger(AiohttpStyleLogger):
    @property
    def enabled(self) -> bool:
        return False


class DuckLogger:
    """No base class and no ``enabled``: always enabled (aioweb only: aiohttp's
    ``AppRunner`` wants an ``aiohttp.abc.AbstractAccessLogger`` subclass)."""

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.log_format = log_format

    def log(self, request: Any, response: Any, time: float) -> None:
        logged.append(("duck", self.log_format, request.method, request.path, response.status))


class DisabledDuckLogger(DuckLogger):
    enabled = False


DUCK_ONLY = pytest.mark.aioweb_only(
    reason="duck-typed access loggers: aiohttp's AppRunner wants an AbstractAccessLogger subclass"
)


def hello_app(web: ModuleType) -> Any:
    app = web.Application()

    async def hello(request: Any) -> Any:
        return web.Response(text="hello")

    app.router.add_get("/hello", hello)
    return app


async def wait_for_lines(count: int) -> None:
    for _ in range(100):
        if len(logged) >= count:
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("cls", "tag"),
    [(AiohttpStyleLogger, "aiohttp-abc"), pytest.param(DuckLogger, "duck", marks=DUCK_ONLY)],
)
async def test_custom_access_log_class_with_app_runner(
    webmod: ModuleType, cls: type, tag: str
) -> None:
    logged.clear()
    logger = logging.getLogger("test.custom.access")
    async with (
        serving(
            webmod,
            hello_app(webmod),
            access_log=logger,
            access_log_class=cls,
            access_log_format="%a %s",
        ) as url,
        aiohttp.ClientSession() as session,
    ):
        async with session.get(f"{url}/hello") as resp:
            assert await resp.text() == "hello"
        await wait_for_lines(1)
    assert logged == [(tag, "%a %s", "GET", "/hello", 200)]


async def test_custom_access_log_class_with_low_level_server(webmod: ModuleType) -> None:
    logged.clear()

    async def handler(request: Any) -> Any:
        return webmod.Response(text="low")

    server = webmod.Server(
        handler,
        access_log=logging.getLogger("test.custom.access"),
        access_log_class=AiohttpStyleLogger,
        access_log_format="%r",
    )
    async with serving(webmod, server) as url, httpx.AsyncClient() as client:
        resp = await client.get(f"{url}/x")
        assert resp.text == "low"
        await wait_for_lines(1)
    assert logged == [("aiohttp-abc", "%r", "GET", "/x", 200)]


@pytest.mark.parametrize("cls", [DisabledLogger, pytest.param(DisabledDuckLogger, marks=DUCK_ONLY)])
async def test_logger_enabled_false_is_not_called(webmod: ModuleType, cls: type) -> None:
    logged.clear()
    async with (
        serving(
            webmod,
            hello_app(webmod),
            access_log=logging.getLogger("test.custom.access"),
            access_log_class=cls,
        ) as url,
        httpx.AsyncClient() as client,
    ):
        assert (await client.get(f"{url}/hello")).text == "hello"
        await asyncio.sleep(0.05)
    assert logged == []


def test_custom_access_log_class_with_run_app(webmod: ModuleType) -> None:
    logged.clear()
    loop = asyncio.new_event_loop()
    got: list[str] = []
    probes: list[asyncio.Task[None]] = []

    async def probe(url: str) -> None:
        async with aiohttp.ClientSession() as session, session.get(f"{url}/hello") as resp:
            got.append(await resp.text())
        await wait_for_lines(1)
        raise webmod.GracefulExit()

    def print_fn(message: str) -> None:
        probes.append(loop.create_task(probe(message.splitlines()[0].split(" ")[3])))

    webmod.run_app(
        hello_app(webmod),
        host="127.0.0.1",
        port=0,
        print=print_fn,
        handle_signals=False,
        loop=loop,
        access_log=logging.getLogger("test.custom.access"),
        access_log_class=AiohttpStyleLogger,
        access_log_format="%s",
    )
    assert all(task.done() for task in probes)
    assert got == ["hello"]
    assert logged == [("aiohttp-abc", "%s", "GET", "/hello", 200)]


class NotALogger:
    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        pass


@pytest.mark.aioweb_only(
    reason="aioweb's message names its own base class; aiohttp's low-level Server takes any class"
)
async def test_access_log_class_without_log_is_refused_with_what_is_needed(
    webmod: ModuleType,
) -> None:
    async def handler(request: Any) -> Any:
        return webmod.Response()

    with pytest.raises(TypeError) as server_error:
        webmod.Server(handler, access_log_class=NotALogger)
    runner = webmod.AppRunner(hello_app(webmod), access_log_class=NotALogger)
    with pytest.raises(TypeError) as runner_error:
        await runner.setup()
    await runner.cleanup()
    for error in (server_error, runner_error):
        message = str(error.value)
        assert "aioweb.server.AbstractAccessLogger" in message
        assert "log(request, response, time)" in message
        assert "NotALogger" in message


# -- shutdown_timeout on sites ------------------------------------------------------


def slow_app(web: ModuleType, started: asyncio.Event, outcome: list[str]) -> Any:
    app = web.Application()

    async def slow(request: Any) -> Any:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return web.Response(text="late")

    app.router.add_get("/slow", slow)
    return app


async def test_tcp_site_shutdown_timeout_warns_and_sets_the_runner(webmod: ModuleType) -> None:
    started = asyncio.Event()
    outcome: list[str] = []
    runner = webmod.AppRunner(slow_app(webmod, started, outcome), access_log=None)
    await runner.setup()
    with pytest.warns(DeprecationWarning, match="shutdown_timeout should be set on BaseRunner"):
        site = webmod.TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=0.3)
    assert runner._shutdown_timeout == 0.3
    await site.start()
    async with httpx.AsyncClient(timeout=10.0) as client:
        pending = asyncio.create_task(client.get(f"http://127.0.0.1:{site.port}/slow"))
        await asyncio.wait_for(started.wait(), 5.0)
        t0 = time.monotonic()
        await runner.cleanup()  # the site's 0.3 s, not the runner's default 60 s
        elapsed = time.monotonic() - t0
        with pytest.raises(httpx.HTTPError):
            await pending
    assert outcome == ["cancelled"]
    assert elapsed < 5.0


async def test_unix_and_sock_sites_take_shutdown_timeout(
    webmod: ModuleType, tmp_path: Path
) -> None:
    runner = webmod.AppRunner(hello_app(webmod), access_log=None, shutdown_timeout=7.0)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        # The default value changes nothing and does not warn (warnings are errors here).
        webmod.TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=60.0)
        assert runner._shutdown_timeout == 7.0
        with pytest.warns(DeprecationWarning, match="shutdown_timeout should be set on BaseRunner"):
            unix = webmod.UnixSite(runner, str(tmp_path / "s.sock"), shutdown_timeout=2.0)
        assert runner._shutdown_timeout == 2.0
        with pytest.warns(DeprecationWarning, match="shutdown_timeout should be set on BaseRunner"):
            by_sock = webmod.SockSite(runner, sock, shutdown_timeout=3.0)
        assert runner._shutdown_timeout == 3.0
        await unix.start()
        await by_sock.start()
        transport = httpx.AsyncHTTPTransport(uds=str(tmp_path / "s.sock"))
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get("http://localhost/hello")).text == "hello"
        async with httpx.AsyncClient() as client:
            port = sock.getsockname()[1]
            assert (await client.get(f"http://127.0.0.1:{port}/hello")).text == "hello"
    finally:
        await runner.cleanup()
        sock.close()
