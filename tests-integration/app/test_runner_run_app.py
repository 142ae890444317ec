"""run_app in-process (no signal handlers): startup message, coroutine apps, clean stop, errors."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from aioweb.app import Application, GracefulExit, Request, run_app
from aioweb.server import Response


def test_graceful_exit_is_system_exit_with_code_1() -> None:
    exc = GracefulExit()
    assert isinstance(exc, SystemExit)
    assert exc.code == 1


def stopping_app(events: list[str]) -> Application:
    """An app recording its start-up and clean-up in *events*."""
    app = Application()

    async def root(request: Request) -> Response:
        return Response(text="ok")

    app.router.add_get("/", root)

    async def on_startup(app: Application) -> None:
        events.append("startup")

    async def on_cleanup(app: Application) -> None:
        events.append("cleanup")

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def run_and_stop(
    app: object,
    stop_with: type[BaseException],
    events: list[str],
    **kwargs: object,
) -> list[str]:
    """Run *app* with run_app on 127.0.0.1:0; once the message is printed, GET / then stop."""
    printed: list[str] = []
    probes: list[asyncio.Task[None]] = []
    loop = asyncio.new_event_loop()

    async def probe(url: str) -> None:
        async with httpx.AsyncClient(timeout=5.0) as client:
            events.append((await client.get(url)).text)

        def stop() -> None:
            raise stop_with()

        loop.call_soon(stop)

    def fake_print(message: str) -> None:
        printed.append(message)
        url = message.splitlines()[0].split(" ")[3]
        probes.append(loop.create_task(probe(url)))

    run_app(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=0,
        print=fake_print,
        handle_signals=False,
        loop=loop,
        access_log=None,
        **kwargs,  # type: ignore[arg-type]
    )
    assert loop.is_closed()
    assert all(task.done() for task in probes)
    return printed


@pytest.mark.parametrize("stop_with", [GracefulExit, KeyboardInterrupt])
def test_run_app_prints_real_address_and_cleans_up(stop_with: type[BaseException]) -> None:
    events: list[str] = []
    printed = run_and_stop(stopping_app(events), stop_with, events)
    assert len(printed) == 1
    first, second = printed[0].splitlines()
    assert first.startswith("======== Running on http://127.0.0.1:")
    assert first.endswith(" ========")
    assert int(first.split(":")[-1].split(" ")[0]) > 0
    assert second == "(Press CTRL+C to quit)"
    assert events == ["startup", "ok", "cleanup"]


def test_run_app_accepts_a_coroutine_returning_the_app() -> None:
    events: list[str] = []

    async def make() -> Application:
        return stopping_app(events)

    run_and_stop(make(), GracefulExit, events)
    assert events == ["startup", "ok", "cleanup"]


def test_run_app_bind_error_propagates_after_cleanup() -> None:
    events: list[str] = []
    busy = socket.socket()
    try:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        loop = asyncio.new_event_loop()
        with pytest.raises(OSError):
            run_app(
                stopping_app(events),
                host="127.0.0.1",
                port=port,
                print=None,
                handle_signals=False,
                loop=loop,
                reuse_port=False,
            )
        assert loop.is_closed()
    finally:
        busy.close()
    assert events == ["startup", "cleanup"]
