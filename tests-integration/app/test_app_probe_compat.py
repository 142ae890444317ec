"""Differences found by the side-by-side probe of the application layer, pinned down.

Each test builds its application with ``aioweb.web`` or, under
``AIOWEB_IMPL=aiohttp``, with ``aiohttp.web``, serves it on 127.0.0.1 and talks to
it over a real socket, so the same test states aiohttp's behaviour.

- ``run_app(app, max_field_size=..., ...)``: keyword arguments run_app does not
  name itself go to the server (aiohttp forwards them through ``AppRunner``); a
  program raising the header limits this way failed with ``TypeError``.
- ``run_app(None)`` / ``run_app(factory)`` (a factory without ``return``, or passed
  uncalled): ``TypeError`` naming what was passed, not "can't be used in 'await'
  expression".
- ``python -m aioweb.web -U PATH -P PORT`` (no ``-H``): the Unix socket only, the
  port ignored, as aiohttp's command line does; a TCP site on localhost was added.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import socket
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest


@pytest.fixture
def webmod(impl: str) -> ModuleType:
    """``aioweb.web`` or ``aiohttp.web``: what an application module imports."""
    return importlib.import_module("aiohttp.web" if impl == "aiohttp" else "aioweb.web")


async def status_line(port: int, request: bytes) -> bytes:
    """The status line the server at *port* answers *request* with."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5.0)
    try:
        writer.write(request)
        return (await asyncio.wait_for(reader.readline(), 5.0)).rstrip(b"\r\n")
    finally:
        writer.close()


def run_app_once(web: ModuleType, app: Any, request: bytes, **kwargs: Any) -> bytes:
    """Run *app* with ``run_app`` on 127.0.0.1:0, send *request*, stop; the status line."""
    loop = asyncio.new_event_loop()
    answers: list[bytes] = []
    probes: list[asyncio.Task[None]] = []

    def stop() -> None:
        raise web.GracefulExit()

    async def probe(port: int) -> None:
        try:
            answers.append(await status_line(port, request))
        finally:
            loop.call_soon(stop)

    def on_print(message: str) -> None:
        port = int(message.splitlines()[0].split(" ")[3].rsplit(":", 1)[1])
        probes.append(loop.create_task(probe(port)))

    run_app_on(web, app, loop, on_print, **kwargs)
    assert all(task.done() for task in probes)
    assert len(answers) == 1
    return answers[0]


def run_app_on(
    web: ModuleType, app: Any, loop: asyncio.AbstractEventLoop, printer: Any, **kwargs: Any
) -> None:
    """``web.run_app`` on 127.0.0.1:0 in *loop*, without signal handlers or access log."""
    web.run_app(
        app,
        host="127.0.0.1",
        port=0,
        print=printer,
        handle_signals=False,
        loop=loop,
        access_log=None,
        **kwargs,
    )


def long_header_app(web: ModuleType) -> Any:
    async def root(request: Any) -> Any:
        return web.Response(text=str(len(request.headers["X-Long"])))

    app = web.Application()
    app.router.add_get("/", root)
    return app


LONG_HEADER_REQUEST = (
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: "
    + b"a" * 12000
    + b"\r\nConnection: close\r\n\r\n"
)


def test_run_app_forwards_server_limits(webmod: ModuleType) -> None:
    # The default field limit (8190) refuses the 12000-byte header ...
    assert run_app_once(webmod, long_header_app(webmod), LONG_HEADER_REQUEST).split(b" ")[1] in (
        b"400",
        b"431",
    )
    # ... which run_app's extra keyword arguments raise, as aiohttp's do.
    status = run_app_once(
        webmod,
        long_header_app(webmod),
        LONG_HEADER_REQUEST,
        max_field_size=16384,
        max_line_size=16384,
    )
    assert status == b"HTTP/1.1 200 OK"


def test_run_app_names_what_is_not_an_application(webmod: ModuleType) -> None:
    def factory() -> Any:
        return long_header_app(webmod)

    for not_an_app in (None, factory):
        loop = asyncio.new_event_loop()
        with pytest.raises(TypeError, match=r"should be web\.Application instance, got"):
            run_app_on(webmod, not_an_app, loop, None)
        assert loop.is_closed()


# -- python -m <web> -U PATH -P PORT: the port is ignored without -H ----------------

FACTORY = """
import os
from importlib import import_module

web = import_module(os.environ["PROBE_WEB"])


async def root(request):
    return web.Response(text="unix")


def make(argv):
    app = web.Application()
    app.router.add_get("/", root)
    return app
"""


async def test_cli_path_with_port_but_no_host_serves_the_unix_socket_only(
    impl: str, tmp_path: Path
) -> None:
    (tmp_path / "factorymod.py").write_text(FACTORY)
    sock_path = tmp_path / "cli.sock"
    busy = socket.socket()  # -P names a port in use: a TCP site would fail to bind
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    web_name = f"{impl}.web"
    env = dict(os.environ, PYTHONUNBUFFERED="1", PROBE_WEB=web_name)
    args = ["-m", web_name, "-U", str(sock_path), "-P", str(busy.getsockname()[1])]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        "factorymod:make",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 15.0)
        assert (
            line.decode().rstrip("\n") == f"======== Running on http://unix:{sock_path}: ========"
        )
        connector = aiohttp.UnixConnector(path=str(sock_path))
        timeout = aiohttp.ClientTimeout(total=5.0)
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.get("http://localhost/") as resp,
        ):
            assert await resp.text() == "unix"
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), 15.0)
        assert proc.returncode == 0
    finally:
        busy.close()
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.communicate(), 10.0)
