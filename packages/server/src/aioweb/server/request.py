"""The request a handler receives: :class:`BaseRequest`.

Everything derived from the head (URL, query, cookies, conditional headers, ...)
is computed on first access and cached, so a handler pays only for what it uses.
The body is read through :attr:`BaseRequest.content`; :meth:`BaseRequest.read`
enforces ``client_max_size`` while reading, before anything is buffered past it, and
:meth:`BaseRequest.post` refuses more than ``client_max_fields`` form fields.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from multidict import CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from aioweb.http.errors import ContentEncodingError, HttpProcessingError, PayloadTooLarge
from aioweb.http.message import RequestHead

from ._helpers import RequestKey, reify
from .streams import EMPTY_PAYLOAD, EmptyStreamReader, StreamReader, finished_stream

if TYPE_CHECKING:
    from aioweb.http._version import HttpVersion

    from ._legacy_payload import RawRequestMessage
    from .headers import ETag
    from .multipart import FormValue, MultipartReader
    from .protocol import RequestHandler
    from .response import StreamResponse
    from .writer import StreamWriter

__all__ = ["BaseRequest", "RequestKey"]

_T = TypeVar("_T")

#: aiohttp's default body cap for ``read()``/``post()``: 1 MiB.
DEFAULT_CLIENT_MAX_SIZE: Final = 1024**2
#: aiohttp's default cap on the number of form fields ``post()`` accepts.
DEFAULT_CLIENT_MAX_FIELDS: Final = 1000
_POST_METHODS: Final = frozenset({"DELETE", "PATCH", "POST", "PUT", "TRACE"})
_FORM_TYPES: Final = frozenset({"", "application/x-www-form-urlencoded", "multipart/form-data"})

_UNSET: Any = object()

#: ``hook(request, response)``, awaited before a response's head is built.
PrepareHook = Callable[["BaseRequest", "StreamResponse"], Awaitable[None]]


def _relative_part(url: URL) -> URL:
    """The path, query and fragment of an absolute *url*; an empty path is ``/``.

    Only for an absolute-form target: an authority-form one (``CONNECT h:443``) has
    no path at all, and keeps the empty one.
    """
    relative = url.relative()
    if relative.raw_path or not url.scheme:
        return relative
    return URL.build(
        path="/",
        query_string=relative.raw_query_string,
        fragment=relative.raw_fragment,
        encoded=True,
    )


class BaseRequest(MutableMapping[str | RequestKey[Any], Any]):
    """An HTTP request as seen by a low-level handler.

    It is a mutable mapping for per-request state (``request["key"]`` or a typed
    :class:`RequestKey`). Build one through the server's ``request_factory``.
    """

    __slots__ = (
        "__weakref__",
        "_cache",
        "_client_max_fields",
        "_client_max_size",
        "_head",
        "_headers",
        "_on_prepare",
        "_overrides",
        "_payload",
        "_post",
        "_protocol",
        "_read_bytes",
        "_state",
        "_task",
        "_writer",
    )

    def __init__(
        self,
        head: RequestHead,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: StreamWriter,
        task: asyncio.Task[None],
        *,
        client_max_size: int = DEFAULT_CLIENT_MAX_SIZE,
        client_max_fields: int = DEFAULT_CLIENT_MAX_FIELDS,
        state: dict[Any, Any] | None = None,
        scheme: str | None = None,
        host: str | None = None,
        remote: str | None = None,
        headers: CIMultiDictProxy[str] | None = None,
        rel_url: URL | None = None,
    ) -> None:
        self._head = head
        self._payload = payload
        #: Awaited by ``StreamResponse.prepare`` before the head is built (the app layer
        #: fires ``on_response_prepare`` through it); None costs nothing per response.
        self._on_prepare: PrepareHook | None = None
        self._protocol = protocol
        self._writer = writer
        self._task = task
        self._client_max_size = client_max_size
        self._client_max_fields = client_max_fields
        self._state = {} if state is None else state
        self._headers = head.headers if headers is None else headers
        self._read_bytes: bytes | None = None
        self._post: MultiDictProxy[FormValue] | None = None
        cache: dict[str, Any] = {}
        self._cache = cache
        # scheme/host/remote given by clone() (or a request factory), kept by later clones
        self._overrides: dict[str, str] | None = None
        if scheme is not None or host is not None or remote is not None:
            overrides = {
                name: value
                for name, value in (("scheme", scheme), ("host", host), ("remote", remote))
                if value is not None
            }
            cache.update(overrides)
            self._overrides = overrides
        if rel_url is not None:
            cache["rel_url"] = rel_url
        if client_max_size and payload is not EMPTY_PAYLOAD:
            # Decompression stops at the same cap as read(): no zip bombs.
            payload.max_decoded_size = client_max_size

    def clone(
        self,
        *,
        method: str | object = _UNSET,
        rel_url: str | URL | object = _UNSET,
        headers: Mapping[str, str] | object = _UNSET,
        scheme: str | object = _UNSET,
        host: str | object = _UNSET,
        remote: str | object = _UNSET,
        client_max_size: int | object = _UNSET,
        client_max_fields: int | object = _UNSET,
    ) -> BaseRequest:
        """A copy of this request with some head fields replaced (same body and state)."""
        if self._read_bytes is not None:
            raise RuntimeError("Cannot clone request after reading its content")
        from ._request_head import replaced_head

        new_head, new_rel_url = replaced_head(
            self._head,
            method=None if method is _UNSET else str(method),
            rel_url=None if rel_url is _UNSET else rel_url,  # type: ignore[arg-type]
            headers=None if headers is _UNSET else headers,  # type: ignore[arg-type]
        )
        # Only values set explicitly carry over; computed ones follow the new head.
        kwargs: dict[str, Any] = dict(self._overrides or ())
        for name, value in (("scheme", scheme), ("host", host), ("remote", remote)):
            if value is not _UNSET:
                kwargs[name] = value
        clone = type(self)(
            new_head,
            self._payload,
            self._protocol,
            self._writer,
            self._task,
            client_max_size=self._client_max_size
            if client_max_size is _UNSET
            else int(client_max_size),  # type: ignore[arg-type]
            client_max_fields=self._client_max_fields
            if client_max_fields is _UNSET
            else int(client_max_fields),  # type: ignore[arg-type]
            state=self._state.copy(),
            headers=new_head.headers,
            rel_url=new_rel_url if new_rel_url is not None else self._cache.get("rel_url"),
            **kwargs,
        )
        clone._on_prepare = self._on_prepare
        return clone

    # -- connection ------------------------------------------------------------

    @property
    def task(self) -> asyncio.Task[None]:
        """The task serving this request."""
        return self._task

    @property
    def protocol(self) -> RequestHandler:
        """The connection's protocol object."""
        return self._protocol

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport, or None once the connection is lost."""
        return self._protocol.transport

    @property
    def writer(self) -> StreamWriter:
        """The body writer of this request's response."""
        return self._writer

    @property
    def client_max_size(self) -> int:
        """The cap on the body size for :meth:`read` and :meth:`post` (0: none)."""
        return self._client_max_size

    @property
    def client_max_fields(self) -> int:
        """The most form fields :meth:`post` accepts, 413 past it (0 or less: no limit)."""
        return self._client_max_fields

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop (deprecated: use :func:`asyncio.get_running_loop`)."""
        warnings.warn("request.loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._task.get_loop()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``transport.get_extra_info(name)``, or ``default`` without a transport."""
        transport = self._protocol.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    @reify
    def scheme(self) -> str:
        """``"https"`` over TLS, else ``"http"`` (unless clone() says otherwise).

        The scheme of an absolute-form target is the peer's claim, not a fact about
        the connection: it is not used (as in aiohttp 3.14.5), so ``secure`` cannot be
        faked by writing ``GET https://...`` on a plain connection.
        """
        return "https" if self.get_extra_info("sslcontext") else "http"

    @property
    def secure(self) -> bool:
        """True when :attr:`scheme` is ``https``."""
        return self.scheme == "https"

    @reify
    def host(self) -> str:
        """The Host header (or the absolute URL's authority, else this machine's FQDN)."""
        url = self._head.url
        if url.absolute and url.host is not None:
            return url.host  # the target's host, without its port (as aiohttp)
        host = self._headers.get("Host")
        if host is not None:
            return host
        # No Host (HTTP/1.0): the local address the request came in on, never a DNS lookup.
        sockname = self.get_extra_info("sockname")
        if isinstance(sockname, (list, tuple)):
            return f"[{sockname[0]}]" if len(sockname) == 4 else str(sockname[0])
        return "" if sockname is None else str(sockname)

    @reify
    def remote(self) -> str | None:
        """The peer's address (IP for TCP), or None when unknown."""
        peer = self.get_extra_info("peername")
        if isinstance(peer, (list, tuple)):
            return str(peer[0])
        return None if peer is None else str(peer)

    @reify
    def forwarded(self) -> tuple[MappingProxyType[str, str], ...]:
        """The parsed ``Forwarded`` headers (RFC 7239), one mapping per element."""
        from .forwarded import parse_forwarded

        return parse_forwarded(self._headers.getall("Forwarded", ()))

    # -- request line ----------------------------------------------------------

    @property
    def method(self) -> str:
        """The request method (``GET``, ``POST``, ...)."""
        return self._head.method

    @property
    def version(self) -> HttpVersion:
        """The HTTP version as ``HttpVersion(major, minor)``."""
        return self._head.version

    @reify
    def message(self) -> RawRequestMessage:
        """Deprecated: the parsed head as aiohttp's ``RawRequestMessage`` tuple.

        ``path`` is the target as sent; the other fields are the request's own.
        """
        warnings.warn("Request.message is deprecated", DeprecationWarning, stacklevel=3)
        from ._request_head import raw_message

        return raw_message(self._head, self._headers)

    @reify
    def rel_url(self) -> URL:
        """The request target as a relative :class:`yarl.URL` (path and query).

        An absolute-form target with an empty path (``GET http://h HTTP/1.1``) has
        the path ``/`` (RFC 9110 section 4.2.3); aiohttp leaves it empty, a path
        no route matches.
        """
        url = self._head.url
        return _relative_part(url) if url.absolute else url

    @reify
    def url(self) -> URL:
        """The absolute URL: :attr:`scheme`, :attr:`host` and :attr:`rel_url`.

        For an absolute-form target it is the target itself (its port and path as
        sent), with the connection's :attr:`scheme` and clone()'s host, as in aiohttp.
        """
        target = self._head.url
        # (unless clone() gave another rel_url)
        if target.absolute and self.rel_url == _relative_part(target):
            url = target.with_scheme(self.scheme) if target.scheme else target
            host = (self._overrides or {}).get("host")
            return url if host is None else url.with_host(host)
        return URL.build(scheme=self.scheme, authority=self.host).join(self.rel_url)

    @property
    def path(self) -> str:
        """The decoded path of the URL."""
        fast = self._plain_path()
        return fast if fast is not None else self.rel_url.path

    @property
    def path_safe(self) -> str:
        """The path as a router matches it: decoded except ``%2F`` and ``%25``.

        Same as ``rel_url.path_safe``; aioweb's router reads this attribute so that
        a request with nothing to decode never builds a :class:`yarl.URL`.
        """
        fast = self._plain_path()
        return fast if fast is not None else self.rel_url.path_safe

    def _plain_path(self) -> str | None:
        # The path part of an origin-form target with nothing to decode, else None.
        if "rel_url" in self._cache:
            return None  # set by clone(rel_url=...) or already built
        target = self._head.target
        if target[:1] != "/" or "%" in target or "#" in target:
            return None
        return target.partition("?")[0]

    @property
    def raw_path(self) -> str:
        """The request target as sent (still percent-encoded, with the query)."""
        return self._head.target

    @property
    def path_qs(self) -> str:
        """The path followed by ``?query`` when there is one (as ``str(rel_url)``)."""
        if "rel_url" not in self._cache:
            target = self._head.target
            # An origin-form target that the URL would give back unchanged.
            if (
                target[:1] == "/"
                and target[1:2] != "/"
                and target[-1] != "?"
                and "#" not in target
                and target.isascii()
            ):
                return target
        return str(self.rel_url)

    @property
    def query(self) -> MultiDictProxy[str]:
        """The query parameters."""
        return self.rel_url.query

    @property
    def query_string(self) -> str:
        """The decoded query string (without ``?``)."""
        return self.rel_url.query_string

    # -- headers ---------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The request headers (case-insensitive, read-only)."""
        return self._headers

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The request headers as received, as bytes pairs."""
        return self._head.raw_headers

    @property
    def keep_alive(self) -> bool:
        """Whether the client allows the connection to be reused."""
        return not self._head.should_close

    @reify
    def cookies(self) -> Mapping[str, str]:
        """The cookies of the ``Cookie`` header (read-only)."""
        from .cookies import parse_cookie_header

        return MappingProxyType(parse_cookie_header(self._headers.get("Cookie", "")))

    @reify
    def _content_type(self) -> tuple[str, Mapping[str, str]]:
        from .headers import parse_content_type

        return parse_content_type(self._headers.get("Content-Type"))

    @property
    def content_type(self) -> str:
        """The media type of Content-Type (``application/octet-stream`` if absent)."""
        return self._content_type[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type, or None."""
        return self._content_type[1].get("charset")

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, or None."""
        return self._head.content_length

    @reify
    def http_range(self) -> slice:
        """The ``Range`` header as a slice (raises ValueError when malformed)."""
        from .headers import parse_range

        return parse_range(self._headers.get("Range"))

    def _date_header(self, name: str) -> datetime | None:
        from .headers import parse_http_date_header

        return parse_http_date_header(self._headers.get(name))

    @reify
    def if_modified_since(self) -> datetime | None:
        """The ``If-Modified-Since`` header as an aware datetime, or None."""
        return self._date_header("If-Modified-Since")

    @reify
    def if_unmodified_since(self) -> datetime | None:
        """The ``If-Unmodified-Since`` header as an aware datetime, or None."""
        return self._date_header("If-Unmodified-Since")

    @reify
    def if_range(self) -> datetime | None:
        """The ``If-Range`` header as an aware datetime, or None."""
        return self._date_header("If-Range")

    @reify
    def if_match(self) -> tuple[ETag, ...] | None:
        """The ``If-Match`` entity tags, or None when absent."""
        from .headers import parse_etag_list

        return parse_etag_list(self._headers.get("If-Match"))

    @reify
    def if_none_match(self) -> tuple[ETag, ...] | None:
        """The ``If-None-Match`` entity tags, or None when absent."""
        from .headers import parse_etag_list

        return parse_etag_list(self._headers.get("If-None-Match"))

    # -- body ------------------------------------------------------------------

    @property
    def content(self) -> StreamReader:
        """The body stream (read it in pieces for bodies of any size)."""
        return self._payload

    @property
    def body_exists(self) -> bool:
        """True if the request was sent with a body (even an unread one)."""
        return not isinstance(self._payload, EmptyStreamReader)

    @property
    def can_read_body(self) -> bool:
        """True while part of the body is left to read."""
        return not self._payload.at_eof()

    @property
    def has_body(self) -> bool:
        """Deprecated alias of :attr:`can_read_body`."""
        warnings.warn(
            "Deprecated, use .can_read_body (aiohttp #2005)", DeprecationWarning, stacklevel=2
        )
        return self.can_read_body

    async def read(self) -> bytes:
        """Read the whole body (cached); 413 once it passes ``client_max_size``."""
        if self._read_bytes is not None:
            return self._read_bytes
        cap = self._client_max_size
        length = self._head.content_length
        if cap and length is not None and length > cap and not self._head.compression:
            raise HTTPRequestEntityTooLarge(max_size=cap, actual_size=length)
        payload = self._payload
        whole = payload.take_complete() if type(payload) is StreamReader else None
        if whole is not None:  # the body is all here already: no waiting, no copy
            if cap and len(whole) > cap:
                raise HTTPRequestEntityTooLarge(max_size=cap, actual_size=len(whole))
            self._read_bytes = whole
            return whole
        body = bytearray()
        try:
            while True:
                chunk = await payload.readany()
                if not chunk:
                    break
                body += chunk
                if cap and len(body) > cap:
                    raise HTTPRequestEntityTooLarge(max_size=cap, actual_size=len(body))
        except PayloadTooLarge:
            raise HTTPRequestEntityTooLarge(max_size=cap, actual_size=cap + 1) from None
        except ContentEncodingError:
            raise HTTPBadRequest(text="Can not decode content-encoding") from None
        except HttpProcessingError as exc:
            raise HTTPBadRequest(text=exc.reason) from None
        self._read_bytes = bytes(body)
        return self._read_bytes

    async def text(self) -> str:
        """The body decoded with :attr:`charset` (UTF-8 when absent).

        A body not valid in its charset raises a 400 that is also a ``ValueError``
        (aiohttp: ``UnicodeDecodeError``); an unknown charset, one that is also a
        ``LookupError`` (as in aiohttp).
        """
        from .forms import MalformedBody, UnknownCharset

        body = await self.read()
        encoding = self.charset or "utf-8"
        try:
            return body.decode(encoding)
        except LookupError:
            raise UnknownCharset(f"Unsupported charset {encoding!r}") from None
        except UnicodeDecodeError:
            raise MalformedBody("Body is not valid text") from None

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        """The body parsed with ``loads`` (``json.loads`` by default)."""
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """A reader over a ``multipart/*`` body, part by part."""
        from .multipart import MultipartReader

        return MultipartReader(self._headers, self._payload, max_size=self._client_max_size)

    async def post(self) -> MultiDictProxy[FormValue]:
        """The form fields of a urlencoded or multipart body (empty for other types).

        413 (:class:`~aioweb.exceptions.HTTPRequestEntityTooLarge`) past
        ``client_max_size`` bytes or ``client_max_fields`` fields, with aiohttp's texts.
        """
        if self._post is not None:
            return self._post
        if self.method not in _POST_METHODS or self.content_type not in _FORM_TYPES:
            self._post = MultiDictProxy(MultiDict())
            return self._post
        if self.content_type == "multipart/form-data":
            from .multipart import read_form

            # A body read() already read is parsed from memory (aiohttp fails there).
            # multipart/* has no charset parameter: text parts without their own
            # charset (or a _charset_ field) are UTF-8, as in aiohttp.
            form = await read_form(
                self._headers,
                self._payload if self._read_bytes is None else finished_stream(self._read_bytes),
                max_size=self._client_max_size,
                max_fields=self._client_max_fields,
            )
            self._post = MultiDictProxy(form)
        else:
            from .forms import parse_urlencoded

            fields = parse_urlencoded(
                await self.read(),
                charset=self.charset or "utf-8",
                max_fields=self._client_max_fields,
            )
            self._post = MultiDictProxy(MultiDict(fields))
        return self._post

    def _close_uploads(self) -> None:
        """Close the temporary files of uploaded form fields (called when the request ends)."""
        post = self._post
        if not post:
            return
        from .multipart import FileField

        for value in post.values():
            if isinstance(value, FileField):
                value.file.close()

    async def release(self) -> None:
        """Drop the unread rest of the body without decoding it."""
        self._payload.discard()

    # -- mapping, identity, repr -----------------------------------------------

    @overload
    def __getitem__(self, key: RequestKey[_T]) -> _T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: str | RequestKey[_T]) -> Any:
        return self._state[key]

    @overload
    def __setitem__(self, key: RequestKey[_T], value: _T) -> None: ...
    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __setitem__(self, key: str | RequestKey[_T], value: Any) -> None:
        self._state[key] = value

    def __delitem__(self, key: str | RequestKey[Any]) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str | RequestKey[Any]]:
        return iter(self._state)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        path = self.raw_path
        return f"<{type(self).__name__} {self.method} {path} >"
