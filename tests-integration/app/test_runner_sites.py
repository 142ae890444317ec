"""AppRunner / ServerRunner with TCP, Unix, pre-bound socket and named-pipe sites (real sockets)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from pathlib import Path

import aiohttp
import httpx
import pytest

from aioweb.app import (
    Application,
    AppRunner,
    NamedPipeSite,
    Request,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from aioweb.server import BaseRequest, Response, Server, StreamResponse


async def connect_and_close(port: int) -> None:
    """Open a TCP connection to 127.0.0.1:*port* (raises OSError if refused) and close it."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()


def make_app() -> Application:
    app = Application()

    async def hello(request: Request) -> Response:
        return Response(text=f"hello {request.match_info.get('name', 'world')}")

    app.router.add_get("/", hello)
    app.router.add_get("/{name}", hello)
    return app


async def test_tcp_site_port_zero_reports_real_port_and_name() -> None:
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        assert site.port == 0
        await site.start()
        assert site.port > 0
        assert site.name == f"http://127.0.0.1:{site.port}"
        assert runner.sites == {site}
        assert runner.addresses == [("127.0.0.1", site.port)]
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"{site.name}/bob")
        assert resp.status_code == 200
        assert resp.text == "hello bob"
    finally:
        await runner.cleanup()
    assert runner.sites == set()
    assert runner.server is None


async def test_tcp_site_defaults() -> None:
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        assert TCPSite(runner).name == "http://0.0.0.0:8080"
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        assert TCPSite(runner, "::1", ssl_context=ctx).name == "https://[::1]:8443"
    finally:
        await runner.cleanup()


async def test_site_before_setup_is_an_error() -> None:
    runner = AppRunner(make_app())
    with pytest.raises(RuntimeError, match="setup"):
        TCPSite(runner, "127.0.0.1", 0)


def test_app_runner_rejects_non_application() -> None:
    with pytest.raises(TypeError, match="Application"):
        AppRunner(object())  # type: ignore[arg-type]


async def test_app_runner_passes_server_kwargs() -> None:
    app = make_app()
    runner = AppRunner(app, keepalive_timeout=3.5, handler_cancellation=True, shutdown_timeout=2)
    assert runner.app is app
    assert runner.shutdown_timeout == 2
    await runner.setup()
    try:
        assert app.frozen
        assert runner.server is not None
        assert runner.server.keepalive_timeout == 3.5
        assert runner.server.handler_cancellation is True
    finally:
        await runner.cleanup()


async def test_site_start_twice_and_stop_unknown() -> None:
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        with pytest.raises(RuntimeError, match="already registered"):
            await site.start()
        await site.stop()
        with pytest.raises(RuntimeError, match="not registered"):
            await site.stop()
    finally:
        await runner.cleanup()


async def test_unix_site(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        site = UnixSite(runner, str(path))
        await site.start()
        assert site.name == f"http://unix:{path}:"
        assert runner.addresses == [str(path)]
        connector = aiohttp.UnixConnector(path=str(path))
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get("http://localhost/unix") as resp,
        ):
            assert resp.status == 200
            assert await resp.text() == "hello unix"
    finally:
        await runner.cleanup()


async def test_sock_site() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        site = SockSite(runner, sock)
        assert site.name == f"http://127.0.0.1:{port}"
        await site.start()
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"http://127.0.0.1:{port}/sock")
        assert resp.text == "hello sock"
    finally:
        await runner.cleanup()
        sock.close()


@pytest.mark.skipif(sys.platform == "win32", reason="the error is what non-Windows users get")
async def test_named_pipe_site_names_the_platform() -> None:
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        with pytest.raises(RuntimeError, match=sys.platform):
            NamedPipeSite(runner, r"\\.\pipe\aioweb")
    finally:
        await runner.cleanup()


async def test_server_runner_serves_low_level_handler() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=request.path)

    runner = ServerRunner(Server(handler))
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"{site.name}/low")
        assert resp.text == "/low"
    finally:
        await runner.cleanup()


async def test_tls_site_with_trustme_certificate(
    tls_contexts: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_ctx, client_ctx = tls_contexts
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
        await site.start()
        assert site.name.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(verify=client_ctx) as client:
            resp = await client.get(f"{site.name}/tls")
        assert resp.status_code == 200
        assert resp.text == "hello tls"
    finally:
        await runner.cleanup()


async def test_several_sites_on_one_runner() -> None:
    runner = AppRunner(make_app())
    await runner.setup()
    try:
        sites = [TCPSite(runner, "127.0.0.1", 0), TCPSite(runner, "127.0.0.1", 0)]
        for site in sites:
            await site.start()
        assert len(runner.addresses) == 2
        async with httpx.AsyncClient() as client:
            for site in sites:
                assert (await client.get(site.name)).text == "hello world"
    finally:
        await runner.cleanup()
    # The listeners are closed: connecting now fails.
    with pytest.raises(OSError):
        await connect_and_close(sites[0].port)
