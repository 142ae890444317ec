"""AppRunner lifecycle: signal order and the graceful shutdown with requests in flight."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from aioweb.app import Application, AppRunner, Request, TCPSite, UnixSite
from aioweb.server import Response


async def connect_and_close(port: int) -> None:
    """Open a TCP connection to 127.0.0.1:*port* (raises OSError if refused) and close it."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()


async def test_signals_order_across_setup_and_cleanup() -> None:
    events: list[str] = []
    app = Application()
    runner = AppRunner(app)

    async def ctx(app: Application) -> AsyncIterator[None]:
        events.append("ctx-enter")
        yield
        events.append("ctx-exit")

    async def on_startup(app: Application) -> None:
        events.append("startup")

    async def on_shutdown(app: Application) -> None:
        # Sites are already stopped: the runner lists none.
        events.append(f"shutdown sites={len(runner.sites)}")

    async def on_cleanup(app: Application) -> None:
        events.append("cleanup")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)

    await runner.setup()
    assert events == ["ctx-enter", "startup"]
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await runner.cleanup()
    # cleanup_ctx sits first in on_cleanup, as in aiohttp (its exit runs first).
    assert events == ["ctx-enter", "startup", "shutdown sites=0", "ctx-exit", "cleanup"]


def slow_app(delay: float, started: asyncio.Event, outcome: list[str]) -> Application:
    app = Application()

    async def slow(request: Request) -> Response:
        started.set()
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("finished")
        return Response(text="done")

    app.router.add_get("/slow", slow)
    return app


async def test_in_flight_request_finishes_within_shutdown_timeout() -> None:
    started = asyncio.Event()
    outcome: list[str] = []
    runner = AppRunner(slow_app(0.3, started, outcome), shutdown_timeout=5.0)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    async with httpx.AsyncClient(timeout=5.0) as client:
        responses = [asyncio.create_task(client.get(f"{site.name}/slow")) for _ in range(3)]
        await asyncio.wait_for(started.wait(), 5.0)
        await asyncio.sleep(0.05)  # let all three reach the handler
        t0 = time.monotonic()
        await runner.cleanup()
        elapsed = time.monotonic() - t0
        results = await asyncio.gather(*responses)
    assert [r.text for r in results] == ["done"] * 3
    assert outcome == ["finished"] * 3
    assert elapsed < 2.0


async def test_request_over_shutdown_timeout_is_cancelled() -> None:
    started = asyncio.Event()
    outcome: list[str] = []
    runner = AppRunner(slow_app(30.0, started, outcome), shutdown_timeout=0.3)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    async with httpx.AsyncClient(timeout=5.0) as client:
        pending = asyncio.create_task(client.get(f"{site.name}/slow"))
        await asyncio.wait_for(started.wait(), 5.0)
        t0 = time.monotonic()
        await runner.cleanup()
        elapsed = time.monotonic() - t0
        with pytest.raises(httpx.HTTPError):
            await pending
    assert outcome == ["cancelled"]
    assert 0.25 <= elapsed < 3.0


async def test_no_new_connections_once_cleanup_started() -> None:
    started = asyncio.Event()
    outcome: list[str] = []
    runner = AppRunner(slow_app(0.3, started, outcome), shutdown_timeout=5.0)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site.port
    async with httpx.AsyncClient(timeout=5.0) as client:
        pending = asyncio.create_task(client.get(f"{site.name}/slow"))
        await asyncio.wait_for(started.wait(), 5.0)
        cleanup = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.05)
        with pytest.raises(OSError):
            await connect_and_close(port)
        await cleanup
        assert (await pending).text == "done"


def hello_app() -> Application:
    app = Application()

    async def hello(request: Request) -> Response:
        return Response(text="answered")

    app.router.add_get("/", hello)
    return app


def read_to_end(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def assert_answered(received: bytes) -> None:
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n"), received
    assert body == b"answered"


async def answered_after_stop(kind: str, ticks: int, tmp_path: Path) -> bytes:
    """Connect and send before the server's loop runs, stop the runner ``ticks`` later."""
    runner = AppRunner(hello_app(), shutdown_timeout=5.0)
    await runner.setup()
    address: str | tuple[str, int]
    if kind == "tcp":
        tcp = TCPSite(runner, "127.0.0.1", 0)
        await tcp.start()
        address, family = ("127.0.0.1", tcp.port), socket.AF_INET
    else:
        address, family = str(tmp_path / "s.sock"), socket.AF_UNIX
        await UnixSite(runner, address).start()
    # A blocking client: the kernel completes the connection and buffers the request
    # without the server's loop running, so the count of ticks is exact.
    with socket.socket(family, socket.SOCK_STREAM) as client:
        client.settimeout(5.0)
        client.connect(address)
        client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        for _ in range(ticks):
            await asyncio.sleep(0)
        await runner.cleanup()
        # The server is gone: whatever it sent is in the client's receive buffer.
        return read_to_end(client)


@pytest.mark.parametrize("ticks", range(6))
@pytest.mark.parametrize("kind", ["tcp", "unix"])
async def test_connection_completed_as_the_site_stops_is_answered(
    kind: str, ticks: int, tmp_path: Path
) -> None:
    """A connection the kernel completed just before the runner stops gets its answer.

    Each count of ticks lands in one window that used to lose the client: 0, still
    in the accept queue (reset when the listener closed); 1, accepted but its
    transport not made yet (asyncio drops it if the server closes then, CPython
    gh-109564); 2, its ``connection_made`` not run yet (the graceful shutdown did not
    know it); later, its request already started.
    """
    assert_answered(await answered_after_stop(kind, ticks, tmp_path))


def test_connection_completed_as_the_site_stops_is_answered_on_uvloop(tmp_path: Path) -> None:
    """The same on uvloop, which accepts differently (only the queued case is at risk)."""
    uvloop = pytest.importorskip("uvloop", reason="the optional uvloop extra is not installed")
    for ticks in range(4):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            assert_answered(runner.run(answered_after_stop("tcp", ticks, tmp_path)))


async def test_tls_connection_queued_as_the_site_stops_is_answered(
    tls_contexts: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    """A TLS client still in the accept queue when the runner stops: handshake, answer."""
    server_ctx, client_ctx = tls_contexts
    runner = AppRunner(hello_app(), shutdown_timeout=5.0)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    connected = threading.Event()

    def client() -> bytes:
        # The handshake needs the server's loop: only the TCP connection is made
        # before the runner stops, then the rest happens in this thread.
        with socket.create_connection(("127.0.0.1", site.port), timeout=5.0) as raw:
            connected.set()
            with client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                return read_to_end(tls)

    answer = asyncio.get_running_loop().run_in_executor(None, client)  # starts now
    # Blocks the loop on purpose: the connection stays queued, never accepted by it.
    assert connected.wait(5.0)
    await runner.cleanup()
    assert_answered(await asyncio.wait_for(answer, 5.0))


def tagging_application_class() -> type[Application]:
    """An Application subclass overriding the request factory, as some extensions do."""
    with pytest.warns(DeprecationWarning, match="Inheritance"):  # as aiohttp warns

        class TaggingApplication(Application):
            def _make_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                request = super()._make_request(*args, **kwargs)
                request["tagged"] = True
                return request

    return TaggingApplication


@pytest.mark.parametrize("override", [False, True])
async def test_runner_request_factory_honours_override_and_client_max_size(
    override: bool,
) -> None:
    app_class = tagging_application_class() if override else Application
    app = app_class(client_max_size=10)

    async def echo(request: Request) -> Response:
        body = await request.read()
        return Response(text=f"{request.get('tagged', False)} {len(body)}")

    app.router.add_post("/", echo)
    runner = AppRunner(app)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{site.port}/"
        async with httpx.AsyncClient() as client:
            small = await client.post(url, content=b"x" * 10)
            large = await client.post(url, content=b"x" * 11)
    finally:
        await runner.cleanup()
    assert (small.status_code, small.text) == (200, f"{override} 10")
    assert large.status_code == 413
