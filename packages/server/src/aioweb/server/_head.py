"""A response's head: the fields the server completes, its framing, its bytes.

Before a head leaves, the server adds what the handler left out (``Content-Length`` or
chunked framing, ``Content-Type`` for a body, ``Date``, ``Server``, ``Connection``), in
the response's own ``headers``, as aiohttp does. :func:`complete_head` does this for any
response. :func:`whole_head` is its shortcut for the usual in-memory response (HTTP/1.1,
a body, none of those fields set by the handler): one pass over the headers, each line
validated once and then remembered, and the same bytes as :func:`complete_head` makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from multidict import istr

from aioweb.http import HttpVersion11
from aioweb.http.dates import http_date
from aioweb.http.serializer import REASON_PHRASES, build_head, field_line, status_line

from ._coding import start_compression
from ._helpers import DEFAULT_CONTENT_TYPE

if TYPE_CHECKING:
    from ._stream_response import StreamResponse
    from .request import BaseRequest
    from .response import Response
    from .writer import StreamWriter

__all__ = ["Framing", "complete_fields", "complete_head", "head_bytes", "whole_head"]

CONTENT_TYPE: Final = istr("Content-Type")
CONTENT_LENGTH: Final = istr("Content-Length")
CONTENT_ENCODING: Final = istr("Content-Encoding")
TRANSFER_ENCODING: Final = istr("Transfer-Encoding")
CONNECTION: Final = istr("Connection")
DATE: Final = istr("Date")
SERVER: Final = istr("Server")
SET_COOKIE: Final = istr("Set-Cookie")

#: The ``Server`` header value: the product name only, never a version.
SERVER_SOFTWARE: Final = "aioweb"


#: What :func:`complete_fields` decided for the body: chunked, and the coding to
#: compress it with as it streams (None: as it is).
Framing = tuple[bool, "str | None"]


def complete_head(resp: StreamResponse, request: BaseRequest, writer: StreamWriter) -> bytes:
    """:func:`complete_fields`, then :func:`head_bytes`: the head of ``resp``."""
    return head_bytes(resp, request, writer, complete_fields(resp, request))


def complete_fields(resp: StreamResponse, request: BaseRequest) -> Framing:
    """Complete ``resp``'s headers: cookies, coding, framing, Date, Server, Connection.

    What ``on_response_prepare`` receivers see and may still change (as in aiohttp,
    whose signal is sent once the default headers are computed).
    """
    headers = resp._headers
    head = request._head
    version = head.version
    status = resp._status
    keep_alive = resp._keep_alive
    if keep_alive is None:
        keep_alive = not head.should_close and request._protocol.keeps_alive_after(request)
    no_body = status < 200 or status == 204 or status == 304
    resp._must_be_empty_body = no_body or head.method == "HEAD"

    if resp._cookies:
        from .cookies import cookie_header_values

        for value in cookie_header_values(resp._cookies):
            headers.add(SET_COOKIE, value)

    coding = None
    if resp._compression and not no_body and not resp._compression_done:
        coding = start_compression(resp, request)
    chunk = False

    if no_body:
        # Also on a 304, where a length could only repeat the 200's: aiohttp drops it.
        headers.pop(TRANSFER_ENCODING, None)
        headers.pop(CONTENT_LENGTH, None)
    elif resp._chunked:
        if version < (1, 1):
            raise RuntimeError(
                f"Using chunked encoding is forbidden for HTTP/{version[0]}.{version[1]}"
            )
        headers.pop(CONTENT_LENGTH, None)
        headers[TRANSFER_ENCODING] = "chunked"
        chunk = True
    elif CONTENT_LENGTH in headers:
        # The length frames the body. A Transfer-Encoding the handler set must not go
        # out with it (RFC 9112 6.2): a recipient would read the body as chunks.
        if TRANSFER_ENCODING in headers:
            del headers[TRANSFER_ENCODING]
    elif version >= (1, 1):
        # Chunked because no length is known: aiohttp's `chunked` stays False then
        # (it reports enable_chunked_encoding() only).
        headers[TRANSFER_ENCODING] = "chunked"
        chunk = True
    else:
        # HTTP/1.0 without a length: the body ends when the connection does.
        headers.pop(TRANSFER_ENCODING, None)
        keep_alive = False
    if not no_body and CONTENT_TYPE not in headers and headers.get(CONTENT_LENGTH) != "0":
        # No content, no type (as aiohttp): only a body gets application/octet-stream.
        headers[CONTENT_TYPE] = DEFAULT_CONTENT_TYPE
    if DATE not in headers:
        headers[DATE] = http_date()
    if SERVER not in headers:
        headers[SERVER] = SERVER_SOFTWARE
    connection = headers.get(CONNECTION)
    if connection is None:
        if not keep_alive:
            if version >= (1, 1):
                headers[CONNECTION] = "close"
        elif version < (1, 1):
            headers[CONNECTION] = "keep-alive"
    elif connection.lower() == "close":
        keep_alive = False
    resp._keep_alive = keep_alive
    return chunk, coding


def head_bytes(
    resp: StreamResponse, request: BaseRequest, writer: StreamWriter, framing: Framing
) -> bytes:
    """Serialise the completed head of ``resp``, then set the writer up for its body.

    The writer is set up (chunking, compression, no body) only once the head is built:
    a head that fails (a bad header value) leaves it as it was, for the error page that
    follows.
    """
    head = request._head
    serialised = build_head(resp._status, resp._reason, resp._headers.items(), head.version)
    chunk, coding = framing
    if resp._must_be_empty_body:
        writer.set_no_body()
    elif chunk:
        writer.enable_chunking()
    if coding is not None and head.method != "HEAD":
        writer.enable_compression(coding, strategy=resp._compression_strategy)
    return serialised


# The fields complete_head() may add, change or drop: set by the handler, they take a
# response off the shortcut (by name, lowercased).
_COMPLETED: Final = frozenset(
    {"content-length", "transfer-encoding", "date", "server", "connection"}
)
# Field lines, validated, by (name, value), of fields the shortcut may copy as they are:
# none of _COMPLETED. Bounded: cleared when full, so unique values only cost the insertion.
_LINES: Final[dict[tuple[str, str], bytes]] = {}
_LINES_MAX: Final = 512
_OCTET_STREAM_LINE: Final = field_line(CONTENT_TYPE, DEFAULT_CONTENT_TYPE)
_CLOSE_LINE: Final = field_line(CONNECTION, "close")
# (standard reason, status line) of the codes with content, for HTTP/1.1.
_STATUS_LINES: Final = {
    code: (reason, status_line(code))
    for code, reason in REASON_PHRASES.items()
    if code >= 200 and code != 204 and code != 304
}
# Content-Length values and lines by body size: the same route sends the same size.
_LENGTHS: Final[dict[int, tuple[str, bytes]]] = {}
# The Date and Server lines of the current second, and the date they were made for.
_date_lines: tuple[str, bytes] = ("", b"")


def whole_head(resp: Response, request: BaseRequest, size: int) -> bytes | None:
    """The head of ``resp``, whose ``size``-byte body goes with it; None if not plain.

    Plain: an HTTP/1.1 request other than HEAD, a status with content and its standard
    reason, no cookies to add, and none of the fields the server completes set by the
    handler. Otherwise nothing is changed, and :func:`complete_head` makes the head.
    """
    global _date_lines
    head = request._head
    status = _STATUS_LINES.get(resp._status)
    if (
        status is None
        or resp._reason != status[0]
        or head.version is not HttpVersion11
        or head.method == "HEAD"
    ):
        return None
    headers = resp._headers
    known = _LINES
    lines = [status[1]]
    try:
        for pair in headers.items():
            line = known.get(pair)
            if line is None:
                if pair[0].lower() in _COMPLETED:
                    return None
                line = field_line(*pair)
                if len(known) >= _LINES_MAX:
                    known.clear()
                known[pair] = line
            lines.append(line)
    except (TypeError, ValueError):  # unhashable, not str, not a token, a control byte
        return None  # complete_head raises the error that names the field
    keep_alive = resp._keep_alive
    if keep_alive is None:
        keep_alive = not head.should_close and request._protocol.keeps_alive_after(request)
    length = _LENGTHS.get(size)
    if length is None:
        if len(_LENGTHS) >= _LINES_MAX:
            _LENGTHS.clear()
        length = _LENGTHS[size] = (str(size), b"Content-Length: %d\r\n" % size)
    lines.append(length[1])
    headers.add(CONTENT_LENGTH, length[0])
    if size and CONTENT_TYPE not in headers:
        headers.add(CONTENT_TYPE, DEFAULT_CONTENT_TYPE)
        lines.append(_OCTET_STREAM_LINE)
    date = http_date()
    if date is not _date_lines[0]:
        _date_lines = (date, field_line(DATE, date) + field_line(SERVER, SERVER_SOFTWARE))
    lines.append(_date_lines[1])
    headers.add(DATE, date)
    headers.add(SERVER, SERVER_SOFTWARE)
    if not keep_alive:
        headers.add(CONNECTION, "close")
        lines.append(_CLOSE_LINE)
    lines.append(b"\r\n")
    resp._keep_alive = keep_alive
    resp._must_be_empty_body = False
    return b"".join(lines)
