"""The request head: request line, header fields and what they mean for framing.

Private to :mod:`aioweb.http.parser`. The common case (a valid head) costs one regex
match for the request line, one ``findall`` for every field and a handful of dict
lookups; the precise reason for a rejection is worked out only on the error path.
"""

from __future__ import annotations

import re
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy, istr

from ._abnf import REQUEST_LINE_STRICT, SINGLE_FIELD_LINE, TOKEN_BYTES
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
from .message import RequestHead

__all__ = ["HeadLimits", "check_field_line", "check_request_line", "parse_head"]

RawPairs = list[tuple[bytes, bytes]]

# One field line, anchored just after the LF that ends the previous line (a lookbehind,
# because ``findall`` with a start offset does not honour ``^``). Names are tokens with no
# whitespace before the colon; values hold VCHAR, obs-text, SP and HTAB only (no CR, LF,
# NUL or other CTL); OWS on both sides of the value is left out of the group
# (RFC 9112 5, RFC 9110 5.5). Every field of a valid block matches back to back, so
# "as many matches as LFs" proves the whole block is valid.
_FIELD: Final = re.compile(
    rb"(?<=\n)([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*"
    rb"((?:[ \t]*+[\x21-\x7e\x80-\xff]++)*+)[ \t]*\r\n"
)

# absolute-form starts with a URI scheme (RFC 3986 3.1) and, as http(s) URIs must, an
# authority ("//"); authority-form is host:port (RFC 9112 3.2.3), host being a reg-name
# or an IP literal, port ASCII digits.
_SCHEME: Final = re.compile(rb"[A-Za-z][A-Za-z0-9+\-.]*://")
_AUTHORITY: Final = re.compile(
    rb"(?:\[[0-9A-Fa-f:.vV]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]{1,5}"
)
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

# Decoding the handful of usual methods once saves a decode per request.
_METHODS: Final[dict[bytes, str]] = {
    m.encode(): m
    for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
}


class HeadLimits:
    """The limits and method filter a parser applies to every head."""

    __slots__ = ("max_body_size", "max_field_size", "max_headers", "max_line_size", "methods")

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


def parse_head(data: bytes, start: int, end: int, limits: HeadLimits) -> RequestHead:
    """Parse ``data[start:end]``: a request line and field lines, each ending in CRLF."""
    le = data.find(b"\r\n", start, end)
    if le - start > limits.max_line_size:
        raise LineTooLong("request line too long")
    m = REQUEST_LINE_STRICT.fullmatch(data, start, le)
    if m is None:
        check_request_line(data[start:le])
        raise BadStatusLine("invalid request line")  # pragma: no cover - check raised
    bmethod, btarget, minor = m.groups()
    method = _METHODS.get(bmethod) or bmethod.decode("ascii")
    if limits.methods is not None and method not in limits.methods:
        raise MethodNotImplemented("method not implemented")
    target = btarget.decode("ascii")
    if btarget[0] != 0x2F or method == "CONNECT":  # not a plain origin-form
        _check_target(method, btarget)
    version = HttpVersion11 if minor == b"1" else HttpVersion10

    hstart = le + 2
    if hstart < end:
        count = data.count(b"\n", hstart, end)
        if count > limits.max_headers or (
            end - hstart > limits.max_field_size + 2
            and _has_long_line(data, hstart, end, limits.max_field_size)
        ):
            _diagnose_fields(data[hstart:end], limits)
        raw: RawPairs = _FIELD.findall(data, hstart, end)
        if len(raw) != count:
            _diagnose_fields(data[hstart:end], limits)
        pairs = [(n.decode("ascii"), v.decode("latin-1")) for n, v in raw]
        headers = CIMultiDictProxy(CIMultiDict(pairs))
        return _semantics(method, target, version, headers, tuple(raw), limits)
    return RequestHead(
        method,
        target,
        version,
        _EMPTY,
        (),
        should_close=version is HttpVersion10,
        upgrade=False,
        chunked=False,
        content_length=None,
        compression=None,
    )


_EMPTY: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


def _semantics(
    method: str,
    target: str,
    version: HttpVersion,
    headers: CIMultiDictProxy[str],
    raw: tuple[tuple[bytes, bytes], ...],
    limits: HeadLimits,
) -> RequestHead:
    getall = headers.getall
    hosts = getall(_HOST, None)
    if hosts is not None and len(hosts) > 1:
        raise InvalidHeader("duplicate Host header")

    content_length: int | None = None
    chunked = False
    te = getall(_TRANSFER_ENCODING, None)
    cl = getall(_CONTENT_LENGTH, None)
    if te is not None:
        if cl is not None:
            raise BadHttpMessage("both Content-Length and Transfer-Encoding")
        if version is HttpVersion10:
            raise TransferEncodingError("Transfer-Encoding in an HTTP/1.0 request")
        _check_transfer_coding(te)
        chunked = True
    elif cl is not None:
        content_length = _content_length(cl)
        if limits.max_body_size is not None and content_length > limits.max_body_size:
            raise PayloadTooLarge("request body too large")

    if method == "CONNECT":
        # A CONNECT request has no content (RFC 9110 9.3.6): whatever follows the head
        # belongs to the tunnel, whatever the framing headers say.
        content_length = None
        chunked = False

    conn = headers.get(_CONNECTION)
    upgrade = False
    if conn is None:
        should_close = version is HttpVersion10
    else:
        tokens = {t.strip(" \t").lower() for t in conn.split(",")}
        if version is HttpVersion10:
            should_close = "keep-alive" not in tokens or "close" in tokens
        else:
            should_close = "close" in tokens
        upgrade = "upgrade" in tokens and _UPGRADE in headers

    compression = None
    ce = headers.get(_CONTENT_ENCODING)
    if ce is not None:
        ce = ce.lower()
        if ce in _COMPRESSIONS:
            compression = ce

    return RequestHead(
        method,
        target,
        version,
        headers,
        raw,
        should_close=should_close,
        upgrade=upgrade,
        chunked=chunked,
        content_length=content_length,
        compression=compression,
    )


def _content_length(values: list[str]) -> int:
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
        if TOKEN_BYTES.fullmatch(name.encode("latin-1")) is None:
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


def _check_target(method: str, target: bytes) -> None:
    if method == "CONNECT":
        if _AUTHORITY.fullmatch(target) is None:
            raise BadStatusLine("CONNECT needs an authority-form target")
        return
    if target == b"*":
        if method != "OPTIONS":
            raise BadStatusLine("asterisk-form is for OPTIONS only")
        return
    if target[:1] == b"/":
        return
    if _SCHEME.match(target) is None:
        raise BadStatusLine("invalid request target")


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


def _diagnose_fields(block: bytes, limits: HeadLimits) -> None:
    """Find the first bad line of a header block, in the order an incremental parse would."""
    # The block ends with CRLF; split() leaves an empty last item.
    for number, line in enumerate(block.split(b"\r\n")[:-1], 1):
        if len(line) > limits.max_field_size:
            raise HeaderFieldTooLarge("header field too large")
        if number > limits.max_headers:
            raise TooManyHeaders("too many header fields")
        check_field_line(line)
    raise InvalidHeader("malformed header section")  # pragma: no cover - defensive


def _has_long_line(data: bytes, start: int, end: int, limit: int) -> bool:
    while start < end:
        i = data.find(b"\r\n", start, end)
        if i < 0:
            i = end
        if i - start > limit:
            return True
        start = i + 2
    return False
