"""The response whose body goes out in pieces: :class:`StreamResponse`.

Its head is completed and serialised by ``_head`` through
:mod:`aioweb.http.serializer`, which rejects CR, LF and other control characters in the
reason and in header values (response splitting).
:class:`~aioweb.server.response.Response` (body in memory) builds on it. Import both
from :mod:`aioweb.server.response` or :mod:`aioweb.server`.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import math
import warnings
from collections.abc import Iterator, MutableMapping
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from multidict import CIMultiDict, istr

from aioweb.http.serializer import REASON_PHRASES, reason_phrase

from ._coding import ContentCoding
from ._head import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    SERVER_SOFTWARE,
    Framing,
    complete_fields,
    head_bytes,
)
from ._helpers import DEFAULT_CONTENT_TYPE, ResponseKey, split_content_type

if TYPE_CHECKING:
    from .headers import ETag
    from .request import BaseRequest, PrepareHook
    from .writer import StreamWriter

__all__ = ["SERVER_SOFTWARE", "ContentCoding", "LooseHeaders", "StreamResponse"]

_T = TypeVar("_T")

LAST_MODIFIED: Final = istr("Last-Modified")
ETAG: Final = istr("ETag")

server_logger: Final = logging.getLogger("aioweb.server")

#: Bodies larger than this are compressed in an executor unless told otherwise.
DEFAULT_ZLIB_EXECUTOR_SIZE: Final = 1024 * 1024

LooseHeaders = (
    CIMultiDict[str] | dict[str, str] | list[tuple[str, str]] | MutableMapping[str, str] | Any
)


def _no_body_status(status: int) -> bool:
    return status < 200 or status == 204 or status == 304


def _declared_length(value: str) -> int:
    """The Content-Length a handler set, as a number; ``ValueError`` if it is not one.

    ASCII digits only (RFC 9110 8.6): ``int()`` also reads ``"+3"``, ``"3_0"``, ``" 3"``
    and other scripts' digits, which would go out as they are.
    """
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"invalid Content-Length {value!r}")
    return int(value)


def _short_body(resp: StreamResponse, sent: int, declared: int) -> None:
    """A body shorter than its Content-Length: the connection must not carry another."""
    server_logger.warning(
        "Response body shorter than its Content-Length (%d of %d bytes); closing the connection",
        sent,
        declared,
    )
    resp._keep_alive = False


class StreamResponse(MutableMapping[str | ResponseKey[Any], Any]):
    """A response whose body is written in pieces after :meth:`prepare`.

    It is also a mutable mapping for per-response state (``resp["key"]`` or a typed
    :class:`ResponseKey`). Two responses are equal only if they are the same object.
    """

    # Per-response defaults live on the class: a plain response sets only what differs.
    _state: dict[Any, Any] | None = None
    _cookies: SimpleCookie | None = None
    _keep_alive: bool | None = None
    _chunked: bool = False
    _compression: bool = False
    _compression_force: ContentCoding | None = None
    _compression_strategy: int | None = None
    # Set once Response has compressed its body in memory, so the head does not
    # start a streaming compressor too; `compression` stays True (as in aiohttp).
    _compression_done: bool = False
    _req: BaseRequest | None = None
    _writer: StreamWriter | None = None
    _eof_sent: bool = False
    _must_be_empty_body: bool | None = None
    _body_length: int = 0
    # Whether the request's prepare hook (on_response_prepare) has seen this response:
    # the server may run it before sending a Response in one step, prepare() then not.
    _hook_done: bool = False
    # Whether the response can be sent in one step by _send_at_once (Response can).
    _at_once: bool = False
    # A streamed response's head leaves at prepare(), as aiohttp's does: the client
    # sees the status and headers at once (server-sent events, long polling, a 101),
    # not with the first body piece. Response, whose body follows at once, waits for it.
    _send_headers_immediately: bool = True

    def __init__(
        self,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
        _real_headers: CIMultiDict[str] | None = None,
    ) -> None:
        if _real_headers is not None:
            self._headers = _real_headers
        elif headers is not None:
            self._headers = CIMultiDict(headers)
        else:
            self._headers = CIMultiDict()
        self._set_status(status, reason)

    # -- status ---------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        """True once :meth:`prepare` has run (the head is sent or queued)."""
        return self._eof_sent or self._writer is not None

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task serving the request this response answers, once prepared."""
        return self._req.task if self._req is not None else None

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def reason(self) -> str:
        """The reason phrase."""
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Change the status (and reason) before the head is sent."""
        if self.prepared:
            raise RuntimeError(
                "Cannot change the response status code after the headers have been sent"
            )
        self._set_status(status, reason)

    def _set_status(self, status: int, reason: str | None) -> None:
        if reason is None and type(status) is int:
            # The usual case, a registered code with its standard phrase: nothing to check.
            reason = REASON_PHRASES.get(status)
            if reason is not None:
                self._status = status
                self._reason = reason
                return
        status = int(status)
        if not 100 <= status <= 999:
            raise ValueError(f"invalid status code {status}")
        if reason is None:
            reason = reason_phrase(status)
        elif "\r" in reason or "\n" in reason:
            raise ValueError("Reason cannot contain \\r or \\n")
        self._status = status
        self._reason = reason

    # -- connection and framing ------------------------------------------------

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this response (None: decide later)."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response."""
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        """Bytes sent for this response, head included, once it is finished.

        The count aiohttp gives under this name, and the access log's ``%b``.
        """
        return self._body_length

    @property
    def output_length(self) -> int:
        """Bytes sent so far for this response, head included (deprecated, as in aiohttp)."""
        warnings.warn("output_length is deprecated", DeprecationWarning, stacklevel=2)
        writer = self._writer
        return writer.output_size if writer is not None else self._body_length

    @property
    def chunked(self) -> bool:
        """True if chunked transfer coding was enabled."""
        return self._chunked

    @property
    def compression(self) -> bool:
        """True if compression was enabled."""
        return self._compression

    def enable_chunked_encoding(self, chunk_size: int | None = None) -> None:
        """Send the body with chunked transfer coding (HTTP/1.1 only)."""
        if chunk_size is not None:
            raise TypeError("chunk_size is not supported")
        if CONTENT_LENGTH in self._headers:
            raise RuntimeError("You can't enable chunked encoding when a content length is set")
        self._chunked = True

    def enable_compression(
        self, force: ContentCoding | bool | None = None, strategy: int | None = None
    ) -> None:
        """Compress the body with the best coding the client accepts.

        ``force`` picks a coding regardless of Accept-Encoding. ``strategy`` is a zlib
        strategy (``zlib.Z_FILTERED``, ``Z_HUFFMAN_ONLY``, ...) used for gzip and deflate.
        """
        if isinstance(force, bool):
            import warnings

            warnings.warn(
                "Passing a bool to enable_compression() is deprecated, pass a ContentCoding",
                DeprecationWarning,
                stacklevel=2,
            )
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif force is not None and not isinstance(force, ContentCoding):
            raise TypeError(f"force must be a ContentCoding, got {force!r}")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    # -- headers ---------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """The response headers (checked again when the head is serialised)."""
        return self._headers

    @property
    def cookies(self) -> SimpleCookie:
        """Cookies to send as ``Set-Cookie`` headers."""
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        version: str | None = None,
        samesite: str | None = None,
        partitioned: bool | None = None,
    ) -> None:
        """Set a cookie (see aiohttp's ``StreamResponse.set_cookie``)."""
        from . import cookies

        cookies.set_cookie(
            self.cookies,
            name,
            value,
            expires=expires,
            domain=domain,
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=httponly,
            version=version,
            samesite=samesite,
            partitioned=partitioned,
        )

    def del_cookie(
        self,
        name: str,
        *,
        domain: str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
    ) -> None:
        """Tell the client to delete a cookie (an expired ``Set-Cookie``)."""
        from . import cookies

        cookies.del_cookie(
            self.cookies,
            name,
            domain=domain,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, or None."""
        value = self._headers.get(CONTENT_LENGTH)
        return int(value) if value is not None else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self._headers.pop(CONTENT_LENGTH, None)
            return
        value = int(value)
        if value < 0:
            raise ValueError("Content-Length cannot be negative")
        if self._chunked:
            raise RuntimeError("You can't set content length when chunked encoding is enabled")
        self._headers[CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str:
        """The media type of Content-Type (``application/octet-stream`` if unset)."""
        return split_content_type(self._headers.get(CONTENT_TYPE))[0]

    @content_type.setter
    def content_type(self, value: str) -> None:
        _, params = split_content_type(self._headers.get(CONTENT_TYPE))
        self._set_content_type(str(value), params)

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type, or None."""
        return split_content_type(self._headers.get(CONTENT_TYPE))[1].get("charset")

    @charset.setter
    def charset(self, value: str | None) -> None:
        ctype, params = split_content_type(self._headers.get(CONTENT_TYPE))
        if ctype == DEFAULT_CONTENT_TYPE:
            raise RuntimeError(
                "Setting charset for application/octet-stream "
                "doesn't make sense, setup content_type first"
            )
        if value is None:
            params.pop("charset", None)
        else:
            params["charset"] = str(value).lower()
        self._set_content_type(ctype, params)

    def _set_content_type(self, ctype: str, params: dict[str, str]) -> None:
        value = ctype
        for key, val in params.items():
            value += f"; {key}={val}"
        self._headers[CONTENT_TYPE] = value

    @property
    def last_modified(self) -> _dt.datetime | None:
        """The Last-Modified header as an aware datetime, or None."""
        value = self._headers.get(LAST_MODIFIED)
        if value is None:
            return None
        from aioweb.http.dates import parse_http_date

        parsed: _dt.datetime | None = parse_http_date(value)
        return parsed

    @last_modified.setter
    def last_modified(self, value: int | float | _dt.datetime | str | None) -> None:
        if value is None:
            self._headers.pop(LAST_MODIFIED, None)
        elif isinstance(value, str):
            self._headers[LAST_MODIFIED] = value
        elif isinstance(value, (int, float, _dt.datetime)):
            from aioweb.http.dates import format_http_date

            if isinstance(value, (int, float)):
                value = float(math.ceil(value))
            elif value.microsecond:
                # Rounded up like a timestamp: never earlier than the real change.
                try:
                    value = value.replace(microsecond=0) + _dt.timedelta(seconds=1)
                except OverflowError:
                    raise ValueError(f"last_modified out of range: {value!r}") from None
            self._headers[LAST_MODIFIED] = format_http_date(value)
        else:
            raise TypeError(f"Unsupported type for last_modified: {type(value).__name__}")

    @property
    def etag(self) -> ETag | None:
        """The ETag header as an :class:`~aioweb.server.headers.ETag`, or None."""
        value = self._headers.get(ETAG)
        if value is None:
            return None
        from .headers import etag_from_header

        return etag_from_header(value)

    @etag.setter
    def etag(self, value: ETag | str | None) -> None:
        if value is None:
            self._headers.pop(ETAG, None)
            return
        from .headers import etag_header_value

        self._headers[ETAG] = etag_header_value(value)

    # -- sending -----------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> StreamWriter | None:
        """Send (queue) the head; returns the body writer, or None after write_eof().

        The request's prepare hook (``on_response_prepare``) runs once the headers are
        complete (Content-Length or chunked, Date, Server, ...), before they are sent.
        """
        if self._eof_sent:
            return None
        if self._writer is not None:
            return self._writer
        hook = request._on_prepare
        if hook is None or self._hook_done:
            return self._start(request)
        return await self._start_hooked(request, hook)

    def _start(self, request: BaseRequest) -> StreamWriter:
        return self._queue_head(request, self._begin(request))

    async def _start_hooked(self, request: BaseRequest, hook: PrepareHook) -> StreamWriter:
        framing = self._begin(request)
        self._hook_done = True
        await hook(request, self)
        return self._queue_head(request, framing)

    def _begin(self, request: BaseRequest) -> Framing:
        """Take the request's writer (the response is prepared) and complete the headers."""
        self._req = request
        self._writer = request.writer
        return complete_fields(self, request)

    def _queue_head(self, request: BaseRequest, framing: Framing) -> StreamWriter:
        writer = self._writer
        assert writer is not None
        length = None if framing[0] else self._headers.get(CONTENT_LENGTH)
        limit = 0
        if length is not None:
            # Read before anything is queued: a bad value fails prepare() with nothing
            # sent, so the server can still answer 500 (as aiohttp does).
            limit = _declared_length(length)
        head = head_bytes(self, request, writer, framing)
        if length is not None:
            writer.set_content_length(limit)
        writer.send_head(head)
        if self._send_headers_immediately:
            writer.flush_head()
        return writer

    def _send_at_once(self, request: BaseRequest) -> bool:
        """Send the whole response now, without awaiting; False if it cannot be done.

        The server's shortcut for responses whose body is already in memory; a
        streamed response is sent through :meth:`prepare` and :meth:`write_eof`.
        """
        return False

    async def _send_hooked(self, request: BaseRequest, hook: PrepareHook) -> bool:
        """:meth:`_send_at_once` with the request's prepare hook; False if it cannot be done.

        Nothing has happened when it returns False (the hook has not run).
        """
        return False

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send a body piece, waiting while the client is slow to read."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        writer = self._writer
        if writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        writer.write_nowait(bytes(data))
        await writer.drain()

    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark.

        Deprecated, as in aiohttp: :meth:`write` waits already.
        """
        if self._eof_sent:
            raise RuntimeError("EOF has already been sent")
        writer = self._writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        warnings.warn(
            "StreamResponse.drain() is deprecated: write() waits for the transport itself",
            DeprecationWarning,
            stacklevel=2,
        )
        await writer.drain()

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        """Send the last piece and finish the body; later calls do nothing.

        A body that ends short of the ``Content-Length`` it declared closes the
        connection: the client would read the next response as the rest of this one.
        """
        if self._eof_sent:
            return
        writer = self._writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        if type(data) is not bytes:
            if not isinstance(data, (bytearray, memoryview)):
                # bytes(5) would send five NUL bytes
                raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
            data = bytes(data)
        self._end(writer, data)
        await writer.drain()

    def _end(self, writer: StreamWriter, data: bytes) -> None:
        """Send the last piece; a body short of its Content-Length closes the connection."""
        writer.write_eof_nowait(data)
        self._eof_sent = True
        self._body_length = writer.output_size
        limit = writer._limit
        if limit is not None and writer.length < limit and self._keep_alive and not writer._no_body:
            _short_body(self, writer.length, limit)

    # -- mapping, identity, repr -----------------------------------------------

    @property
    def _store(self) -> dict[Any, Any]:
        state = self._state
        if state is None:
            state = self._state = {}
        return state

    @overload
    def __getitem__(self, key: ResponseKey[_T]) -> _T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: str | ResponseKey[_T]) -> Any:
        return self._store[key]

    @overload
    def __setitem__(self, key: ResponseKey[_T], value: _T) -> None: ...
    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __setitem__(self, key: str | ResponseKey[_T], value: Any) -> None:
        self._store[key] = value

    def __delitem__(self, key: str | ResponseKey[Any]) -> None:
        del self._store[key]

    def __len__(self) -> int:
        return len(self._state) if self._state else 0

    def __iter__(self) -> Iterator[str | ResponseKey[Any]]:
        return iter(self._state or ())

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self._req is not None:
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{type(self).__name__} {self._reason} {info}>"
