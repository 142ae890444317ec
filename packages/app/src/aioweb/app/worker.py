"""gunicorn workers for aioweb applications.

    gunicorn myproject.app:app --worker-class aioweb.app.worker.GunicornWebWorker

Needs the ``gunicorn`` extra (``pip install 'aioweb-app[gunicorn]'``; ``[uvloop]``
too for :class:`GunicornUVLoopWebWorker`). gunicorn's ``module:name`` may name an
:class:`Application`, or an async function returning an ``Application`` or an
already configured :class:`AppRunner`. The worker serves gunicorn's inherited
listening sockets through :class:`SockSite`.

On SIGTERM (what the master sends on ``HUP`` reload, on a graceful stop and when it
reduces the number of workers) and on a SIGHUP that reaches the worker itself, it
stops gracefully: it stops accepting, lets connections it has just accepted
deliver their request (0.25 s at most), closes idle keep-alive connections, gives
requests in flight 95 % of gunicorn's ``graceful_timeout`` to finish, then exits.
It keeps its heartbeat going meanwhile, so that a graceful stop longer than
gunicorn's ``timeout`` is not taken for a hung worker. SIGINT and SIGQUIT stop it
the same way (gunicorn's "quick" shutdown is left to the master's own timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import signal
import ssl
import sys
from typing import Any

from gunicorn.workers import base

from aioweb.server import AccessLogger

from ._app import Application
from ._runners import AppRunner
from ._sites import SockSite

__all__ = ["GunicornUVLoopWebWorker", "GunicornWebWorker"]

# gunicorn's own default access_log_format (its "%(name)s" style, which the aioweb
# access logger does not speak); seeing it means "not configured": use aioweb's.
_GUNICORN_DEFAULT_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
_GUNICORN_STYLE = re.compile(r"%\([^)]+\)")


class GunicornWebWorker(base.Worker):  # type: ignore[misc]  # gunicorn is untyped
    """A gunicorn worker running one aioweb application on its own asyncio loop."""

    DEFAULT_AIOHTTP_LOG_FORMAT = AccessLogger.LOG_FORMAT
    DEFAULT_GUNICORN_LOG_FORMAT = _GUNICORN_DEFAULT_FORMAT

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._task: asyncio.Task[None] | None = None
        self.exit_code = 0
        self._notify_waiter: asyncio.Future[bool] | None = None

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    def init_process(self) -> None:
        """Give the forked worker a fresh event loop, then let gunicorn continue."""
        self.loop = self._new_loop()
        asyncio.set_event_loop(self.loop)
        super().init_process()

    def run(self) -> None:
        """Serve until gunicorn stops the worker, then exit with ``exit_code``.

        An error propagates to gunicorn, which logs it. Until the sites listen the
        worker counts as not booted, so a start-up failure (the factory, the runner's
        ``on_startup``, an unusable log format...) makes the master stop with "Worker
        failed to boot" instead of forking failing workers forever.
        """
        # gunicorn set booted before calling run(), but booting happens in _run().
        self.booted = False
        self._task = self.loop.create_task(self._run())
        try:
            self.loop.run_until_complete(self._task)
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self._close_loop_ignoring_stop_signals()
        sys.exit(self.exit_code)

    def _close_loop_ignoring_stop_signals(self) -> None:
        # When a stop signal reaches the whole process group (systemd's default
        # KillMode, Ctrl-C), the master relays it to the worker a moment later. Closing
        # the loop restores the default actions, and a worker that is exiting anyway
        # would die of that signal, skipping gunicorn's worker_exit hook and atexit
        # handlers. Blocked across the switch, the signals never meet the default.
        stops = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP}
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            self.loop.close()
            for stop in stops:
                signal.signal(stop, signal.SIG_IGN)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)

    async def _make_runner(self) -> AppRunner:
        target = self.wsgi
        if isinstance(target, Application):
            app = target
        elif inspect.iscoroutinefunction(target):
            made = await target()
            if isinstance(made, AppRunner):
                return made
            app = made
        else:
            raise RuntimeError(
                "the gunicorn app should be an Application or an async function returning "
                f"an Application or an AppRunner, got {target!r}"
            )
        access_log = self.log.access_log if self.cfg.accesslog else None
        return AppRunner(
            app,
            logger=self.log,
            keepalive_timeout=self.cfg.keepalive,
            access_log=access_log,
            access_log_format=self._get_valid_log_format(self.cfg.access_log_format),
            shutdown_timeout=self.cfg.graceful_timeout / 100 * 95,
        )

    async def _run(self) -> None:
        runner = await self._make_runner()
        await runner.setup()
        try:
            ctx = self._create_ssl_context(self.cfg) if self.cfg.is_ssl else None
            for sock in self.sockets:
                await SockSite(runner, sock, ssl_context=ctx).start()
        except BaseException:
            await runner.cleanup()
            raise
        server = runner.server
        assert server is not None
        self.booted = True

        pid = os.getpid()
        try:
            while self._is_alive():
                self.notify()  # gunicorn's heartbeat: the arbiter kills silent workers
                if self.max_requests and server.requests_count > self.max_requests:
                    self.alive = False
                    self.log.info("Max requests, shutting down: %s", self)
                elif pid == os.getpid() and self.ppid != os.getppid():
                    self.alive = False
                    self.log.info("Parent changed, shutting down: %s", self)
                else:
                    await self._wait_next_notify()
        except BaseException:  # noqa: S110 - any stop reason leads to the clean-up below
            pass
        heartbeat = self.loop.create_task(self._heartbeat())
        try:
            # Sites stop without dropping connections the kernel had completed, and the
            # server gives those that sent nothing yet a moment to deliver their request:
            # nothing a client sent to a live worker is lost, as with gunicorn's workers.
            await runner.cleanup()
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self) -> None:
        # While requests in flight finish: without it the arbiter kills a worker whose
        # graceful stop outlasts gunicorn's ``timeout`` as if it were hung.
        while True:
            self.notify()
            await asyncio.sleep(1.0)

    def _is_alive(self) -> bool:
        # gunicorn's flag, cleared by the signal handlers.
        return bool(self.alive)

    def _wait_next_notify(self) -> asyncio.Future[bool]:
        self._notify_waiter_done()
        waiter: asyncio.Future[bool] = self.loop.create_future()
        self._notify_waiter = waiter
        self.loop.call_later(1.0, self._notify_waiter_done, waiter)
        return waiter

    def _notify_waiter_done(self, waiter: asyncio.Future[bool] | None = None) -> None:
        if waiter is None:
            waiter = self._notify_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)
        if waiter is self._notify_waiter:
            self._notify_waiter = None

    def init_signals(self) -> None:
        """Route gunicorn's signals through the event loop (asyncio-safe)."""
        add = self.loop.add_signal_handler
        add(signal.SIGQUIT, self.handle_quit, signal.SIGQUIT, None)
        add(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        # The master's own HUP handler would otherwise stay installed in the fork.
        add(signal.SIGHUP, self.handle_exit, signal.SIGHUP, None)
        add(signal.SIGINT, self.handle_quit, signal.SIGINT, None)
        add(signal.SIGWINCH, self.handle_winch, signal.SIGWINCH, None)
        add(signal.SIGUSR1, self.handle_usr1, signal.SIGUSR1, None)
        add(signal.SIGABRT, self.handle_abort, signal.SIGABRT, None)
        # Do not let these signals interrupt system calls (gunicorn's own expectation).
        signal.siginterrupt(signal.SIGTERM, False)
        signal.siginterrupt(signal.SIGUSR1, False)
        # The arbiter's SIGCHLD handler must not run in the worker.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    def handle_exit(self, sig: int, frame: object) -> None:
        """Stop gracefully, now rather than at the next heartbeat."""
        self.alive = False
        self._notify_waiter_done()

    def handle_quit(self, sig: int, frame: object) -> None:
        """Stop serving: the loop in ``_run`` ends and the runner cleans up gracefully."""
        self.alive = False
        self.cfg.worker_int(self)
        self._notify_waiter_done()

    def handle_abort(self, sig: int, frame: object) -> None:
        """Abort at once with exit code 1."""
        self.alive = False
        self.exit_code = 1
        self.cfg.worker_abort(self)
        sys.exit(1)

    @staticmethod
    def _create_ssl_context(cfg: Any) -> ssl.SSLContext:
        """An SSL context from gunicorn's ``certfile``/``keyfile``/``ca_certs``/``ciphers``."""
        ctx = ssl.SSLContext(cfg.ssl_version)
        ctx.load_cert_chain(cfg.certfile, cfg.keyfile)
        ctx.verify_mode = cfg.cert_reqs
        if cfg.ca_certs:
            ctx.load_verify_locations(cfg.ca_certs)
        if cfg.ciphers:
            ctx.set_ciphers(cfg.ciphers)
        return ctx

    def _get_valid_log_format(self, source_format: str) -> str:
        if source_format == self.DEFAULT_GUNICORN_LOG_FORMAT:
            return self.DEFAULT_AIOHTTP_LOG_FORMAT
        if _GUNICORN_STYLE.search(source_format):
            raise ValueError(
                "gunicorn's %(name)s access log options are not supported; use aioweb's "
                "%-letter format (see aioweb.server.AccessLogger)"
            )
        return source_format


class GunicornUVLoopWebWorker(GunicornWebWorker):
    """:class:`GunicornWebWorker` on a uvloop event loop (needs the ``uvloop`` extra)."""

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        import uvloop  # optional dependency, only for this worker

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
