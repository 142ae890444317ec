"""``run_app``: serve an application until SIGINT/SIGTERM, then shut it down gracefully."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import inspect
import logging
import os
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aioweb.server import AccessLogger
from aioweb.server.accesslog import AccessLoggerClass, access_logger

from ._app import Application
from ._runners import AppRunner, GracefulExit
from ._sites import BaseSite, SockSite, TCPSite, UnixSite

__all__ = ["GracefulExit", "run_app"]

_PrintFn = Callable[..., None]


def _startup_message(names: Iterable[str]) -> str:
    return f"======== Running on {', '.join(sorted(names))} ========\n(Press CTRL+C to quit)"


async def _serve(
    app: Application | Awaitable[Application],
    *,
    host: str | Iterable[str] | None,
    port: int | None,
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None,
    sock: socket.socket | Iterable[socket.socket] | None,
    ssl_context: ssl.SSLContext | None,
    backlog: int,
    reuse_address: bool | None,
    reuse_port: bool | None,
    print_fn: _PrintFn | None,
    runner_kwargs: dict[str, Any],
) -> None:
    # Anything else that is not an Application (a factory passed uncalled, the None
    # of a factory without `return`) gets AppRunner's TypeError naming it.
    resolved: Any = await app if inspect.isawaitable(app) else app
    runner = AppRunner(resolved, **runner_kwargs)
    await runner.setup()
    try:
        sites: list[BaseSite] = []
        tcp: dict[str, Any] = {
            "ssl_context": ssl_context,
            "backlog": backlog,
            "reuse_address": reuse_address,
            "reuse_port": reuse_port,
        }
        if host is not None:
            hosts = [host] if isinstance(host, str) else list(host)
            sites.extend(TCPSite(runner, h, port, **tcp) for h in hosts)
        elif (path is None and sock is None) or port is not None:
            sites.append(TCPSite(runner, port=port, **tcp))
        if path is not None:
            paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
            sites.extend(
                UnixSite(runner, os.fspath(p), ssl_context=ssl_context, backlog=backlog)
                for p in paths
            )
        if sock is not None:
            socks = [sock] if isinstance(sock, socket.socket) else list(sock)
            sites.extend(
                SockSite(runner, s, ssl_context=ssl_context, backlog=backlog) for s in socks
            )
        for site in sites:
            await site.start()
        if print_fn is not None:
            message = _startup_message(site.name for site in runner.sites)
            if print_fn is builtins.print:
                # Supervisors and pipes buffer stdout; the address must show at once.
                print_fn(message, flush=True)
            else:
                print_fn(message)
        await asyncio.Event().wait()  # until cancelled by run_app's shutdown
    finally:
        await runner.cleanup()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during run_app() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def run_app(
    app: Application | Awaitable[Application],
    *,
    host: str | Iterable[str] | None = None,
    port: int | None = None,
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    sock: socket.socket | Iterable[socket.socket] | None = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    ssl_context: ssl.SSLContext | None = None,
    print: _PrintFn | None = builtins.print,
    backlog: int = 128,
    access_log_class: AccessLoggerClass = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: logging.Logger | None = access_logger,
    handle_signals: bool = True,
    reuse_address: bool | None = None,
    reuse_port: bool | None = None,
    handler_cancellation: bool = False,
    loop: asyncio.AbstractEventLoop | None = None,
    **kwargs: Any,
) -> None:
    """Run *app* (or the coroutine producing it) until interrupted, then clean up.

    Listens on every *host* (a name or a list; default all interfaces, port 8080,
    or 8443 with *ssl_context*), every Unix *path* and every pre-bound *sock*,
    prints the startup message through *print* (``None``: silent), and with
    *handle_signals* turns SIGINT/SIGTERM into :class:`GracefulExit`, which starts
    the graceful shutdown (``shutdown_timeout`` seconds for requests in flight).
    The event loop (new unless *loop* is given) is closed at the end. Other keyword
    arguments go to the runner and on to :class:`aioweb.server.Server`
    (``max_line_size``, ``max_field_size``, ``lingering_time``...), as in aiohttp.
    """
    if loop is None:
        loop = asyncio.new_event_loop()
    if loop.get_debug() and access_log is access_logger:
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())
    main = loop.create_task(
        _serve(
            app,
            host=host,
            port=port,
            path=path,
            sock=sock,
            ssl_context=ssl_context,
            backlog=backlog,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
            print_fn=print,
            runner_kwargs={
                "handle_signals": handle_signals,
                "shutdown_timeout": shutdown_timeout,
                "keepalive_timeout": keepalive_timeout,
                "access_log_class": access_log_class,
                "access_log_format": access_log_format,
                "access_log": access_log,
                "handler_cancellation": handler_cancellation,
                **kwargs,
            },
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            # Cancelling the main task runs its ``finally``: the runner's graceful cleanup.
            if not main.done():
                main.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(main)
        finally:
            _cancel_all(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            asyncio.set_event_loop(None)
