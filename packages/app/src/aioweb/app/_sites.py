"""Sites: the listening endpoints (TCP, Unix socket, pre-made socket, Windows pipe) of a runner."""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from yarl import URL

from ._listener import close_listener

if TYPE_CHECKING:
    from ._runners import BaseRunner

__all__ = ["BaseSite", "NamedPipeSite", "SockSite", "TCPSite", "UnixSite"]

#: The runner's default ``shutdown_timeout``; a site given another value passes it on.
_DEFAULT_SHUTDOWN_TIMEOUT = 60.0


class BaseSite(ABC):
    """One listening endpoint of a runner; :meth:`start` after the runner's ``setup()``.

    ``shutdown_timeout`` is deprecated here (as in aiohttp 3.14): it belongs to the
    runner. A value other than 60.0 warns :class:`DeprecationWarning` and becomes the
    runner's ``shutdown_timeout``; 60.0 changes nothing.
    """

    __slots__ = ("_backlog", "_runner", "_server", "_ssl_context")

    def __init__(
        self,
        runner: BaseRunner[Any],
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        if shutdown_timeout != _DEFAULT_SHUTDOWN_TIMEOUT:
            # stacklevel 3: the line that built the site, through the subclass's __init__.
            warnings.warn(
                "shutdown_timeout should be set on BaseRunner", DeprecationWarning, stacklevel=3
            )
            runner._shutdown_timeout = shutdown_timeout
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: asyncio.AbstractServer | None = None

    @property
    @abstractmethod
    def name(self) -> str:
        """A human-readable address, e.g. ``http://127.0.0.1:8080``."""

    @abstractmethod
    async def start(self) -> None:
        """Start listening and register with the runner."""
        self._runner._reg_site(self)

    async def stop(self) -> None:
        """Stop accepting connections (open ones are the runner's to close).

        Connections the kernel had completed by then, accepted by the loop or still
        queued, become connections of the server like any other: none is reset.
        """
        self._runner._check_site(self)
        if self._server is not None:
            # No wait_closed(): it would wait for the connections, which the runner
            # closes gracefully afterwards.
            await close_listener(
                self._server,
                self._web_server(),
                ssl_context=self._ssl_context,
                backlog=self._backlog,
            )
        self._runner._unreg_site(self)

    def _web_server(self) -> Any:
        server = self._runner.server
        if server is None:
            raise RuntimeError("Call runner.setup() before site.start()")
        return server

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class TCPSite(BaseSite):
    """Listen on ``host:port`` (all interfaces when *host* is None; 8080 or 8443 by default)."""

    __slots__ = ("_bound_port", "_host", "_port", "_reuse_address", "_reuse_port")

    def __init__(
        self,
        runner: BaseRunner[Any],
        host: str | None = None,
        port: int | None = None,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._host = host
        if port is None:
            port = 8443 if ssl_context is not None else 8080
        self._port = port
        self._bound_port: int | None = None
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def port(self) -> int:
        """The bound port once started (the real one when 0 was asked), else the asked one."""
        return self._bound_port if self._bound_port is not None else self._port

    @property
    def name(self) -> str:
        """``http(s)://host:port`` with the real port (IPv6 hosts bracketed)."""
        scheme = "https" if self._ssl_context is not None else "http"
        host = "0.0.0.0" if not self._host else self._host
        return str(URL.build(scheme=scheme, host=host, port=self.port))

    async def start(self) -> None:
        """Bind and listen."""
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._web_server(),
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        if self._server.sockets:
            self._bound_port = int(self._server.sockets[0].getsockname()[1])


class UnixSite(BaseSite):
    """Listen on a Unix domain socket at *path*."""

    __slots__ = ("_path",)

    def __init__(
        self,
        runner: BaseRunner[Any],
        path: str,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._path = str(path)

    @property
    def name(self) -> str:
        """``http://unix:PATH:`` (``https`` with TLS)."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://unix:{self._path}:"

    async def start(self) -> None:
        """Bind the socket file and listen."""
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(
            self._web_server(), self._path, ssl=self._ssl_context, backlog=self._backlog
        )


class NamedPipeSite(BaseSite):
    """Listen on a Windows named pipe (needs the Proactor event loop; Windows only)."""

    __slots__ = ("_path", "_pipe_servers")

    def __init__(
        self,
        runner: BaseRunner[Any],
        path: str,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
    ) -> None:
        loop = asyncio.get_running_loop()
        # Only the Proactor loop (Windows) serves pipes; checked at runtime on purpose.
        if getattr(loop, "start_serving_pipe", None) is None:
            raise RuntimeError(
                f"Named Pipes are only available with the Proactor event loop on Windows "
                f"(this platform is {sys.platform!r})"
            )
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self._path = path
        self._pipe_servers: list[Any] = []

    @property
    def name(self) -> str:
        """The pipe path."""
        return self._path

    async def start(self) -> None:
        """Start serving the pipe."""
        await super().start()
        loop: Any = asyncio.get_running_loop()
        self._pipe_servers = list(await loop.start_serving_pipe(self._web_server(), self._path))

    async def stop(self) -> None:
        """Close the pipe servers."""
        self._runner._check_site(self)
        for server in self._pipe_servers:
            server.close()
        self._runner._unreg_site(self)


class SockSite(BaseSite):
    """Listen on an already bound *sock* (``socket.socket``), e.g. inherited from a supervisor."""

    __slots__ = ("_name", "_sock")

    def __init__(
        self,
        runner: BaseRunner[Any],
        sock: socket.socket,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._sock = sock
        scheme = "https" if ssl_context is not None else "http"
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            self._name = f"{scheme}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]
            self._name = str(URL.build(scheme=scheme, host=host, port=port))

    @property
    def name(self) -> str:
        """The socket's address as a URL."""
        return self._name

    async def start(self) -> None:
        """Listen on the socket."""
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._web_server(), sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )
