"""The request head: request line, header fields and what they mean for framing.

Private to :mod:`aioweb.http.parser`. The parser hands over the head decoded as latin-1
(one decode per head, lossless). A valid head costs one regex match for the request
line, one ``findall`` for all of its fields, one multidict built from the pairs that
``findall`` returns, and a few dict lookups for the fields that govern framing. Anything
the fast path does not accept (a bad line, trailing whitespace, a limit reached) goes to a
line-by-line path that either returns the same result or raises the precise error, in
the order an incremental parse would meet it.
"""

from __future__ import annotations

import re
from typing import Final, NoReturn

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from ._abnf import SINGLE_FIELD_LINE, TOKEN_BYTES
from ._host import is_valid_host
from ._version import HttpVersion, HttpVersion10, HttpVersion11
from .errors import (
    BadHttpMessage,
    BadStatusLine,
    HeaderFieldTooLarge,
    InvalidHeader,
    LineTooLong,
    MethodNotImplemented,
    PayloadTooLarge,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedTransferCoding,
    UnsupportedVersion,
)
from .message import EndOfMessage, Event, RequestHead, new_request_head

__all__ = [
    "HeadLimits",
    "check_arrived_request_line",
    "check_field_line",
    "check_request_line",
    "parse_head",
    "parse_heads",
]

Pairs = list[tuple[str, str]]

_TCHAR: Final = r"!#$%&'*+\-.^_`|~0-9A-Za-z"

# request-line = method SP request-target SP HTTP-version CRLF          (RFC 9112 3)
# Single spaces; the target is VCHAR only. Only the two supported versions match here;
# anything else takes the slow path, which tells 505 (well-formed) from 400 (malformed).
_REQUEST_LINE: Final = re.compile(rf"([{_TCHAR}]++) ([\x21-\x7e]++) HTTP/1\.([01])\r\n")
# The same with an origin-form target, the usual case: a little cheaper to match.
_ORIGIN_REQUEST_LINE: Final = re.compile(rf"([{_TCHAR}]++) (/[\x21-\x7e]*+) HTTP/1\.([01])\r\n")

# One field line per match, from the LF that ends the previous line to the CR of its own
# CRLF (RFC 9112 5, RFC 9110 5.5): a token name, no whitespace before the colon, OWS,
# a value of VCHAR, obs-text, SP and HTAB that does not end in whitespace, then CR, and
# the LF must follow. Anything else at a line start (a bad line; the empty line that
# ends a head, when parse_heads guesses that a buffer holds one head) swallows the rest
# of the range as one last ("", "") item: since valid names are never empty, an empty
# name in the last pair is the only sign to test, and a failed guess costs no more than
# the lines before it. findall searches, so it skips the request line (which holds no
# LF) by itself. Possessive quantifiers keep the work linear for any input.
_FIELDS: Final = re.compile(
    rf"\n(?:([{_TCHAR}]++):[ \t]*+([\t\x20-\x7e\x80-\xff]*+)(?<![ \t])\r(?=\n)|(?s:.+))"
)
# The same line, alone and without its CRLF; OWS on both sides is left out of the value.
_FIELD_LINE: Final = re.compile(
    rf"([{_TCHAR}]+):[ \t]*+((?:[ \t]*+[\x21-\x7e\x80-\xff]++)*+)[ \t]*+"
)

# absolute-form starts with a URI scheme (RFC 3986 3.1) and, as http(s) URIs must, an
# authority ("//", captured up to the path, query or fragment); authority-form is
# host:port (RFC 9112 3.2.3), host being a reg-name or an IP literal, port ASCII digits.
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*://([^/?#]*+)")
_AUTHORITY: Final = re.compile(r"(?:\[[0-9A-Fa-f:.vV]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]{1,5}")
_ASCII_DIGITS: Final = re.compile(r"[0-9]{1,19}", re.ASCII)
_VERSION: Final = re.compile(rb"HTTP/([0-9])\.([0-9])")
_TARGET_FORBIDDEN: Final = re.compile(rb"[^\x21-\x7e]")

_CONTENT_LENGTH: Final = istr("Content-Length")
_TRANSFER_ENCODING: Final = istr("Transfer-Encoding")
_CONNECTION: Final = istr("Connection")
_UPGRADE: Final = istr("Upgrade")
_CONTENT_ENCODING: Final = istr("Content-Encoding")
_HOST: Final = istr("Host")

_COMPRESSIONS: Final = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
_MAX_CONTENT_LENGTH: Final = 2**63 - 1

# Connection option -> (close, keep-alive, upgrade) for the values clients usually send;
# others are tokenised on the spot. A fixed table: it never grows with input.
_ConnOptions = tuple[bool, bool, bool]


def _connection_options(value: str) -> _ConnOptions:
    tokens = {t.strip(" \t").lower() for t in value.split(",")}
    return ("close" in tokens, "keep-alive" in tokens, "upgrade" in tokens)


_KNOWN_CONNECTION: Final[dict[str, _ConnOptions]] = {
    v: _connection_options(v)
    for v in (
        "keep-alive",
        "Keep-Alive",
        "close",
        "Close",
        "upgrade",
        "Upgrade",
        "keep-alive, Upgrade",
        "Keep-Alive, Upgrade",
    )
}


class HeadLimits:
    """The limits and method filter a parser applies to every head."""

    __slots__ = (
        "max_body_size",
        "max_field_size",
        "max_headers",
        "max_line_size",
        "methods",
        "short",
    )

    def __init__(
        self,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
        max_body_size: int | None,
        methods: frozenset[str] | None,
    ) -> None:
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self.max_body_size = max_body_size
        self.methods = methods
        # a head no longer than this has no line over a line limit
        self.short = min(max_line_size, max_field_size)


def parse_head(text: str, start: int, end: int, limits: HeadLimits) -> RequestHead:
    """Parse ``text[start:end]``: a request line and field lines, each ending in CRLF.

    ``text`` is the head decoded as latin-1. Any fault raises the precise error, in the
    order an incremental parse meets it.
    """
    m = _REQUEST_LINE.match(text, start, end)
    if m is None:
        _diagnose_request_line(text, start, end, limits)
    method, target, minor = m.groups()
    short = end - start <= limits.short  # then no line can be over its limit
    if not short and m.end() - 2 - start > limits.max_line_size:
        raise LineTooLong("request line too long")
    methods = limits.methods
    if methods is not None and method not in methods:
        raise MethodNotImplemented("method not implemented")
    if target[0] != "/" or method == "CONNECT":  # not a plain origin-form
        _check_target(method, target)
    version = HttpVersion11 if minor == "1" else HttpVersion10
    if not short and end - m.end() > limits.max_field_size + 2:
        # a field block longer than one field may break a limit: check those first,
        # so that an oversized head costs no regex work
        fields = m.end()
        if text.count("\n", fields, end) > limits.max_headers or _has_long_line(
            text, fields, end, limits
        ):
            _fields_slow(text, fields, end, limits)  # raises the limit's error
    # findall skips the request line (it holds no LF) by itself
    pairs: Pairs = _FIELDS.findall(text, start, end)
    if (pairs and not pairs[-1][0]) or len(pairs) > limits.max_headers:
        # a line _FIELDS refused (it swallowed the rest), or too many
        pairs = _fields_slow(text, m.end(), end, limits)
    if not text.isascii():  # O(1): CPython knows whether a str is ASCII
        pairs = utf8_values(pairs)
    if not pairs:
        return new_request_head(
            method,
            target,
            version,
            _EMPTY,
            pairs,
            version is HttpVersion10,
            False,
            False,
            None,
            None,
        )
    md = CIMultiDict(pairs)
    if len(md.getall(_HOST, ())) > 1:
        raise InvalidHeader("duplicate Host header")
    return _finish(method, target, version, pairs, md, limits)


def utf8_values(pairs: Pairs) -> Pairs:
    """The pairs with their values read as UTF-8, as aiohttp reads them.

    The head is decoded as latin-1 to be matched; a value with bytes over 0x7F is
    re-read as UTF-8, and bytes that are not UTF-8 become lone surrogates
    (``surrogateescape``), so ``value.encode("utf-8", "surrogateescape")`` gives back
    the bytes sent. Names are tokens: ASCII.
    """
    return [
        (name, value)
        if value.isascii()
        else (name, value.encode("latin-1").decode("utf-8", "surrogateescape"))
        for name, value in pairs
    ]


def _finish(
    method: str,
    target: str,
    version: HttpVersion,
    pairs: Pairs,
    md: CIMultiDict[str],
    limits: HeadLimits,
) -> RequestHead:
    """The head whose fields are ``md``: framing, connection options, coding.

    The end of :func:`parse_head`, and of :func:`parse_heads` for a first head that is
    not plain.
    """
    content_length: int | None = None
    chunked = False
    if _TRANSFER_ENCODING in md or _CONTENT_LENGTH in md:
        content_length, chunked = _framing(method, version, md, limits)
    conn = _connection(md)
    upgrade = False
    if conn is None:
        should_close = version is HttpVersion10
    else:
        options = _KNOWN_CONNECTION.get(conn) or _connection_options(conn)
        # HTTP/1.0 closes unless keep-alive is asked for (RFC 9112 9.3)
        should_close = options[0] or (version is HttpVersion10 and not options[1])
        upgrade = options[2] and _UPGRADE in md
    compression = None
    ce = md.get(_CONTENT_ENCODING)
    if ce is not None:
        ce = ce.lower()
        if ce in _COMPRESSIONS:
            compression = ce
    return new_request_head(
        method,
        target,
        version,
        CIMultiDictProxy(md),
        pairs,
        should_close,
        upgrade,
        chunked,
        content_length,
        compression,
    )


def parse_heads(
    text: str,
    pos: int,
    limits: HeadLimits,
    events: list[Event],
    end_event: EndOfMessage,
    lone: bool = False,
) -> int:
    """Parse the heads at ``text[pos:]`` while each is a plain one; return where it stopped.

    ``text`` is decoded as latin-1; pipelining clients send heads back to back. A plain
    head has no body and keeps the connection in HTTP: an origin-form target, no
    Content-Length or Transfer-Encoding field, no upgrade. Each one appends itself and
    ``end_event`` to ``events``. The loop stops before anything else, and before
    anything that is not the simplest case (empty lines, a long head, a line that
    ``_FIELDS`` refuses, an error, an incomplete head); the general path then parses
    that head in full, and raises the precise error if it has one.

    With ``lone``, ``pos`` starts a fresh buffer that ends with CRLF CRLF: the first
    head is taken to end there, without a search, as it most often does (a ``_FIELDS``
    item that swallowed the rest tells otherwise, and where). If that first head is
    valid but not plain, it is appended alone, without ``end_event``, for the caller to
    start its message, and the result is where its body starts (errors in its framing
    fields raise: no event came before them). This is :func:`parse_head` without a
    call, cases and results per head.
    """
    size = len(text)
    if lone:
        end = size - 2
        if end - pos > limits.short:
            lone = False  # search for the end instead
    elif pos >= size or text[pos] == "\r":
        return pos
    while True:
        if not lone:
            end = text.find("\r\n\r\n", pos) + 2
            if end < 2 or end - pos > limits.short:
                return pos
        m = _ORIGIN_REQUEST_LINE.match(text, pos, end)
        if m is None:
            return pos
        method, target, minor = m.groups()
        if method == "CONNECT" or (limits.methods is not None and method not in limits.methods):
            return pos
        # findall skips the request line (it holds no LF) by itself
        pairs: Pairs = _FIELDS.findall(text, pos, end)
        if pairs and not pairs[-1][0]:  # a line _FIELDS refused, which swallowed the rest
            if not lone:
                return pos
            # Most often the empty line that ends a first head, with more after it: then
            # every line before it matched, and the pairs are those of the first head.
            end = text.find("\r\n\r\n", pos) + 2
            if end < 2 or text.count("\r\n", m.end(), end) != len(pairs) - 1:
                return pos
            del pairs[-1]
        version = HttpVersion11 if minor == "1" else HttpVersion10
        compression = None
        if pairs:
            if len(pairs) > limits.max_headers:
                return pos
            if not text.isascii():  # O(1): CPython knows whether a str is ASCII
                pairs = utf8_values(pairs)
            md = CIMultiDict(pairs)
            if len(md.getall(_HOST, ())) > 1:
                return pos
            if _TRANSFER_ENCODING in md or _CONTENT_LENGTH in md:
                if lone:
                    events.append(_finish(method, target, version, pairs, md, limits))
                    return end + 2
                return pos
            conns = md.getall(_CONNECTION, None)
            if conns is None:
                should_close = version is HttpVersion10
            elif conns == _KEEP_ALIVE:  # what browsers send
                should_close = False
            else:
                conn = conns[0] if len(conns) == 1 else ", ".join(conns)
                options = _KNOWN_CONNECTION.get(conn) or _connection_options(conn)
                if options[2] and _UPGRADE in md:
                    if lone:
                        events.append(_finish(method, target, version, pairs, md, limits))
                        return end + 2
                    return pos
                should_close = options[0] or (version is HttpVersion10 and not options[1])
            if _CONTENT_ENCODING in md:
                ce = md[_CONTENT_ENCODING].lower()
                if ce in _COMPRESSIONS:
                    compression = ce
            headers = CIMultiDictProxy(md)
        else:
            should_close = version is HttpVersion10
            headers = _EMPTY
        # new_request_head(), inlined on the hot path: a Python call is ~3% of a request
        head: RequestHead = _new(RequestHead)
        head.method = method
        head.target = target
        head.version = version
        head.headers = headers
        head._pairs = pairs
        head._raw = None
        head.should_close = should_close
        head.upgrade = False
        head.chunked = False
        head.content_length = None
        head.compression = compression
        head._url = None
        events.append(head)
        events.append(end_event)
        pos = end + 2
        if pos >= size or text[pos] == "\r":
            return pos
        lone = False


def _connection(md: CIMultiDict[str]) -> str | None:
    """The Connection options, all of its field lines joined (RFC 9110 5.3)."""
    values = md.getall(_CONNECTION, None)
    if values is None:
        return None
    return values[0] if len(values) == 1 else ", ".join(values)


_KEEP_ALIVE: Final = ["keep-alive"]
_new = object.__new__
_EMPTY: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


def _framing(
    method: str, version: HttpVersion, md: CIMultiDict[str], limits: HeadLimits
) -> tuple[int | None, bool]:
    """Content-Length and chunked from the framing fields (RFC 9112 6.1, 6.3)."""
    content_length: int | None = None
    chunked = False
    if _TRANSFER_ENCODING in md:
        if _CONTENT_LENGTH in md:
            raise BadHttpMessage("both Content-Length and Transfer-Encoding")
        if version is HttpVersion10:
            raise TransferEncodingError("Transfer-Encoding in an HTTP/1.0 request")
        _check_transfer_coding(md.getall(_TRANSFER_ENCODING))
        chunked = True
    else:
        content_length = _content_length(md.getall(_CONTENT_LENGTH))
        if limits.max_body_size is not None and content_length > limits.max_body_size:
            raise PayloadTooLarge("request body too large")
    if method == "CONNECT":
        # A CONNECT request has no content (RFC 9110 9.3.6): whatever follows the head
        # belongs to the tunnel, whatever the framing headers say.
        return None, False
    return content_length, chunked


def _content_length(values: list[str]) -> int:
    if len(values) == 1:
        value = values[0]
        # The usual case: one field of ASCII digits (isdigit() alone takes other scripts),
        # short enough to be below _MAX_CONTENT_LENGTH whatever the digits.
        if value.isascii() and value.isdigit() and len(value) < 19:
            return int(value)
    # Identical duplicates, as separate fields or as a list, may be merged (RFC 9110 8.6);
    # anything else is ambiguous framing.
    found: str | None = None
    for value in values:
        for item in value.split(","):
            item = item.strip(" \t")
            if _ASCII_DIGITS.fullmatch(item) is None:
                raise BadHttpMessage("invalid Content-Length")
            if found is not None and int(item) != int(found):
                raise BadHttpMessage("conflicting Content-Length values")
            found = item
    if found is None:  # pragma: no cover - split() yields at least one item
        raise BadHttpMessage("invalid Content-Length")
    length = int(found)
    if length > _MAX_CONTENT_LENGTH:
        raise BadHttpMessage("Content-Length too large")
    return length


def _check_transfer_coding(values: list[str]) -> None:
    codings: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip(" \t")
            if item:  # empty list elements are ignored (RFC 9110 5.6.1)
                codings.append(item.lower())
    if not codings:
        raise TransferEncodingError("empty Transfer-Encoding")
    for i, coding in enumerate(codings):
        name = coding.partition(";")[0].rstrip(" \t")
        # values are read as UTF-8: a non-ASCII byte comes back as itself, never a tchar
        if TOKEN_BYTES.fullmatch(name.encode("utf-8", "surrogateescape")) is None:
            raise TransferEncodingError("invalid Transfer-Encoding")
        if name == "chunked":
            if i != len(codings) - 1:
                # chunked must be the final coding, and appear once (RFC 9112 6.1)
                raise TransferEncodingError("chunked is not the final transfer coding")
            if coding != "chunked":
                raise TransferEncodingError("parameters on chunked")
        else:
            raise UnsupportedTransferCoding("unsupported transfer coding")
    if codings[-1] != "chunked":  # pragma: no cover - the loop raises first
        raise TransferEncodingError("chunked is not the final transfer coding")


def _check_target(method: str, target: str) -> None:
    if method == "CONNECT":
        if _AUTHORITY.fullmatch(target) is None or not is_valid_host(target):
            raise BadStatusLine("CONNECT needs an authority-form target")
        return
    if target == "*":
        if method != "OPTIONS":
            raise BadStatusLine("asterisk-form is for OPTIONS only")
        return
    if target[:1] == "/":
        return
    m = _SCHEME.match(target)
    if m is None:
        raise BadStatusLine("invalid request target")
    # The authority of an absolute-form target stands in for Host (RFC 9112 3.2.2): its
    # host and port must be as valid, the host not empty (RFC 9110 4.2.1); the URL must
    # build. Userinfo is accepted, as llhttp and aiohttp accept it.
    host = m.group(1).rpartition("@")[2]
    if not host or host[0] == ":" or not is_valid_host(host):
        raise BadStatusLine("invalid authority in request target")
    try:
        URL(target, encoded=True)
    except (ValueError, UnicodeError):
        raise BadStatusLine("invalid request target") from None


def _diagnose_request_line(text: str, start: int, end: int, limits: HeadLimits) -> NoReturn:
    le = text.find("\r\n", start, end)
    if le - start > limits.max_line_size:
        # The earliest fault wins, as when the bytes arrive one by one.
        within = text[start : start + limits.max_line_size + 1]
        if "\n" in within or "\r" in within:
            raise BadStatusLine("bare CR or LF in request line")
        raise LineTooLong("request line too long")
    check_request_line(text[start:le].encode("latin-1"))
    raise BadStatusLine("invalid request line")  # pragma: no cover - check raised


def check_arrived_request_line(line: bytes, limits: HeadLimits) -> None:
    """Check a complete request line of a head still arriving, as :func:`parse_head` would.

    The same checks in the same order (after the line limit, which the caller applies):
    syntax and version, the method filter, the request-target form; so that a head fed
    byte by byte fails with the status it gets when it arrives whole.
    """
    check_request_line(line)
    method, target, _ = line.decode("latin-1").split(" ")
    if limits.methods is not None and method not in limits.methods:
        raise MethodNotImplemented("method not implemented")
    if target[0] != "/" or method == "CONNECT":
        _check_target(method, target)


def check_request_line(line: bytes) -> None:
    """Validate a complete request line (without CRLF); raise the precise error."""
    parts = line.split(b" ")
    if len(parts) != 3 or not all(parts):
        if b"\n" in line or b"\r" in line:
            raise BadStatusLine("bare CR or LF in request line")
        raise BadStatusLine("malformed request line")
    method, target, version = parts
    if TOKEN_BYTES.fullmatch(method) is None:
        raise BadStatusLine("invalid method")
    if _TARGET_FORBIDDEN.search(target) is not None:
        raise BadStatusLine("invalid character in request target")
    m = _VERSION.fullmatch(version)
    if m is None:
        raise BadStatusLine("invalid HTTP version")
    if m.group(1) != b"1" or m.group(2) not in (b"0", b"1"):
        raise UnsupportedVersion("HTTP version not supported")


def field_pair(line: str) -> tuple[str, str] | None:
    """``(name, value)`` of one field line (latin-1 text, no CRLF), or None if invalid."""
    m = _FIELD_LINE.fullmatch(line)
    if m is None:
        return None
    name, value = m.groups()
    return name, value


def check_field_line(line: bytes | bytearray) -> None:
    """Validate one complete field line (without CRLF); raise the precise error."""
    if SINGLE_FIELD_LINE.fullmatch(line) is not None:
        return
    if not line:
        raise InvalidHeader("empty field line")
    if line[0] in b" \t":
        raise InvalidHeader("obsolete line folding")
    if b"\n" in line or b"\r" in line:
        raise InvalidHeader("bare CR or LF in header section")
    name, sep, _ = line.partition(b":")
    if not sep:
        raise InvalidHeader("missing colon in field line")
    if TOKEN_BYTES.fullmatch(name) is None:
        raise InvalidHeader("invalid field name")
    raise InvalidHeader("invalid character in field value")


def _fields_slow(text: str, start: int, end: int, limits: HeadLimits) -> Pairs:
    """Parse ``text[start:end]`` (field lines, the last ending in CRLF) line by line."""
    pairs: Pairs = []
    # The block ends with CRLF; split() leaves an empty last item.
    for number, line in enumerate(text[start:end].split("\r\n")[:-1], 1):
        if len(line) > limits.max_field_size:
            # The earliest fault wins, as when the bytes arrive one by one.
            within = line[: limits.max_field_size + 1]
            if line[:1] in (" ", "\t"):
                raise InvalidHeader("obsolete line folding")
            if "\n" in within or "\r" in within:
                raise InvalidHeader("bare CR or LF in header section")
            raise HeaderFieldTooLarge("header field too large")
        if number > limits.max_headers:
            # faults that a byte-by-byte feed meets before the line is complete come first
            if line[:1] in (" ", "\t"):
                raise InvalidHeader("obsolete line folding")
            if "\n" in line or "\r" in line:
                raise InvalidHeader("bare CR or LF in header section")
            raise TooManyHeaders("too many header fields")
        pair = field_pair(line)
        if pair is None:
            check_field_line(line.encode("latin-1"))
            raise InvalidHeader("malformed header section")  # pragma: no cover
        pairs.append(pair)
    return pairs


def _has_long_line(text: str, start: int, end: int, limits: HeadLimits) -> bool:
    limit = limits.max_field_size
    while start < end:
        i = text.find("\r\n", start, end)
        if i < 0:
            i = end
        if i - start > limit:
            return True
        start = i + 2
    return False
