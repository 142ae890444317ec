"""What the request parser produces: a request head, body bytes, and an end marker.

``RequestParser.feed`` returns a list of events, in wire order:

* :class:`RequestHead` once a request line and its header section are complete;
* ``bytes`` for each piece of body, already de-chunked but *not* decompressed
  (decompression is the consumer's choice, see :mod:`aioweb.http.decoders`);
* :class:`EndOfMessage` when the body is complete, carrying any chunked trailers;
* :data:`CHUNK_END` after each chunk, only when the parser is asked for chunk ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ._version import HttpVersion, HttpVersion11

__all__ = ["CHUNK_END", "EMPTY_TRAILERS", "ChunkEnd", "EndOfMessage", "Event", "RequestHead"]

RawHeaders = tuple[tuple[bytes, bytes], ...]

EMPTY_TRAILERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


class RequestHead:
    """A parsed request line and header section.

    ``target`` is the raw request-target as sent (origin-, absolute-, authority- or
    asterisk-form); ``url`` is a :class:`yarl.URL` built from it on first access.
    ``raw_headers`` holds the field lines as sent, without OWS, as bytes.
    """

    __slots__ = (
        "_pairs",
        "_raw",
        "_url",
        "chunked",
        "compression",
        "content_length",
        "headers",
        "method",
        "should_close",
        "target",
        "upgrade",
        "version",
    )

    method: str
    target: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    should_close: bool
    upgrade: bool
    chunked: bool
    content_length: int | None
    compression: str | None
    _raw: RawHeaders | None
    # the parser's decoded (name, value) pairs, encoded into _raw on first access
    _pairs: list[tuple[str, str]]
    _url: URL | None

    def __init__(
        self,
        method: str,
        target: str,
        version: HttpVersion,
        headers: CIMultiDictProxy[str],
        raw_headers: RawHeaders,
        *,
        should_close: bool,
        upgrade: bool,
        chunked: bool,
        content_length: int | None,
        compression: str | None,
    ) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self._raw = raw_headers
        self.should_close = should_close
        self.upgrade = upgrade
        self.chunked = chunked
        self.content_length = content_length
        self.compression = compression
        self._url = None

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        *,
        version: HttpVersion = HttpVersion11,
        should_close: bool = False,
        upgrade: bool = False,
        chunked: bool = False,
        content_length: int | None = None,
        compression: str | None = None,
    ) -> RequestHead:
        """A head made by hand (tests, proxies, ``clone()``), not by the parser.

        ``raw_headers`` are the fields encoded as UTF-8. Nothing is validated or
        derived from the fields: framing is what the keyword arguments say.
        """
        proxy = CIMultiDictProxy(CIMultiDict(headers or ()))
        raw = tuple((name.encode(), value.encode()) for name, value in proxy.items())
        return cls(
            method,
            target,
            version,
            proxy,
            raw,
            should_close=should_close,
            upgrade=upgrade,
            chunked=chunked,
            content_length=content_length,
            compression=compression,
        )

    @property
    def raw_headers(self) -> RawHeaders:
        """The header fields as ``(name, value)`` bytes pairs, in wire order."""
        raw = self._raw
        if raw is None:
            # names are ASCII; values were read as UTF-8 with surrogateescape: lossless
            raw = self._raw = tuple(
                (name.encode("latin-1"), value.encode("utf-8", "surrogateescape"))
                for name, value in self._pairs
            )
        return raw

    @property
    def url(self) -> URL:
        """The request-target as a :class:`yarl.URL` (built once, on first access)."""
        url = self._url
        if url is None:
            url = self._url = _target_to_url(self.method, self.target)
        return url

    @property
    def has_body(self) -> bool:
        """Whether body events follow this head (chunked or a non-zero Content-Length)."""
        return self.chunked or bool(self.content_length)

    def __repr__(self) -> str:
        return (
            f"<RequestHead {self.method} {self.target!r} "
            f"HTTP/{self.version.major}.{self.version.minor}>"
        )


_new = object.__new__


def new_request_head(
    method: str,
    target: str,
    version: HttpVersion,
    headers: CIMultiDictProxy[str],
    pairs: list[tuple[str, str]],
    should_close: bool,
    upgrade: bool,
    chunked: bool,
    content_length: int | None,
    compression: str | None,
) -> RequestHead:
    """The parser's constructor: positional, and ``raw_headers`` built on first access.

    ``pairs`` are the decoded fields exactly as in ``headers`` (values read as UTF-8,
    undecodable bytes as surrogates).
    :func:`aioweb.http._parser_head.parse_heads` inlines this on its hot path: a slot
    added to :class:`RequestHead` must be set there too (a test checks every slot).
    """
    head: RequestHead = _new(RequestHead)
    head.method = method
    head.target = target
    head.version = version
    head.headers = headers
    head._pairs = pairs
    head._raw = None
    head.should_close = should_close
    head.upgrade = upgrade
    head.chunked = chunked
    head.content_length = content_length
    head.compression = compression
    head._url = None
    return head


def _target_to_url(method: str, target: str) -> URL:
    if method == "CONNECT":
        # authority-form: host:port, no path
        return URL.build(authority=target, encoded=True)
    if target == "*":
        return URL.build(path="*", encoded=True)
    if target.startswith("/"):
        # origin-form has no fragment (RFC 9112 3.2.1), but clients send one now and
        # then: it is kept apart from the path and the query, as aiohttp keeps it
        rest, _, fragment = target.partition("#")
        path, _, query = rest.partition("?")
        return URL.build(path=path, query_string=query, fragment=fragment, encoded=True)
    return URL(target, encoded=True)


class EndOfMessage:
    """The body of the current request is complete; ``trailers`` holds chunked trailers.

    Immutable, so that the parser may hand out one shared instance for every message
    without trailers.
    """

    __slots__ = ("_trailers",)

    def __init__(self, trailers: CIMultiDictProxy[str] = EMPTY_TRAILERS) -> None:
        self._trailers = trailers

    @property
    def trailers(self) -> CIMultiDictProxy[str]:
        """The trailer fields (empty unless a chunked body carried some)."""
        return self._trailers

    def __repr__(self) -> str:
        return f"<EndOfMessage trailers={len(self._trailers)}>"


class ChunkEnd:
    """One chunk of a chunked body is complete (its data and CRLF were read).

    Emitted only by ``RequestParser(chunk_boundaries=True)``, after the chunk's bytes
    events; :data:`CHUNK_END` is the one instance.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<ChunkEnd>"


#: The :class:`ChunkEnd` event.
CHUNK_END: Final = ChunkEnd()

#: What ``RequestParser.feed`` returns a list of.
Event = RequestHead | bytes | EndOfMessage | ChunkEnd
