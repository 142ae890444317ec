"""The response byte sink of one request: framing, compression, flow control.

:class:`StreamWriter` turns response body pieces into bytes on the transport:
it applies the content coding (``gzip``, ``br``, ...), chunked framing, and holds
back the response head until the first body bytes so that a head and a small body
leave in one ``transport.write``. :meth:`StreamWriter.drain` waits while the
transport's write buffer is above its high-water mark, so a client that stops
reading cannot make the server buffer without bound.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from aioweb.http.encoders import ContentEncoder
    from aioweb.http.serializer import ChunkedEncoder

__all__ = ["StreamWriter", "WriteFlowControl"]

CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


class WriteFlowControl(Protocol):
    """What a writer needs from its connection (the server's protocol satisfies it)."""

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport, or None once the connection is lost."""
        ...

    @property
    def writing_paused(self) -> bool:
        """True while the transport's write buffer is above its high-water mark."""
        ...

    async def wait_writable(self) -> None:
        """Return once writing may continue; raise ConnectionResetError if lost."""
        ...


class StreamWriter:
    """Writes one response: head, body pieces, end of body."""

    __slots__ = (
        "_chunker",
        "_continue_sent",
        "_encoder",
        "_eof",
        "_flow",
        "_limit",
        "_no_body",
        "_pending",
        "buffer_size",
        "length",
        "output_size",
    )

    def __init__(self, flow: WriteFlowControl) -> None:
        self._flow = flow
        self._pending = b""
        self._chunker: ChunkedEncoder | None = None
        self._encoder: ContentEncoder | None = None
        self._no_body = False
        self._limit: int | None = None  # the declared Content-Length, if any
        self._eof = False
        self._continue_sent = False
        #: Body bytes handed to :meth:`write` (before coding and framing).
        self.buffer_size = 0
        #: Body bytes sent after content coding, without chunk framing.
        self.length = 0
        #: Every byte handed to the transport, head included.
        self.output_size = 0

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport (None once the connection is lost)."""
        return self._flow.transport

    def enable_chunking(self) -> None:
        """Frame the body with chunked transfer coding."""
        from aioweb.http.serializer import ChunkedEncoder

        self._chunker = ChunkedEncoder()

    def enable_compression(
        self, encoding: str, level: int | None = None, strategy: int | None = None
    ) -> None:
        """Compress the body with ``encoding`` (a coding of aioweb.http.encoders)."""
        from aioweb.http.encoders import ContentEncoder

        self._encoder = ContentEncoder(encoding, level=level, strategy=strategy)

    def set_content_length(self, length: int) -> None:
        """Never send more body bytes than ``length``, the declared Content-Length.

        What a handler writes past it is dropped, as aiohttp drops it: sent, it would
        be read as the start of the next response on the connection.
        """
        self._limit = length

    def _within_limit(self, data: bytes) -> bytes:
        limit = self._limit
        if limit is not None and self.length + len(data) > limit:
            return data[: max(limit - self.length, 0)]
        return data

    def set_no_body(self) -> None:
        """Drop body bytes: the response to HEAD, or a 1xx/204/304 status."""
        self._no_body = True

    def send_head(self, head: bytes) -> None:
        """Queue the serialised head; it leaves with the first body bytes or at EOF."""
        self._pending = head

    def flush_head(self) -> None:
        """Send the queued head now, without waiting for body bytes."""
        if self._pending:
            self._send(b"")

    def discard_unsent_head(self) -> bool:
        """Forget a queued head that has not left yet, and the framing set up for it.

        True if nothing of the response has been sent, so another response (an error
        page) can still take its place; False once bytes have gone to the transport.
        """
        if self.output_size or self._eof:
            return False
        self._pending = b""
        self._chunker = None
        self._encoder = None
        self._limit = None
        self._no_body = False
        self.buffer_size = self.length = 0
        return True

    def send_whole(self, head: bytes, body: bytes) -> None:
        """Send a head and a whole body in one write and end the response.

        For a body that needs no coding or chunking (the server's shortcut for
        in-memory responses); after :meth:`set_no_body` the body is dropped.
        """
        if self._eof:
            raise RuntimeError("cannot write after write_eof()")
        self._eof = True
        if self._no_body:
            body = b""
        size = len(body)
        self.buffer_size += size
        self.length += size
        transport = self._flow.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        data = head + body if size else head
        self.output_size += len(data)
        transport.write(data)

    def send_continue(self) -> None:
        """Send ``100 Continue`` once, unless the final response has started."""
        if self._continue_sent or self.output_size or self._pending:
            return
        self._continue_sent = True
        transport = self._flow.transport
        if transport is not None and not transport.is_closing():
            transport.write(CONTINUE)

    def _send(self, data: bytes) -> None:
        if self._pending:
            data = self._pending + data
            self._pending = b""
        if not data:
            return
        transport = self._flow.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        self.output_size += len(data)
        transport.write(data)

    def write_nowait(self, data: bytes) -> None:
        """Encode and send ``data`` without waiting for the transport to drain."""
        if self._eof:
            raise RuntimeError("cannot write after write_eof()")
        self.buffer_size += len(data)
        if self._no_body:
            self._send(b"")
            return
        if self._encoder is not None:
            data = self._encoder.compress(data)
        if self._limit is not None:
            data = self._within_limit(data)
        self.length += len(data)
        if self._chunker is not None:
            data = self._chunker.encode(data)
        self._send(data)

    async def write(self, data: bytes | bytearray | memoryview, *, drain: bool = True) -> None:
        """Send ``data`` (raw bytes after the head, or as-is before it), then drain."""
        if self._eof:
            raise RuntimeError("cannot write after write_eof()")
        if not self._pending and not self.output_size and self._chunker is None:
            # Before any head: raw bytes, an interim response that an expect handler
            # writes itself. They are not the response: output_size stays 0, so that the
            # final response can still be sent (or an error page, if the handler fails).
            raw = bytes(data)
            transport = self._flow.transport
            if transport is None or transport.is_closing():
                raise ConnectionResetError("Cannot write to closing transport")
            transport.write(raw)
            if raw.startswith(b"HTTP/1.1 100"):
                self._continue_sent = True
        else:
            self.write_nowait(bytes(data))
        if drain:
            await self.drain()

    async def drain(self) -> None:
        """Wait while the transport's write buffer is above its high-water mark."""
        flow = self._flow
        if flow.writing_paused:
            await flow.wait_writable()
        elif flow.transport is None:
            raise ConnectionResetError("Cannot write to closing transport")

    def write_eof_nowait(
        self, data: bytes = b"", trailers: list[tuple[str, str]] | None = None
    ) -> None:
        """Send the last body piece and the end of body in one transport write."""
        if self._eof:
            return
        self._eof = True
        self.buffer_size += len(data)
        if self._no_body:
            self._send(b"")
            return
        encoder = self._encoder
        if encoder is not None:
            data = encoder.compress(data) + encoder.flush() if data else encoder.flush()
        if self._limit is not None:
            data = self._within_limit(data)
        self.length += len(data)
        chunker = self._chunker
        if chunker is not None:
            data = chunker.encode(data) + chunker.end(trailers)
        self._send(data)

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the body (see :meth:`write_eof_nowait`) and drain."""
        self.write_eof_nowait(data)
        await self.drain()
