"""Responses: :class:`StreamResponse` (head first, body in pieces) and :class:`Response`.

:class:`StreamResponse` lives in ``_stream_response``; this module adds the response
whose body is in memory, :class:`Response`, and the JSON helpers. The head of a
:class:`Response` leaves together with its body in one transport write.
"""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict, istr

from aioweb.http.serializer import REASON_PHRASES

from ._coding import add_vary, negotiated_coding
from ._head import (
    CONTENT_ENCODING,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    SERVER_SOFTWARE,
    Framing,
    complete_head,
    whole_head,
)
from ._helpers import DEFAULT_CONTENT_TYPE, ResponseKey
from ._json import dumps as _fast_dumps
from ._payloads import BodyStream, body_stream
from ._stream_response import (
    DEFAULT_ZLIB_EXECUTOR_SIZE,
    ContentCoding,
    LooseHeaders,
    StreamResponse,
    _declared_length,
    _no_body_status,
    _short_body,
)

CONTENT_DISPOSITION: Final = istr("Content-Disposition")
_PLAIN: Final[Framing] = (False, None)  # not chunked, not compressed
_TEXT_PLAIN_UTF8: Final = "text/plain; charset=utf-8"
_JSON_UTF8: Final = "application/json; charset=utf-8"
_JSON_DUMPS: Final = json.dumps

if TYPE_CHECKING:
    from .request import BaseRequest, PrepareHook
    from .writer import StreamWriter

__all__ = [
    "SERVER_SOFTWARE",
    "ContentCoding",
    "Response",
    "ResponseKey",
    "StreamResponse",
    "json_bytes_response",
    "json_response",
]


class Response(StreamResponse):
    """A response with the whole body in memory (``body`` bytes or ``text``)."""

    _body: bytes | None = None
    _stream: BodyStream | None = None  # a body sent in pieces (a file, an async iterable)
    _compressed_body: bytes | None = None
    _zlib_executor_size: int | None = None
    _zlib_executor: Executor | None = None
    # What a subclass keeps of Response's own behaviour (set for each subclass below):
    # whether it sends like Response (one write, no prepare/write_eof coroutines), and
    # whether nothing stands between Response and StreamResponse in its MRO (so that
    # Response.__init__ may set the base's fields without calling its __init__).
    _at_once: bool = True
    _plain_base: bool = True
    _send_headers_immediately = False  # the head leaves with the body, in one write

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._at_once = all(
            getattr(cls, name) is getattr(Response, name)
            for name in ("prepare", "write_eof", "_start", "_begin", "_queue_head", "write")
        )
        mro = cls.__mro__
        cls._plain_base = mro[mro.index(Response) + 1] is StreamResponse

    def __init__(
        self,
        *,
        body: bytes | bytearray | memoryview | str | None = None,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: LooseHeaders | None = None,
        content_type: str | None = None,
        charset: str | None = None,
        zlib_executor_size: int | None = None,
        zlib_executor: Executor | None = None,
    ) -> None:
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if headers is None:
            real_headers: CIMultiDict[str] = CIMultiDict()
            has_type = False
        else:
            real_headers = CIMultiDict(headers)
            has_type = CONTENT_TYPE in real_headers
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        if has_type and (content_type is not None or charset is not None):
            raise ValueError(
                "passing both Content-Type header and content_type or charset params is forbidden"
            )
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text argument must be str ({type(text)!r})")
            if not has_type:
                if content_type is None and charset is None:
                    real_headers[CONTENT_TYPE] = _TEXT_PLAIN_UTF8
                    body = text.encode()
                else:
                    charset = charset or "utf-8"
                    media = content_type or "text/plain"
                    real_headers[CONTENT_TYPE] = f"{media}; charset={charset}"
                    body = text.encode(charset)
                text = None
        elif content_type is not None:
            if charset is not None:
                content_type += f"; charset={charset}"
            real_headers[CONTENT_TYPE] = content_type
        # A charset alone, for bytes, says nothing: aiohttp ignores it too.
        if self._plain_base:
            # StreamResponse.__init__, without the call: a Response is made per request.
            self._headers = real_headers
            # A registered code and its own phrase, the usual case, need no checks.
            standard = (
                None
                if reason is not None or type(status) is not int
                else REASON_PHRASES.get(status)
            )
            if standard is None:
                self._set_status(status, reason)
            else:
                self._status = status
                self._reason = standard
        else:  # a cooperative base sits in between: let it run
            super().__init__(status=status, reason=reason, _real_headers=real_headers)
        if type(body) is bytes:
            self._body = body
        elif body is None and text is None:
            pass  # the class's _body is None already
        elif text is not None:
            # Text under the caller's Content-Type header: the text setter gives it
            # a charset (and a text type for octet-stream), as aiohttp does.
            self._body = None
            self.text = text
        else:
            self.body = body
        if zlib_executor_size is not None:
            self._zlib_executor_size = zlib_executor_size
        if zlib_executor is not None:
            self._zlib_executor = zlib_executor

    @classmethod
    def _utf8_text(cls, text: str, content_type: str, status: int, reason: str | None) -> Response:
        """``Response(text=text, ...)`` with a ready Content-Type and no other headers.

        The same response as the constructor builds, for ``json_response``'s usual case,
        without the constructor's argument checks (the caller has made them).
        """
        self = cls.__new__(cls)
        headers = self._headers = CIMultiDict()
        headers[CONTENT_TYPE] = content_type
        self._body = text.encode()
        standard = REASON_PHRASES.get(status) if reason is None and type(status) is int else None
        if standard is None:
            self._set_status(status, reason)
        else:
            self._status = status
            self._reason = standard
        return self

    @property
    def body(self) -> bytes | None:
        """The body bytes (None when there is no body, or it is sent from a stream)."""
        return self._body

    @body.setter
    def body(self, value: bytes | bytearray | memoryview | str | object | None) -> None:
        """Bytes, text, or what aiohttp streams: a file object or an async iterable."""
        if self._stream is not None:
            self._stream = None
            self._at_once = type(self)._at_once
        if value is None:
            self._body = None
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._body = bytes(value)
        elif isinstance(value, str):
            if CONTENT_TYPE not in self._headers:
                self._headers[CONTENT_TYPE] = "text/plain; charset=utf-8"
            self._body = value.encode(self.charset or "utf-8")
        else:
            self._stream_from(value)
        self._compressed_body = None

    def _stream_from(self, value: object) -> None:
        stream = body_stream(value)
        if stream is None:
            raise TypeError(
                "body must be bytes-like, str, a file object, an async iterable or None, "
                f"not {type(value).__name__}"
            )
        self._body = None
        self._stream = stream
        self._at_once = False  # sent through prepare() and write_eof(), in pieces
        headers = self._headers
        if CONTENT_TYPE not in headers:
            headers[CONTENT_TYPE] = stream.content_type
        if stream.disposition is not None and CONTENT_DISPOSITION not in headers:
            headers[CONTENT_DISPOSITION] = stream.disposition

    @property
    def text(self) -> str | None:
        """The body decoded with :attr:`charset` (UTF-8 if unset), or None."""
        if self._body is None:
            return None
        return self._body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text argument must be str ({type(text)!r})")
        if self.content_type == DEFAULT_CONTENT_TYPE:
            self.content_type = "text/plain"
        if self.charset is None:
            self.charset = "utf-8"
        self._body = text.encode(self.charset or "utf-8")
        self._compressed_body = None

    @property
    def content_length(self) -> int | None:
        """The body length (after compression once prepared); None if chunked."""
        if self._chunked:
            return None
        if CONTENT_LENGTH in self._headers:
            return int(self._headers[CONTENT_LENGTH])
        if self._stream is not None:
            return None  # a streamed body of unknown size (aiohttp: a payload's None)
        if self._compressed_body is not None:
            return len(self._compressed_body)
        return len(self._body) if self._body is not None else 0

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        raise RuntimeError("Content length is set automatically")

    async def prepare(self, request: BaseRequest) -> StreamWriter | None:
        """Compress the body if asked (in an executor when large), then queue the head."""
        if self._eof_sent:
            return None
        if self._writer is not None:
            return self._writer
        if (
            self._compression
            and self._stream is None  # a streamed body is compressed as it goes
            and not _no_body_status(self._status)
            and CONTENT_ENCODING not in self._headers
        ):
            # An empty body too: in one piece with its length, as aiohttp sends it
            # (left to the streaming path, it went out chunked).
            await self._compress_body(request)
        hook = request._on_prepare
        if hook is None or self._hook_done:
            return self._start(request)
        return await self._start_hooked(request, hook)

    async def _compress_body(self, request: BaseRequest) -> None:
        coding = negotiated_coding(self, request)
        if self._compression_force is None:
            add_vary(self._headers)
        self._compression_done = True  # the head logic must not stream-compress again
        if coding is None:
            return
        # A length the handler set (copied from an upstream, say) was the plain body's.
        self._headers.pop(CONTENT_LENGTH, None)
        from aioweb.http.encoders import ContentEncoder

        body = self._body or b""
        strategy = self._compression_strategy

        def compress() -> bytes:
            encoder = ContentEncoder(coding, strategy=strategy)
            return encoder.compress(body) + encoder.flush()

        threshold = self._zlib_executor_size
        if threshold is None:
            threshold = DEFAULT_ZLIB_EXECUTOR_SIZE
        if len(body) > threshold:
            loop = asyncio.get_running_loop()
            self._compressed_body = await loop.run_in_executor(self._zlib_executor, compress)
        else:
            self._compressed_body = compress()
        self._headers[CONTENT_ENCODING] = coding

    def _begin(self, request: BaseRequest) -> Framing:
        if not self._chunked:
            length = self._headers.get(CONTENT_LENGTH)
            if length is None:
                stream = self._stream
                if stream is not None:
                    if stream.size is not None and not self._compression:
                        self._headers[CONTENT_LENGTH] = str(stream.size)
                elif not _no_body_status(self._status):
                    body = (
                        self._compressed_body if self._compressed_body is not None else self._body
                    )
                    self._headers[CONTENT_LENGTH] = str(len(body) if body else 0)
            elif self._stream is None:
                self._check_declared_length(request, length)
        return super()._begin(request)

    def _check_declared_length(self, request: BaseRequest, length: str) -> int:
        """The Content-Length the handler set; a body shorter than it closes the connection.

        Known before the head leaves, so the head says ``Connection: close``: the client
        reads the body as cut short instead of taking the next response for its rest.
        """
        declared = _declared_length(length)
        body = self._compressed_body if self._compressed_body is not None else self._body
        size = len(body) if body else 0
        if size < declared and not _no_body_status(self._status) and request._head.method != "HEAD":
            _short_body(self, size, declared)
        return declared

    def _send_at_once(self, request: BaseRequest) -> bool:
        if self._compression or self._chunked or not self._at_once:
            return False  # compression may need the executor; subclasses may do more
        self._req = request
        writer = self._writer = request._writer
        body = self._body
        head = None if self._cookies else whole_head(self, request, len(body) if body else 0)
        if head is None:
            status = self._status
            headers = self._headers
            length = headers.get(CONTENT_LENGTH)
            if length is None:
                if status >= 200 and status != 204 and status != 304:
                    headers[CONTENT_LENGTH] = str(len(body)) if body else "0"
            else:  # the handler's own length
                declared = self._check_declared_length(request, length)
                if body and len(body) > declared:
                    body = body[:declared]  # never past the declared length (as aiohttp)
            head = complete_head(self, request, writer)
        writer.send_whole(head, body if body and not self._must_be_empty_body else b"")
        self._eof_sent = True
        self._body_length = writer.output_size
        return True

    async def _send_hooked(self, request: BaseRequest, hook: PrepareHook) -> bool:
        # prepare() and write_eof() without their coroutines: complete the headers, let
        # the hook see them, send head and body in one write.
        if self._compression or self._chunked or not self._at_once:
            return False  # compression may need the executor; subclasses may do more
        body = self._body
        if self._cookies or whole_head(self, request, len(body) if body else 0) is None:
            framing = self._begin(request)
        else:  # the same fields completed, the quick way (its bytes are not needed)
            self._req = request
            self._writer = request._writer
            framing = _PLAIN
        self._hook_done = True
        await hook(request, self)
        writer = self._queue_head(request, framing)
        body = self._body  # the hook may have set another
        self._end(writer, body if body and not self._must_be_empty_body else b"")
        return True

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        """Send the body (with the head, in one transport write)."""
        if self._eof_sent:
            return
        stream = self._stream
        if stream is not None:
            try:
                if not self._must_be_empty_body:
                    async for piece in stream.pieces():
                        await super().write(piece)
            finally:
                stream.close()  # a file is closed once sent, or if sending failed (aiohttp too)
            await super().write_eof(data)
            return
        body = self._compressed_body if self._compressed_body is not None else self._body
        if body and not self._must_be_empty_body:
            await super().write_eof(body + data if data else body)
        else:
            await super().write_eof(data)


class _Sentinel(enum.Enum):
    token = 0


_SENTINEL: Final = _Sentinel.token


def json_response(
    data: Any = _SENTINEL,
    *,
    text: str | None = None,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
    dumps: Callable[[Any], str] = json.dumps,
    **_deprecated: Any,
) -> Response:
    """A :class:`Response` whose body is ``dumps(data)`` (``application/json``).

    Pass ``data`` *or* ``text`` *or* ``body`` (``None`` is valid data: ``null``).
    """
    if _deprecated:
        raise TypeError(f"unexpected keyword arguments: {sorted(_deprecated)}")
    if data is not _SENTINEL:
        if text is not None or body is not None:
            raise ValueError("only one of data, text, or body should be specified")
        # json.dumps itself, through its C encoder without the Python layers (same text)
        text = _fast_dumps(data) if dumps is _JSON_DUMPS else dumps(data)
    if type(text) is str and headers is None and "charset" not in content_type:
        if content_type == "application/json":
            return Response._utf8_text(text, _JSON_UTF8, status, reason)
        return Response._utf8_text(text, f"{content_type}; charset=utf-8", status, reason)
    return Response(
        text=text,
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def json_bytes_response(
    data: Any = _SENTINEL,
    *,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
    dumps: Callable[[Any], bytes] = _json_bytes,
) -> Response:
    """Like :func:`json_response` for serialisers returning bytes (``orjson.dumps``).

    JSON is UTF-8 by definition (RFC 8259), so no charset parameter is added.
    """
    if data is not _SENTINEL:
        if body is not None:
            raise ValueError("only one of data or body should be specified")
        body = dumps(data)
    return Response(
        body=body, status=status, reason=reason, headers=headers, content_type=content_type
    )
