"""AppRunner lifecycle: signal order and the graceful shutdown with requests in flight."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from aioweb.app import Application, AppRunner, Request, TCPSite
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
