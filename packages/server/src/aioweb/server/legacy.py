"""Legacy low-level HTTP server: the pre-1.0 ``aiohttp.server`` API, kept for old code.

Before ``aiohttp.web`` existed, servers subclassed ``aiohttp.server.ServerHttpProtocol``
and answered each request from ``handle_request(message, payload)`` by driving an
``aiohttp.Response`` by hand (``add_header``, ``send_headers``, ``write``,
``write_eof``). This module keeps that API working over aioweb's own machinery: the
strict :class:`aioweb.http.parser.RequestParser`, the serialiser
(:func:`~aioweb.http.serializer.build_head`, :class:`~aioweb.http.serializer.ChunkedEncoder`)
and content decoders. New code should use :class:`aioweb.server.Server` with a
``async (BaseRequest) -> StreamResponse`` handler instead; see docs/legacy.md.

Differences from the historical module, all on the side of safety: parsing is strict
(bad input gets 400/414/431 and a close), a request head must arrive within
``timeout`` seconds, pipelined requests and unread bodies are bounded, compressed
bodies are decoded only as they are read and capped by ``max_decompressed_size``, and
a response can never carry more body than its ``Content-Length``.

The request side (``RawRequestMessage``, ``PayloadStream``, ``MultiDict``) lives in
``_legacy_payload``, the response side (``StreamWriter``, ``Response``) in
``_legacy_response``; this module holds the connection and re-exports them all.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import traceback
from collections.abc import Iterable
from html import escape
from typing import Final, cast

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead

# HttpVersion and HttpVersion10 are not used here; old code wrote ``aiohttp.HttpVersion10``
# and reads them from this module (docs/legacy.md's rewrite rule), as it always could.
from aioweb.http._version import HttpVersion as HttpVersion
from aioweb.http._version import HttpVersion10 as HttpVersion10
from aioweb.http._version import HttpVersion11
from aioweb.http.dates import http_date
from aioweb.http.decoders import SUPPORTED_DECODINGS, ContentDecoder
from aioweb.http.errors import PayloadTooLarge
from aioweb.http.parser import RequestParser
from aioweb.http.serializer import build_head, reason_phrase

from ._legacy_payload import MultiDict, PayloadOwner, PayloadStream, RawRequestMessage
from ._legacy_response import Response, ResponseOwner, StreamWriter
from ._legacy_response import _Drain as _Drain  # importable from here, as before the split
from ._request_head import raw_message

__all__ = [
    "MultiDict",
    "PayloadStream",
    "RawRequestMessage",
    "Response",
    "ServerHttpProtocol",
    "StreamWriter",
]

server_logger = logging.getLogger("aioweb.server.legacy")

_PAYLOAD_HIGH_WATER: Final = 2**17
_MAX_PIPELINED: Final = 16
_MAX_DISCARD: Final = 2**20


class ServerHttpProtocol(asyncio.Protocol):
    """Base class of a legacy server: override :meth:`handle_request`.

    Pass a factory (``lambda: MyProtocol(keep_alive=75)``) to ``loop.create_server``.
    ``keep_alive`` is the idle time in seconds before a kept-alive connection closes,
    ``timeout`` the time a request head may take to arrive, ``debug`` puts tracebacks
    in 500 pages. The connection is kept alive after a finished response that allows
    it (see :meth:`keep_alive` to decide explicitly).
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        keep_alive: float | None = 75,
        keep_alive_on: bool = True,
        timeout: float = 15,
        debug: bool = False,
        logger: logging.Logger = server_logger,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_decompressed_size: int = 2**26,
        auto_decompress: bool = True,
    ) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._keepalive_timeout = keep_alive if keep_alive_on else None
        self._head_timeout = timeout
        self.debug = debug
        self.logger = logger
        self._max_decompressed = max_decompressed_size
        self._auto_decompress = auto_decompress
        self._parser = RequestParser(
            max_line_size=max_line_size, max_field_size=max_field_size, max_headers=max_headers
        )
        self.transport: asyncio.Transport | None = None
        self.writer: StreamWriter
        self._queue: collections.deque[
            tuple[RawRequestMessage, PayloadStream] | HttpProcessingError
        ] = collections.deque()
        self._feeding: PayloadStream | None = None
        self._queue_waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._paused_reading = False
        self._writable: asyncio.Future[None] | None = None
        self._closing = False
        self._keepalive: bool | None = None
        self._response: Response | None = None
        self._head_request = False

    # -- asyncio.Protocol --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: narrow by cast.
        self.transport = transport = cast(asyncio.Transport, transport)
        self.writer = StreamWriter(self, transport)
        self._arm(self._head_timeout)
        self._task = self._loop.create_task(self._run())

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            events = self._parser.feed(data)
        except HttpProcessingError as exc:
            self._queue.append(exc)
            if self._feeding is not None:
                self._feeding.set_exception(ConnectionResetError("bad request body"))
            self._pause_reading()
            self._wake_queue()
            return
        for event in events:
            if isinstance(event, RequestHead):
                self._queue.append(self._message(event))
                self._wake_queue()
            elif isinstance(event, EndOfMessage):
                if self._feeding is not None:
                    self._feeding.feed_eof()
                    self._feeding = None
            elif isinstance(event, bytes) and self._feeding is not None:
                self._feeding.feed_data(event)
        self._flow()

    def eof_received(self) -> bool:
        if self._feeding is not None:
            self._feeding.set_exception(ConnectionResetError("the peer closed mid-body"))
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        self._closing = True
        self._cancel_timer()
        if self._feeding is not None:
            self._feeding.set_exception(ConnectionResetError("connection lost"))
        self._wake_queue()
        waiter = self._writable
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("connection lost"))
        # As the old module did: a handler whose client went away is cancelled.
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = self._loop.create_future()

    def resume_writing(self) -> None:
        waiter, self._writable = self._writable, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the API of the old class --

    async def handle_request(self, message: RawRequestMessage, payload: PayloadStream) -> None:
        """Answer one request; the default answers 404."""
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        response = Response(self.writer, 404, http_version=message.version)
        response.add_headers(("Content-Type", "text/html"), ("Content-Length", str(len(body))))
        response.send_headers()
        response.write(body)
        await response.write_eof()

    def keep_alive(self, val: bool) -> None:
        """Force (True) or refuse (False) keep-alive after the current request."""
        self._keepalive = val

    def closing(self) -> None:
        """Close the connection once the current request is answered."""
        self._closing = True
        if self._response is None and self.transport is not None:
            self.transport.close()

    def handle_error(
        self,
        status: int = 500,
        message: RawRequestMessage | None = None,
        payload: PayloadStream | None = None,
        exc: BaseException | None = None,
        headers: Iterable[tuple[str, str]] | None = None,
        reason: str | None = None,
    ) -> None:
        """Send an error page (if nothing was sent yet) and close the connection."""
        if status >= 500:
            self.logger.error("Error handling request", exc_info=exc)
        if self.transport is None or self.transport.is_closing():
            return
        if self._response is not None and self._response.headers_sent:
            self.transport.close()
            return
        reason = reason if reason is not None else reason_phrase(status)
        text = f"{status} {reason}"
        detail = ""
        if status == 500:
            detail = "Server got itself in trouble"
            if self.debug and exc is not None:
                detail = "".join(traceback.format_exception(exc))
        body = (
            f"<html><head><title>{text}</title></head>"
            f"<body><h1>{text}</h1>{escape(detail)}</body></html>"
        )
        data = body.encode("utf-8")
        fields = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Date", http_date()),
            ("Connection", "close"),
            *(headers or ()),
        ]
        version = message.version if message is not None else HttpVersion11
        try:
            head = build_head(status, reason, fields, version)
        except ValueError:
            head = build_head(status, None, fields[:4], version)
        self.transport.write(head + (b"" if self._head_request else data))
        self.transport.close()

    # -- internals --

    def _message(self, head: RequestHead) -> tuple[RawRequestMessage, PayloadStream]:
        decoder = None
        if self._auto_decompress and head.compression in SUPPORTED_DECODINGS:
            decoder = ContentDecoder(head.compression, max_size=self._max_decompressed)
        payload = PayloadStream(self, decoder)
        if head.has_body:
            self._feeding = payload
        else:
            payload.feed_eof()
        return raw_message(head, head.headers), payload

    def _arm(self, delay: float | None) -> None:
        self._cancel_timer()
        if delay is not None and delay > 0:
            self._timer = self._loop.call_later(delay, self._timed_out)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if self._response is None and self.transport is not None:
            self.transport.close()

    def _wake_queue(self) -> None:
        waiter = self._queue_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _pause_reading(self) -> None:
        if not self._paused_reading and self.transport is not None:
            self._paused_reading = True
            self.transport.pause_reading()

    def _flow(self) -> None:
        """Stop reading while too much waits (queued requests or an unread body)."""
        backlog = len(self._queue) >= _MAX_PIPELINED or (
            self._feeding is not None and self._feeding.buffered > _PAYLOAD_HIGH_WATER
        )
        if backlog:
            self._pause_reading()
        elif self._paused_reading and self.transport is not None and not self._closing:
            self._paused_reading = False
            self.transport.resume_reading()

    def _payload_consumed(self) -> None:
        if self._paused_reading:
            self._flow()

    def _payload_failed(self, exc: HttpProcessingError) -> None:
        self._keepalive = False

    def _response_started(self, response: Response) -> None:
        self._response = response
        self._cancel_timer()

    def _take_response(self) -> Response | None:
        response, self._response = self._response, None
        return response

    async def _wait_writable(self) -> None:
        if self.transport is not None and self.transport.is_closing():
            raise ConnectionResetError("connection lost")
        if self._writable is not None:
            await asyncio.shield(self._writable)

    async def _next(self) -> tuple[RawRequestMessage, PayloadStream] | HttpProcessingError | None:
        while not self._queue:
            if self._closing:
                return None
            self._queue_waiter = self._loop.create_future()
            try:
                await self._queue_waiter
            finally:
                self._queue_waiter = None
        item = self._queue.popleft()
        self._flow()
        return item

    async def _run(self) -> None:
        transport = self.transport
        assert transport is not None
        try:
            while not self._closing:
                item = await self._next()
                if item is None:
                    break
                if isinstance(item, HttpProcessingError):
                    self.handle_error(item.status or 400, reason=None, exc=item)
                    break
                if not await self._serve(*item):
                    break
                self._arm(self._keepalive_timeout)
        except asyncio.CancelledError:
            pass
        finally:
            self._cancel_timer()
            transport.close()

    async def _serve(self, message: RawRequestMessage, payload: PayloadStream) -> bool:
        """Run the handler for one request; return whether to keep the connection."""
        self._cancel_timer()
        self._keepalive = None
        self._response = None
        self._head_request = message.method == "HEAD"
        try:
            await self.handle_request(message, payload)
        except asyncio.CancelledError:
            raise
        except PayloadTooLarge as exc:
            self.handle_error(413, message, payload, exc)
            return False
        except HttpProcessingError as exc:
            self.handle_error(exc.status or 400, message, payload, exc)
            return False
        except Exception as exc:
            self.handle_error(500, message, payload, exc)
            return False
        response = self._take_response()
        if response is None or not response.finished or self._closing:
            return False
        keep = response.keep_alive() if self._keepalive is None else self._keepalive
        if not keep or message.should_close:
            return False
        return await self._discard_rest(payload)

    async def _discard_rest(self, payload: PayloadStream) -> bool:
        """Skip an unread body (without decoding it) so the next request can be parsed."""
        dropped = payload._discard()
        while not payload._eof:
            if payload._exc is not None or dropped > _MAX_DISCARD:
                return False
            if self._paused_reading:
                self._flow()
            payload._waiter = self._loop.create_future()
            try:
                await asyncio.wait_for(payload._waiter, 5.0)
            except TimeoutError:
                return False
            finally:
                payload._waiter = None
            dropped += payload._discard()
        return payload._exc is None


def _check(protocol: ServerHttpProtocol) -> tuple[PayloadOwner, ResponseOwner]:
    # mypy proves here that the protocol still gives the body stream and the response
    # what they call on it.
    return protocol, protocol
