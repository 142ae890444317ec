"""The response side of the legacy server: the old hand-driven ``aiohttp.Response``.

A handler builds :class:`Response` on the protocol's :class:`StreamWriter`, adds
headers, sends them, writes the body and ends it with ``write_eof``. Public names are
re-exported by :mod:`aioweb.server.legacy`, which is where users import them from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, Protocol

from multidict import CIMultiDict

from aioweb.http._version import HttpVersion, HttpVersion10, HttpVersion11
from aioweb.http.dates import http_date
from aioweb.http.serializer import ChunkedEncoder, build_head, reason_phrase, status_allows_body

__all__ = ["Response", "ResponseOwner", "StreamWriter"]


class ResponseOwner(Protocol):
    """What a :class:`StreamWriter` and its :class:`Response` need from the connection.

    ``ServerHttpProtocol`` satisfies it; depending on this instead of the protocol class
    keeps this module from importing :mod:`aioweb.server.legacy`.
    """

    @property
    def _head_request(self) -> bool:
        """Whether the request being answered is a HEAD (no body goes out)."""
        ...

    def _response_started(self, response: Response) -> None:
        """``response`` is now the current request's response."""
        ...

    async def _wait_writable(self) -> None:
        """Return once the transport accepts more data (raise if it is gone)."""
        ...


class _Drain:
    """What ``Response.write`` returns: await it to wait for the socket (optional)."""

    __slots__ = ("_writer",)

    def __init__(self, writer: StreamWriter) -> None:
        self._writer = writer

    def __await__(self) -> Generator[Any, None, None]:
        return self._writer.drain().__await__()


class StreamWriter:
    """The protocol's ``writer``: bytes to the transport, with write flow control."""

    def __init__(self, protocol: ResponseOwner, transport: asyncio.Transport) -> None:
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
