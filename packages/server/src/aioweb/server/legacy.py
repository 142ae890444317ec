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
"""

from __future__ import annotations

import asyncio
import collections
import logging
import traceback
from collections.abc import Generator, Iterable
from html import escape
from typing import Any, Final, NamedTuple, cast

import multidict
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead
from aioweb.http._version import HttpVersion, HttpVersion10, HttpVersion11
from aioweb.http.dates import http_date
from aioweb.http.decoders import SUPPORTED_DECODINGS, ContentDecoder
from aioweb.http.errors import PayloadTooLarge
from aioweb.http.parser import RequestParser
from aioweb.http.serializer import ChunkedEncoder, build_head, reason_phrase, status_allows_body

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


class MultiDict(multidict.MultiDict[Any]):
    """:class:`multidict.MultiDict` that also takes ``bytes`` keys, as the old one did.

    Old code builds it from ``parse_qsl(body_bytes)``; bytes keys are decoded as UTF-8
    (invalid bytes replaced), values are kept as they are.
    """

    def __init__(self, arg: Any = (), /, **kwargs: Any) -> None:
        pairs = arg.items() if hasattr(arg, "items") else arg
        super().__init__(
            [(k.decode("utf-8", "replace") if isinstance(k, bytes) else k, v) for k, v in pairs],
            **kwargs,
        )


class RawRequestMessage(NamedTuple):
    """The parsed request handed to ``handle_request`` (aiohttp's old message tuple)."""

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool
    url: URL


class PayloadStream:
    """The request body as an asynchronous byte stream (decoded if compressed).

    Raw body bytes are buffered up to a high-water mark (the connection stops reading
    beyond it); decompression happens only when the handler reads.
    """

    def __init__(self, protocol: ServerHttpProtocol, decoder: ContentDecoder | None) -> None:
        self._protocol = protocol
        self._decoder = decoder
        self._raw: collections.deque[bytes] = collections.deque()
        self._raw_size = 0
        self._ready = b""
        self._eof = False
        self._exc: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    # -- fed by the protocol --

    def feed_data(self, data: bytes) -> None:
        self._raw.append(data)
        self._raw_size += len(data)
        self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()

    def set_exception(self, exc: BaseException) -> None:
        self._exc = exc
        self._wake()

    @property
    def buffered(self) -> int:
        """Raw (undecoded) bytes waiting to be read."""
        return self._raw_size

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _discard(self) -> int:
        """Drop buffered raw bytes without decoding them; return how many."""
        size = self._raw_size
        self._raw.clear()
        self._raw_size = 0
        self._ready = b""
        return size

    # -- read by the handler --

    def at_eof(self) -> bool:
        """True once the whole body has been read."""
        return self._eof and not self._raw and not self._ready

    async def _fill(self) -> bool:
        """Make ``_ready`` non-empty; False at the end of the body."""
        while not self._ready:
            if self._raw:
                data = self._raw.popleft()
                self._raw_size -= len(data)
                self._protocol._payload_consumed()
                if self._decoder is not None:
                    try:
                        data = self._decoder.decompress(data)
                    except HttpProcessingError as exc:
                        self._protocol._payload_failed(exc)
                        raise
                self._ready = data
                continue
            if self._exc is not None:
                raise self._exc
            if self._eof:
                if self._decoder is not None:
                    decoder, self._decoder = self._decoder, None
                    self._ready = decoder.flush()
                    continue
                return False
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return True

    async def readany(self) -> bytes:
        """Whatever is available (waiting for at least one byte); b"" at the end."""
        if not await self._fill():
            return b""
        data, self._ready = self._ready, b""
        return data

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, or the whole remaining body when ``n`` is -1."""
        if n < 0:
            parts = []
            while chunk := await self.readany():
                parts.append(chunk)
            return b"".join(parts)
        if n == 0 or not await self._fill():
            return b""
        data, self._ready = self._ready[:n], self._ready[n:]
        return data

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or :class:`asyncio.IncompleteReadError`."""
        parts: list[bytes] = []
        got = 0
        while got < n:
            chunk = await self.read(n - got)
            if not chunk:
                raise asyncio.IncompleteReadError(b"".join(parts), n)
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    async def readline(self) -> bytes:
        """One line including its ``\\n`` (or the rest of the body)."""
        parts: list[bytes] = []
        while await self._fill():
            idx = self._ready.find(b"\n")
            if idx >= 0:
                parts.append(self._ready[: idx + 1])
                self._ready = self._ready[idx + 1 :]
                break
            parts.append(self._ready)
            self._ready = b""
        return b"".join(parts)

    def __aiter__(self) -> PayloadStream:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self.readany()
        if not chunk:
            raise StopAsyncIteration
        return chunk


class _Drain:
    """What ``Response.write`` returns: await it to wait for the socket (optional)."""

    __slots__ = ("_writer",)

    def __init__(self, writer: StreamWriter) -> None:
        self._writer = writer

    def __await__(self) -> Generator[Any, None, None]:
        return self._writer.drain().__await__()


class StreamWriter:
    """The protocol's ``writer``: bytes to the transport, with write flow control."""

    def __init__(self, protocol: ServerHttpProtocol, transport: asyncio.Transport) -> None:
        self._protocol = protocol
        self.transport = transport

    def write(self, data: bytes) -> None:
        if data and not self.transport.is_closing():
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait until the transport's buffer is below its high-water mark."""
        await self._protocol._wait_writable()


class Response:
    """A response written by hand: headers first, then the body, then ``write_eof``.

    ``writer`` is the protocol's :attr:`ServerHttpProtocol.writer`. Without a
    ``Content-Length`` header an HTTP/1.1 body is sent chunked and an HTTP/1.0 body
    ends by closing the connection. Bytes beyond a declared ``Content-Length`` are
    dropped: a response never frames more than it announced.
    """

    def __init__(
        self,
        writer: StreamWriter,
        status: int,
        http_version: HttpVersion = HttpVersion11,
        close: bool = False,
        reason: str | None = None,
    ) -> None:
        self.writer = writer
        self.status = status
        self.version = HttpVersion(*http_version)
        self.reason = reason if reason is not None else reason_phrase(status)
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.headers_sent = False
        self.output_length = 0
        self._closing = close
        self._chunked: ChunkedEncoder | None = None
        self._length: int | None = None
        self._body_allowed = status_allows_body(status)
        self._eof = False
        writer._protocol._response_started(self)

    def keep_alive(self) -> bool:
        """Whether the connection may be reused after this response."""
        return not self._closing and self.version >= HttpVersion11

    def force_close(self) -> None:
        """Close the connection after this response."""
        self._closing = True

    def enable_chunked_encoding(self) -> None:
        """Send the body chunked even if it could be framed otherwise."""
        self.headers["Transfer-Encoding"] = "chunked"

    def add_header(self, name: str, value: str) -> None:
        """Add one header (before :meth:`send_headers`)."""
        if self.headers_sent:
            raise RuntimeError("headers were already sent")
        self.headers.add(name, value)

    def add_headers(self, *headers: tuple[str, str]) -> None:
        """Add several ``(name, value)`` headers."""
        for name, value in headers:
            self.add_header(name, value)

    def _framing(self) -> None:
        headers = self.headers
        if self.writer._protocol._head_request or not self._body_allowed:
            return
        te = headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            if self.version < HttpVersion11:
                raise ValueError("chunked encoding needs HTTP/1.1")
            headers.popall("Content-Length", None)
            self._chunked = ChunkedEncoder()
        elif "Content-Length" in headers:
            value = headers["Content-Length"]
            if not (value.isascii() and value.isdigit()):
                raise ValueError(f"invalid Content-Length {value!r}")
            self._length = int(value)
        elif self.version >= HttpVersion11:
            headers["Transfer-Encoding"] = "chunked"
            self._chunked = ChunkedEncoder()
        else:
            self._closing = True  # the end of the body is the end of the connection

    def send_headers(self) -> None:
        """Validate and write the status line and headers."""
        if self.headers_sent:
            raise RuntimeError("headers were already sent")
        self._framing()
        headers = self.headers
        headers.setdefault("Date", http_date())
        if self.keep_alive():
            if self.version == HttpVersion10:
                headers["Connection"] = "keep-alive"
        elif self.version >= HttpVersion11:
            headers["Connection"] = "close"
        # CIMultiDict keys are multidict.istr; the serialiser takes plain str names.
        fields = [(str(name), value) for name, value in headers.items()]
        head = build_head(self.status, self.reason, fields, self.version)
        self.headers_sent = True
        self.writer.write(head)

    def write(self, chunk: bytes) -> _Drain:
        """Queue a body chunk; the result may be awaited to wait for the socket."""
        if self._eof:
            raise RuntimeError("write() after write_eof()")
        if not self.headers_sent:
            self.send_headers()
        if chunk and self._body_allowed and not self.writer._protocol._head_request:
            if self._length is not None:
                chunk = chunk[: max(self._length - self.output_length, 0)]
            self.output_length += len(chunk)
            if self._chunked is not None:
                chunk = self._chunked.encode(chunk)
            self.writer.write(chunk)
        return _Drain(self.writer)

    async def write_eof(self) -> None:
        """End the body (last chunk) and wait for the socket."""
        if self._eof:
            return
        if not self.headers_sent:
            self.send_headers()
        if self._chunked is not None:
            self.writer.write(self._chunked.end())
        if self._length is not None and self.output_length < self._length:
            # The peer waits for bytes that will never come: only a close ends it.
            self._closing = True
        self._eof = True
        await self.writer.drain()

    @property
    def finished(self) -> bool:
        """Whether :meth:`write_eof` has run."""
        return self._eof


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
        message = RawRequestMessage(
            head.method,
            head.target,
            head.version,
            head.headers,
            head.raw_headers,
            head.should_close,
            head.compression,
            head.upgrade,
            head.chunked,
            head.url,
        )
        return message, payload

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
