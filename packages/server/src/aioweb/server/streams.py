"""Request-body streams: the connection feeds bytes in, the handler reads them out.

A :class:`StreamReader` holds the body pieces the parser produced for one request.
Compressed bodies are stored as received and decompressed only as the handler
consumes them, so a body nobody reads costs nothing to discard (SECURITY.md,
CVE-2026-54278). The buffer tells its owner when it grows past a high-water mark so
the connection can stop reading from the socket (flow control).
"""

from __future__ import annotations

import asyncio
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDictProxy

from aioweb.http.errors import (
    ContentEncodingError,
    HttpProcessingError,
    LineTooLong,
    PayloadTooLarge,
)
from aioweb.http.message import EMPTY_TRAILERS

if TYPE_CHECKING:
    from aioweb.http.decoders import ContentDecoder

    from ._stream_protocol import AsyncByteStream

__all__ = ["EMPTY_PAYLOAD", "EmptyStreamReader", "StreamReader", "finished_stream"]

DEFAULT_LIMIT: Final = 2**16


class StreamReader:
    """The body of one request, readable with the usual asyncio stream methods.

    ``limit`` is the buffer size above which the connection pauses reading from the
    socket (twice ``limit``) and below which it resumes. ``compression`` is the
    request's Content-Encoding when the server decodes it transparently; decoding
    happens on consumption and is capped at ``max_decoded_size`` bytes, which also
    bounds what :meth:`wait_eof` holds.
    """

    __slots__ = (
        "_buffer",
        "_chunk_ends",
        "_compression",
        "_consumed",
        "_decoder",
        "_discarding",
        "_eof",
        "_eof_waiters",
        "_exception",
        "_high_water",
        "_last_chunk_end",
        "_low_water",
        "_on_first_read",
        "_on_pause",
        "_on_resume",
        "_paused",
        "_raw",
        "_raw_size",
        "_size",
        "_waiter",
        "max_decoded_size",
        "total_bytes",
        "trailers",
    )

    def __init__(
        self,
        *,
        limit: int = DEFAULT_LIMIT,
        compression: str | None = None,
        max_decoded_size: int | None = None,
        on_pause: Callable[[], None] | None = None,
        on_resume: Callable[[], None] | None = None,
        on_first_read: Callable[[], None] | None = None,
    ) -> None:
        # One of these per request body: what most bodies never use is made on demand.
        self._buffer: deque[bytes] = deque()
        # Decoded bytes handed out so far, and the positions (in that count) where
        # HTTP chunks ended; only kept for bodies stored undecoded.
        self._size = self._consumed = self._raw_size = 0
        self._chunk_ends: deque[int] | None = None
        # Received but not yet decoded (compressed bodies only).
        self._raw: deque[bytes] | None = None if compression is None else deque()
        self._compression = compression
        self._decoder: ContentDecoder | None = None
        self._eof = False
        self._eof_waiters: list[asyncio.Future[None]] | None = None
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._high_water = limit * 2
        self._low_water = limit
        self._paused = False
        self._on_pause = on_pause
        self._on_resume = on_resume
        self._on_first_read = on_first_read
        self._discarding = False
        self.max_decoded_size = max_decoded_size
        #: Bytes received from the wire so far (before decoding).
        self.total_bytes = 0
        #: Chunked trailer fields, available once the body is complete.
        self.trailers: CIMultiDictProxy[str] = EMPTY_TRAILERS

    def __repr__(self) -> str:
        state = "eof" if self._eof else "open"
        return f"<StreamReader {state} buffered={self._size + self._raw_size}>"

    # -- the producer side (the connection) --------------------------------------

    def feed_data(self, data: bytes) -> None:
        """Append a body piece (called by the connection).

        Raises :class:`RuntimeError` after :meth:`feed_eof`: the body is complete.
        """
        if self._eof:
            raise RuntimeError("feed_data after feed_eof")
        self.total_bytes += len(data)
        if self._discarding or not data:
            return
        raw = self._raw
        if raw is None:
            self._buffer.append(data)
            self._size += len(data)
        else:
            raw.append(data)
            self._raw_size += len(data)
        if not self._paused and self._size + self._raw_size > self._high_water:
            if self._eof_waiters:
                # wait_eof() asks for the whole body: pausing would make it wait
                # forever, so reading goes on, up to the body cap (client_max_size).
                cap = self.max_decoded_size
                if cap is None or self._size + self._raw_size <= cap:
                    return
                self._release_eof_waiters(_BodyTooLarge("request body too large", status=413))
            self._paused = True
            if self._on_pause is not None:
                self._on_pause()
        waiter = self._waiter  # self._wake(), inlined: one call per body piece saved
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def end_http_chunk_receiving(self) -> None:
        """Mark the end of an HTTP chunk at the end of what was fed so far.

        :meth:`readchunk` then reports ``end_of_http_chunk`` there. Boundaries are
        kept for bodies stored as received; a decoded (compressed) body has none.
        """
        if self._compression is not None or self._discarding:
            return
        end = self._consumed + self._size
        ends = self._chunk_ends
        if ends is None:
            ends = self._chunk_ends = deque()
            last = self._last_chunk_end = 0  # made with the deque: most bodies never need it
        else:
            last = self._last_chunk_end
        # An empty chunk adds no boundary (the last one is already there). A boundary
        # whose data the handler has already taken is kept: readchunk() reports it.
        if end != last:
            ends.append(end)
            self._last_chunk_end = end

    def feed_eof(self, trailers: CIMultiDictProxy[str] = EMPTY_TRAILERS) -> None:
        """Mark the body complete (called by the connection)."""
        self._eof = True
        self.trailers = trailers
        if self._waiter is not None:
            self._wake()
        if self._eof_waiters:
            self._release_eof_waiters(None)

    def set_exception(self, exc: BaseException) -> None:
        """Fail current and future reads with ``exc`` (connection lost, bad framing)."""
        self._exception = exc
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_exception(exc)
        if self._eof_waiters:
            self._release_eof_waiters(exc)

    def _release_eof_waiters(self, exc: BaseException | None) -> None:
        waiters = self._eof_waiters or []
        self._eof_waiters = None
        for waiter in waiters:
            if not waiter.done():
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(exc)

    def discard(self) -> int:
        """Drop everything buffered and everything still to come, undecoded.

        Returns the number of bytes dropped from the buffer. Used before the next
        pipelined request is served.
        """
        dropped = self._size + self._raw_size
        self._buffer.clear()
        if self._raw is not None:
            self._raw.clear()
        self._size = self._raw_size = 0
        self._chunk_ends = None
        self._discarding = True
        self._decoder = None
        self._maybe_resume()
        return dropped

    @property
    def total_raw_bytes(self) -> int:
        """Bytes received from the wire so far, as :attr:`total_bytes` (aiohttp's name)."""
        return self.total_bytes

    @property
    def total_compressed_bytes(self) -> int | None:
        """For a body decoded from its Content-Encoding, the bytes received; else None."""
        return None if self._raw is None else self.total_bytes

    def is_eof(self) -> bool:
        """True once the whole body has been received (it may still be buffered)."""
        return self._eof

    def exception(self) -> BaseException | None:
        """The exception set by :meth:`set_exception`, if any."""
        return self._exception

    # -- the consumer side (the handler) -----------------------------------------

    def at_eof(self) -> bool:
        """True once the body is complete and nothing is left to read."""
        return self._eof and not self._size and not self._raw_size

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _maybe_resume(self) -> None:
        if self._paused and self._size + self._raw_size <= self._low_water:
            self._resume()

    def _resume(self) -> None:
        self._paused = False
        if self._on_resume is not None:
            self._on_resume()

    def _first_read(self) -> None:
        if self._on_first_read is not None:
            callback, self._on_first_read = self._on_first_read, None
            callback()

    async def _wait(self) -> None:
        self._first_read()
        if self._waiter is not None:
            raise RuntimeError("another coroutine is already waiting for this body")
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    def _decode_some(self) -> None:
        # Decode one received piece; called only when the decoded buffer is empty,
        # so decoded data never piles up beyond what the reader asked for.
        from aioweb.http.decoders import ContentDecoder

        decoder = self._decoder
        if decoder is None:
            decoder = self._decoder = ContentDecoder(
                self._compression or "identity", max_size=self.max_decoded_size
            )
        raw = self._raw
        if raw:
            piece = raw.popleft()
            self._raw_size -= len(piece)
            out = decoder.decompress(piece)
        else:
            out = decoder.flush()
            self._compression = None
            self._decoder = None
        if out:
            self._buffer.append(out)
            self._size += len(out)

    def _decode_received(self) -> None:
        """Decode received pieces until some output or nothing is left to decode."""
        while not self._size and self._compression is not None and (self._raw or self._eof):
            try:
                self._decode_some()
            except HttpProcessingError as error:
                # The decoder is unusable after an error: every later read fails too.
                exc = _as_payload_error(error)
                self._exception = exc
                if self._raw is not None:
                    self._raw.clear()
                self._raw_size = 0
                self._maybe_resume()
                raise exc from error

    async def _fill(self) -> bool:
        """Ensure the decoded buffer is non-empty; False at end of body."""
        while not self._size:
            if self._exception is not None:
                raise self._exception
            if self._compression is not None and (self._raw or self._eof):
                self._decode_received()
                continue
            if self._eof:
                return False
            await self._wait()
        return True

    def _take(self, n: int) -> bytes:
        """Take up to ``n`` bytes from the first buffered piece only."""
        buf = self._buffer
        first = buf[0]
        if len(first) <= n:
            buf.popleft()
            out = first
        else:
            buf[0] = first[n:]
            out = first[:n]
        self._size -= len(out)
        self._consumed += len(out)
        # Boundaries reached (or passed) by any read are spent.
        ends = self._chunk_ends
        while ends and ends[0] <= self._consumed:
            ends.popleft()
        self._maybe_resume()
        return out

    def _take_buffered(self, n: int) -> bytes:
        """Take up to ``n`` bytes across the buffered pieces, without waiting."""
        first = self._take(n)
        if len(first) == n or not self._size:
            return first
        parts = [first]
        got = len(first)
        while got < n and self._size:
            piece = self._take(n - got)
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    async def wait_eof(self) -> None:
        """Wait until the whole body has been received; it stays buffered for reading.

        The connection keeps reading meanwhile, past the usual buffer limit: the whole
        body is held in memory, up to the request's ``client_max_size``. Past it, this
        raises a :class:`RequestPayloadError` with status 413 (the body stays readable
        as it comes).
        """
        if self._exception is not None:
            raise self._exception
        if self._eof:
            return
        self._first_read()
        if self._paused:
            self._resume()
        waiter = asyncio.get_running_loop().create_future()
        waiters = self._eof_waiters
        if waiters is None:
            waiters = self._eof_waiters = []
        waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in waiters:
                waiters.remove(waiter)

    def take_complete(self) -> bytes | None:
        """The whole rest of the body at once if it has all arrived undecoded, else None.

        A shortcut for readers of the whole body (``request.read()``): no waiting and
        no copy when the body came in one piece. None when a read must wait, decode or
        raise; then read the usual way.
        """
        if not self._eof or self._compression is not None or self._exception is not None:
            return None
        buf = self._buffer
        if len(buf) == 1:
            data = buf.popleft()
        else:
            data = b"".join(buf)
            buf.clear()
        self._consumed += self._size
        self._size = 0
        self._chunk_ends = None
        if self._paused:
            self._maybe_resume()
        return data

    async def readany(self) -> bytes:
        """Return the next available bytes (at least one); b"" at end of body."""
        if not self._size and not await self._fill():
            return b""
        return self._take(self._size)

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes, or the whole remaining body when ``n`` is -1."""
        if n == 0:
            return b""
        if n > 0:
            if not self._size and not await self._fill():
                return b""
            return self._take_buffered(n)
        parts = []
        while await self._fill():
            parts.append(self._take(self._size))
        return b"".join(parts)

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(data, end_of_http_chunk)`` as the data arrived; ``(b"", False)`` at end.

        ``end_of_http_chunk`` is True when ``data`` ends where an HTTP chunk ended
        (as marked by :meth:`end_http_chunk_receiving`), otherwise False. A chunk whose
        end arrives after its data was returned gives ``(b"", True)``, as in aiohttp.
        """
        ends = self._chunk_ends
        if not self._size and not (ends and ends[0] == self._consumed):
            await self._fill()  # False at the end of the body; a boundary may come first
            ends = self._chunk_ends
        if ends and ends[0] == self._consumed:
            # The chunk ended after its data had been taken: report the end on its own.
            ends.popleft()
            return b"", True
        if not self._size:
            return b"", False
        if not ends:
            return self._take(self._size), False
        end = ends[0]
        data = self._take(end - self._consumed)
        return data, self._consumed == end

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes or raise :class:`asyncio.IncompleteReadError`."""
        parts: list[bytes] = []
        got = 0
        while got < n:
            if not await self._fill():
                raise asyncio.IncompleteReadError(b"".join(parts), n)
            piece = self._take(n - got)
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int | None = None) -> bytes:
        """Read up to and including ``separator`` (or to end of body).

        Raises :class:`ValueError` when the result would be longer than ``max_size``
        bytes (default: twice the buffer ``limit``), however the data arrived; it is
        also a :class:`~aioweb.http.errors.LineTooLong` (400), as aiohttp raises, so a
        handler that lets it out answers 400. The bytes read so far stay in the stream.
        """
        if not separator:
            raise ValueError("separator must not be empty")
        if max_size is None:
            max_size = self._high_water
        parts: list[bytes] = []
        got = 0
        tail = b""
        while await self._fill():
            first = self._buffer[0]
            # Search across the piece boundary with the previous piece's tail.
            window = tail + first
            idx = window.find(separator)
            if idx != -1:
                end = idx + len(separator) - len(tail)
                if got + end > max_size:
                    raise _LineTooLong(max_size)
                parts.append(self._take(end))
                return b"".join(parts)
            piece = self._take(len(first))
            parts.append(piece)
            got += len(piece)
            if got > max_size:
                raise _LineTooLong(max_size)
            tail = window[-(len(separator) - 1) :] if len(separator) > 1 else b""
        return b"".join(parts)

    async def readline(self, *, max_line_length: int | None = None) -> bytes:
        """Read one line including its ``\\n`` (or the rest of the body).

        Raises :class:`ValueError` (a :class:`~aioweb.http.errors.LineTooLong` too) for
        a line longer than ``max_line_length`` (default: twice the buffer ``limit``).
        """
        return await self.readuntil(b"\n", max_size=max_line_length)

    def read_nowait(self, n: int = -1) -> bytes:
        """Return the bytes received so far (decoded) without waiting.

        Raises :class:`RuntimeError` while another coroutine waits for data.
        """
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None:
            raise RuntimeError("read_nowait() called while a coroutine waits for data")
        if not self._size:
            # A compressed body is decoded as it is read: what has arrived is available.
            self._decode_received()
            if not self._size:
                return b""
        return self._take_buffered(self._size if n < 0 else n)

    def unread_data(self, data: bytes) -> None:
        """Push ``data`` back in front of the buffer (deprecated, as in aiohttp)."""
        warnings.warn(
            "unread_data() is deprecated (aiohttp #3260)", DeprecationWarning, stacklevel=2
        )
        if data:
            self._buffer.appendleft(data)
            self._size += len(data)
            self._consumed -= len(data)

    def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Iterate over the body in pieces of at most ``n`` bytes."""
        return _Iter(lambda: self.read(n))

    def iter_any(self) -> AsyncIterator[bytes]:
        """Iterate over the body as pieces arrive."""
        return _Iter(self.readany)

    def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        """Iterate over ``(data, end_of_chunk)`` pairs as :meth:`readchunk` returns them."""
        return _ChunkIter(self.readchunk)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Iter(self.readline)


class _Iter:
    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], Awaitable[bytes]]) -> None:
        self._read = read

    def __aiter__(self) -> _Iter:
        return self

    async def __anext__(self) -> bytes:
        data = await self._read()
        if not data:
            raise StopAsyncIteration
        return data


class _ChunkIter:
    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], Awaitable[tuple[bytes, bool]]]) -> None:
        self._read = read

    def __aiter__(self) -> _ChunkIter:
        return self

    async def __anext__(self) -> tuple[bytes, bool]:
        item = await self._read()
        if not item[0] and not item[1]:  # (b"", True) is a chunk end, not the end
            raise StopAsyncIteration
        return item


def finished_stream(data: bytes) -> StreamReader:
    """A :class:`StreamReader` that holds ``data`` whole and is at its end.

    For a body already read into memory that must be read again as a stream (a form
    parsed after ``request.read()``).
    """
    stream = StreamReader(limit=max(len(data), 1))
    stream.feed_data(data)
    stream.feed_eof()
    return stream


class EmptyStreamReader(StreamReader):
    """The body of a request that has none: always at end of body."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self._eof = True

    def __repr__(self) -> str:
        return "<EmptyStreamReader>"

    def feed_data(self, data: bytes) -> None:
        """Ignored: an empty body never receives data."""

    def unread_data(self, data: bytes) -> None:
        """Ignored: an empty body stays empty (it is shared between requests)."""
        warnings.warn(
            "unread_data() is deprecated (aiohttp #3260)", DeprecationWarning, stacklevel=2
        )

    def set_exception(self, exc: BaseException) -> None:
        """Ignored: shared between requests, an empty body never fails.

        A connection that is lost fails the bodies of its requests; one of them failing
        this one would fail the reads of every later request without a body.
        """


#: The shared body of every request without one.
EMPTY_PAYLOAD: Final = EmptyStreamReader()


def _check_protocol() -> AsyncByteStream:
    return StreamReader()


class RequestPayloadError(HttpProcessingError):
    """The request body's framing broke while it was being read (e.g. a bad chunk).

    Raised by body reads; ``status`` and ``reason`` are those of the protocol error, and
    :meth:`BaseRequest.read` turns it into a 400 like any other protocol error.
    """


class _BodyDecodingError(RequestPayloadError, ContentEncodingError):
    """A compressed body that does not decode: also a RequestPayloadError, as in aiohttp."""


class _BodyTooLarge(RequestPayloadError, PayloadTooLarge):
    """A body over its decompressed cap: also a RequestPayloadError."""


def _as_payload_error(error: HttpProcessingError) -> HttpProcessingError:
    # Code catching RequestPayloadError around body reads catches decoding failures
    # too, and code catching the parser's own error classes still does.
    if isinstance(error, ContentEncodingError):
        return _BodyDecodingError(error.reason, status=error.status)
    if isinstance(error, PayloadTooLarge):
        return _BodyTooLarge(error.reason, status=error.status)
    return error


class _LineTooLong(LineTooLong, ValueError):
    """A line over the bound of readline()/readuntil().

    A ValueError, as aioweb documents, and an HttpProcessingError, as aiohttp raises
    (its LineTooLong, 400): the client sent the line, so it is the client's error.
    """

    status = 400

    def __init__(self, max_size: int) -> None:
        super().__init__(f"line is too long (more than {max_size} bytes)")


class PayloadAccessError(Exception):
    """The request body was read after its request had been answered.

    The connection has moved on (the unread rest was discarded), so the body is gone.
    """
