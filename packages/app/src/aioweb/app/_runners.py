"""Runners: own a low-level :class:`~aioweb.server.Server` and the sites that expose it.

A runner's life is ``setup()`` (app start-up, server built), any number of sites
started, then ``cleanup()``: the graceful shutdown sequence of docs/running.md.
"""

from __future__ import annotations

import asyncio
import signal
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aioweb.server import Server

from ._app import Application

if TYPE_CHECKING:
    from ._sites import BaseSite

__all__ = ["AppRunner", "BaseRunner", "GracefulExit", "ServerRunner"]

_T = TypeVar("_T", Server, Application)


class GracefulExit(SystemExit):
    """Raised by the SIGINT/SIGTERM handlers of a runner to start a graceful exit."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseRunner(ABC, Generic[_T]):
    """Set up a server, keep track of its sites, shut everything down gracefully."""

    def __init__(
        self,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        self._handle_signals = handle_signals
        self._kwargs = kwargs
        self._server: Server | None = None
        self._sites: list[BaseSite] = []
        self._shutdown_timeout = shutdown_timeout

    @property
    def server(self) -> Server | None:
        """The low-level server, ``None`` before :meth:`setup` and after :meth:`cleanup`."""
        return self._server

    @property
    def shutdown_timeout(self) -> float:
        """Seconds that requests in flight get to finish during :meth:`cleanup`."""
        return self._shutdown_timeout

    @property
    def addresses(self) -> list[Any]:
        """The socket addresses every started site listens on (``getsockname()`` values)."""
        found: list[Any] = []
        for site in self._sites:
            listener = site._server
            if listener is not None:
                for sock in getattr(listener, "sockets", None) or ():
                    found.append(sock.getsockname())
        return found

    @property
    def sites(self) -> set[BaseSite]:
        """The started sites."""
        return set(self._sites)

    async def setup(self) -> None:
        """Install the signal handlers (if asked) and build the server."""
        loop = asyncio.get_running_loop()
        if self._handle_signals:
            try:
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
            except NotImplementedError:  # pragma: no cover - Windows
                pass
        self._server = await self._make_server()

    @abstractmethod
    async def shutdown(self) -> None:
        """Called after the sites stopped and before requests in flight are awaited."""

    async def cleanup(self) -> None:
        """Shut down gracefully and release everything.

        Order: every site stops accepting; idle connections close; ``shutdown()``
        (``on_shutdown``); requests in flight get ``shutdown_timeout`` seconds, the
        rest are cancelled and their connections closed; ``_cleanup_server()``
        (``on_cleanup`` and ``cleanup_ctx`` exits for an application).
        """
        # One site at a time: a failing stop leaves exactly that site registered.
        for site in list(self._sites):
            await site.stop()
        if self._server is not None:
            # Let requests that arrived before the listeners closed start being handled.
            await asyncio.sleep(0)
            self._server.pre_shutdown()
            await self.shutdown()
            await self._server.shutdown(self._shutdown_timeout)
        try:
            await self._cleanup_server()
        finally:
            self._server = None
            if self._handle_signals:
                loop = asyncio.get_running_loop()
                try:
                    loop.remove_signal_handler(signal.SIGINT)
                    loop.remove_signal_handler(signal.SIGTERM)
                except NotImplementedError:  # pragma: no cover - Windows
                    pass

    @abstractmethod
    async def _make_server(self) -> Server: ...

    @abstractmethod
    async def _cleanup_server(self) -> None: ...

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(f"Site {site} is already registered in runner {self}")
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")

    def _unreg_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")
        self._sites.remove(site)


class ServerRunner(BaseRunner[Server]):
    """Run an already built low-level :class:`~aioweb.server.Server`."""

    def __init__(self, web_server: Server, *, handle_signals: bool = False, **kwargs: Any) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        """Nothing to notify: a bare server has no ``on_shutdown``."""

    async def _make_server(self) -> Server:
        return self._web_server

    async def _cleanup_server(self) -> None:
        return None


class AppRunner(BaseRunner[Application]):
    """Run an :class:`Application`: start-up signals, the server, then graceful clean-up.

    Keyword arguments other than ``handle_signals`` and ``shutdown_timeout`` go to
    :class:`aioweb.server.Server` (``keepalive_timeout``, ``access_log``,
    ``access_log_class``, ``access_log_format``, ``handler_cancellation``, limits...),
    over the application's ``handler_args``.
    """

    def __init__(
        self,
        app: Application,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        if not isinstance(app, Application):
            raise TypeError(f"The first argument should be web.Application instance, got {app!r}")
        super().__init__(handle_signals=handle_signals, shutdown_timeout=shutdown_timeout, **kwargs)
        self._app = app

    @property
    def app(self) -> Application:
        """The application being run."""
        return self._app

    async def shutdown(self) -> None:
        """Send the application's ``on_shutdown``."""
        await self._app.shutdown()

    async def _make_server(self) -> Server:
        loop = asyncio.get_running_loop()
        self._app._set_loop(loop)
        self._app.on_startup.freeze()
        await self._app.startup()
        self._app.freeze()
        settings: dict[str, Any] = dict(self._app._handler_args or {})
        settings.update(self._kwargs)
        settings.setdefault("debug", self._app._debug)
        return Server(
            self._app._frozen_handler(), request_factory=self._app._request_factory(), **settings
        )

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
