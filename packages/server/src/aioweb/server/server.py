"""The low-level server: a protocol factory for :meth:`asyncio.loop.create_server`."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final

from aioweb.http import HttpVersion10
from aioweb.http.message import RequestHead

from ._errors import response_for_page
from .accesslog import AccessLogger, AccessLoggerClass, access_logger, make_access_logger
from .protocol import RequestHandler, server_logger
from .request import BaseRequest
from .streams import EMPTY_PAYLOAD
from .writer import StreamWriter

if TYPE_CHECKING:
    from ._contracts import Handler, RequestFactory
    from .accesslog import _ServerAccessLog

__all__ = ["Server"]

DEFAULT_KEEPALIVE_TIMEOUT: Final = 75.0
DEFAULT_REQUEST_HEAD_TIMEOUT: Final = 30.0
DEFAULT_LINGERING_TIME: Final = 10.0
DEFAULT_READ_BUFSIZE: Final = 2**18  # 256 KiB, as aiohttp 3.14
DEFAULT_MAX_PIPELINED: Final = 32
DEFAULT_MAX_DISCARD_SIZE: Final = 1024 * 1024


#: The class itself: one call per request instead of a wrapper and a call.
_default_request_factory: Final[RequestFactory] = BaseRequest


class Server:
    """Serve ``handler`` (``async (BaseRequest) -> StreamResponse``) on every connection.

    Pass an instance to ``loop.create_server``. Keyword arguments, with their
    defaults: ``keepalive_timeout=75.0`` (idle keep-alive connections close after
    it), ``request_head_timeout=30.0`` (a request head must arrive within it, counted
    from its first byte, or from the connection's start), ``tcp_keepalive=True``,
    ``max_line_size=8190``, ``max_field_size=8190``, ``max_headers=128``,
    ``max_pipelined=32`` (parsed requests queued per connection),
    ``max_discard_size=1 MiB`` (unread body bytes dropped before the next request;
    more closes the connection), ``read_bufsize=262144`` (body buffer high-water mark
    is twice this), ``lingering_time=10.0``, ``auto_decompress=True``,
    ``access_log`` (a :class:`logging.Logger`, None to disable),
    ``access_log_class`` (a subclass of :class:`~aioweb.server.AbstractAccessLogger`,
    or any class with ``log(request, response, time)``, e.g. one written against
    ``aiohttp.abc.AbstractAccessLogger``), ``access_log_format``, ``debug=False``
    (tracebacks in 500 pages) and ``logger`` (ignored: errors go to the
    ``aioweb.server`` logger).
    """

    def __init__(
        self,
        handler: Handler,
        *,
        request_factory: RequestFactory | None = None,
        handler_cancellation: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT,
        request_head_timeout: float = DEFAULT_REQUEST_HEAD_TIMEOUT,
        tcp_keepalive: bool = True,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_pipelined: int = DEFAULT_MAX_PIPELINED,
        max_discard_size: int = DEFAULT_MAX_DISCARD_SIZE,
        lingering_time: float = DEFAULT_LINGERING_TIME,
        read_bufsize: int = DEFAULT_READ_BUFSIZE,
        auto_decompress: bool = True,
        access_log: logging.Logger | None = access_logger,
        access_log_class: AccessLoggerClass = AccessLogger,
        access_log_format: str = AccessLogger.LOG_FORMAT,
        debug: bool = False,
        logger: logging.Logger | None = None,
        timeout_ceil_threshold: float | None = None,
    ) -> None:
        if max_pipelined < 1:
            raise ValueError("max_pipelined must be at least 1")
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._connections: dict[RequestHandler, None] = {}
        self._handler = handler
        self._request_factory: RequestFactory = request_factory or _default_request_factory
        self.handler_cancellation = handler_cancellation
        self.keepalive_timeout = float(keepalive_timeout)
        self.request_head_timeout = float(request_head_timeout)
        self.tcp_keepalive = tcp_keepalive
        self.max_pipelined = max_pipelined
        self.max_discard_size = max_discard_size
        self.lingering_time = float(lingering_time)
        self.read_bufsize = read_bufsize
        self.auto_decompress = auto_decompress
        self.debug = debug
        self._parser_kwargs: dict[str, Any] = {
            "max_line_size": max_line_size,
            "max_field_size": max_field_size,
            "max_headers": max_headers,
        }
        if access_log is not None:
            self._access_logger: _ServerAccessLog | None = make_access_logger(
                access_log_class, access_log, access_log_format
            )
        else:
            self._access_logger = None
        self._shutting_down = False
        #: Requests served since the server was created.
        self.requests_count = 0

    @property
    def handler(self) -> Handler:
        """The request handler."""
        return self._handler

    @property
    def request_factory(self) -> RequestFactory:
        """The callable building each request object."""
        return self._request_factory

    @property
    def connections(self) -> list[RequestHandler]:
        """The open connections."""
        return list(self._connections)

    def _connection_made(self, conn: RequestHandler) -> None:
        self._connections[conn] = None
        if self._shutting_down:
            conn.close()  # accepted from the backlog while stopping: one request, then close

    def _connection_lost(self, conn: RequestHandler) -> None:
        self._connections.pop(conn, None)

    def _log_rejected(self, conn: RequestHandler, page: bytes) -> None:
        """Access-log ``page``, the error answer to a request the parser refused.

        Such a request never reaches the handler, but it gets its access log line, as
        in aiohttp: for a placeholder request (``UNKNOWN / HTTP/1.0``, no headers, made
        by the request factory; ``request.task`` is None) and the response ``page``
        stands for (:func:`~aioweb.server._errors.response_for_page`), in 0 seconds.
        """
        access = self._access_logger
        if access is None or not access.enabled:
            return
        try:
            head = RequestHead.build("UNKNOWN", "/", version=HttpVersion10)
            task: Any = conn._task
            request = self._request_factory(head, EMPTY_PAYLOAD, conn, StreamWriter(conn), task)
            access.log(request, response_for_page(page), 0.0)
        except Exception:
            server_logger.exception("Error in access logger")

    def __call__(self) -> RequestHandler:
        """Make the protocol object for a new connection."""
        return RequestHandler(self, self._loop)

    def pre_shutdown(self) -> None:
        """Stop taking new requests: idle connections close, busy ones after their response."""
        self._shutting_down = True
        for conn in list(self._connections):
            conn.close()

    async def shutdown(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Close every connection, letting requests in flight finish within ``timeout``.

        Requests still running after ``timeout`` seconds are cancelled. Closing the
        listening socket is the caller's job (``server.close()`` of asyncio).
        """
        self._shutting_down = True
        conns = list(self._connections)
        if conns:
            await asyncio.gather(*(conn.shutdown(timeout) for conn in conns))
        self._connections.clear()
