"""The sans-I/O HTTP/1.1 request parser (strict RFC 9112, bounded).

Feed it bytes as they arrive; it returns events in wire order::

    parser = RequestParser()
    for event in parser.feed(data):
        if isinstance(event, RequestHead): ...    # request line and headers
        elif isinstance(event, EndOfMessage): ... # body complete (trailers attached)
        else: ...                                  # bytes: a piece of the body
    if parser.error is not None: ...               # answer parser.error.status, close

Any split of the stream gives the same events. Every protocol violation or exceeded limit
is one :class:`~aioweb.http.errors.HttpProcessingError` subclass whose ``status`` is the
answer to send, and the parser is unusable afterwards:

* if the error comes before any event of this ``feed()`` call, ``feed()`` raises it;
* if events came first (a pipelined request, or a body, completed before the bad bytes),
  ``feed()`` returns those events and records the error instead, so that earlier
  requests are still answered; :attr:`RequestParser.error` then holds it.

Either way ``error`` is set from then on, and every later ``feed()`` or ``feed_eof()``
raises an error of the same type, reason and status. Buffered data never exceeds the
configured line limits while a line is incomplete.

Trailer fields that frame or route the message or control the connection
(:data:`FORBIDDEN_TRAILERS`, RFC 9110 6.5.1) are rejected with 400; other trailer fields
are kept apart from the headers, in :attr:`EndOfMessage.trailers`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._abnf import CHUNK_LINE, SINGLE_FIELD_LINE
from ._parser_head import (
    HeadLimits,
    check_arrived_request_line,
    check_field_line,
    parse_head,
    parse_heads,
)
from .errors import (
    BadHttpMessage,
    BadStatusLine,
    HeaderFieldTooLarge,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    PayloadTooLarge,
    TooManyHeaders,
    TransferEncodingError,
)
from .message import CHUNK_END, EMPTY_TRAILERS, EndOfMessage, Event, RequestHead

__all__ = ["FORBIDDEN_TRAILERS", "Event", "RequestParser"]

# parser states
_HEAD: Final = 0
_BODY: Final = 1  # Content-Length body
_CHUNK_SIZE: Final = 2
_CHUNK_DATA: Final = 3
_CHUNK_CRLF: Final = 4
_TRAILERS: Final = 5
_UPGRADED: Final = 6
_FAILED: Final = 7

# RFC 9112 2.2 lets a server ignore "at least one" empty line before a request line
# (some clients send CRLF after a POST body); more than a few is not a client bug.
MAX_EMPTY_LINES: Final = 8
# The longest chunk-size line (size and extensions) kept while waiting for its CRLF.
MAX_CHUNK_LINE: Final = 4096
_MAX_CHUNK_SIZE: Final = 2**63 - 1
# Fields a trailer section must not carry (RFC 9110 6.5.1) and that would matter if
# anything acted on them: those that frame the message (llhttp rejects Content-Length
# and Transfer-Encoding there too), route it (a second Host), or control the connection.
# A request that sends one is rejected (400) rather than the field dropped: such a
# client disagrees with us about framing or routing. Other fields, including the
# content-describing ones that RFC 9110 also lists (llhttp accepts Content-Type there,
# and the content has already been delivered when trailers arrive), are kept in
# EndOfMessage.trailers, apart from the headers; nothing merges them.
FORBIDDEN_TRAILERS: Final = frozenset(
    {
        "content-length",
        "transfer-encoding",
        "trailer",
        "host",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
    }
)
# EndOfMessage is immutable: one instance serves every message without trailers
_END: Final = EndOfMessage()


class RequestParser:
    """Incremental, strict HTTP/1.1 request parser.

    ``max_line_size`` bounds the request line (414), ``max_field_size`` each header and
    trailer line (431), ``max_headers`` the header and trailer lines of one request
    together (431). ``max_body_size`` (None: no cap) bounds the declared or chunked body
    size (413). With ``methods`` set, a method not in it raises
    :class:`~aioweb.http.errors.MethodNotImplemented` (501). With
    ``chunk_boundaries=True`` a :class:`~aioweb.http.message.ChunkEnd` event follows the
    data of each chunk of a chunked body (aiohttp's ``readchunk()`` reports them).
    """

    __slots__ = (
        "_buf",
        "_chunk_ends",
        "_chunk_total",
        "_empty_lines",
        "_hcount",
        "_head",
        "_hline",
        "_hscan",
        "_limits",
        "_remaining",
        "_state",
        "_trailers",
        "error",
        "upgraded",
    )

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_body_size: int | None = None,
        methods: Collection[str] | None = None,
        chunk_boundaries: bool = False,
    ) -> None:
        self._chunk_ends = chunk_boundaries
        self._limits = HeadLimits(
            max_line_size,
            max_field_size,
            max_headers,
            max_body_size,
            None if methods is None else frozenset(methods),
        )
        self._buf = bytearray()
        self._state = _HEAD
        # Plain attributes, not properties: the server reads both after every read.
        #: The error that stopped the parser, or None while it is usable.
        self.error: HttpProcessingError | None = None
        #: Whether the connection left HTTP (upgrade or CONNECT): later bytes pass verbatim.
        self.upgraded = False
        # incomplete head: scan position, start of the current line, lines seen
        self._hscan = 0
        self._hline = 0
        self._hcount = 0
        self._empty_lines = 0
        self._head: RequestHead | None = None
        self._remaining = 0
        self._chunk_total = 0
        self._trailers: list[tuple[str, str]] = []

    def decline_upgrade(self) -> None:
        """Go back to HTTP after an upgrade or ``CONNECT`` that the server did not take.

        A server may ignore ``Upgrade`` (RFC 9110 7.8) and refuse a tunnel: when its
        answer was not ``101`` (nor ``2xx`` to ``CONNECT``), the connection stays in
        HTTP. Feed the bytes that :meth:`feed` returned verbatim since :attr:`upgraded`
        turned true again: they are parsed as the next requests.
        """
        if self._state != _UPGRADED:
            raise RuntimeError("no upgrade to decline")
        self._state = _HEAD
        self.upgraded = False

    @property
    def buffered(self) -> int:
        """How many bytes are held waiting for the rest of a line (bounded by the limits)."""
        return len(self._buf)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data``; return the events it completes, in wire order.

        A protocol error raises at once if no event came before it in this call;
        otherwise the events are returned and the error is recorded in :attr:`error`,
        to be raised by the next call.
        """
        if type(data) is bytes and self._state == _HEAD and not self._buf:
            # The usual cases: the buffer starts a fresh head. Errors here come before
            # any event, so they are raised at once, as the general path would.
            try:
                if data[-4:] == b"\r\n\r\n" and data[0] != 0x0D:
                    # one whole head, or several (pipelining)
                    decoded = data.decode("latin-1")
                    text: str | None = decoded
                    events: list[Event] = []
                    start = parse_heads(decoded, 0, self._limits, events, _END, True)
                    if events:
                        last = events[-1]
                        if type(last) is RequestHead:  # a body or a tunnel follows it
                            del events[-1]
                            self._start_message(last, events)
                        elif self._empty_lines:
                            self._empty_lines = 0
                    if start == len(data):
                        return events
                elif data and data[0] != 0x0D and (hend := data.find(b"\r\n\r\n")) > 0:
                    # a head and (part of) its body, as a POST arrives
                    text = None
                    head = parse_head(data[: hend + 2].decode("latin-1"), 0, hend + 2, self._limits)
                    start = hend + 4
                    length = head.content_length
                    left = (length or 0) - (len(data) - start)
                    if length and left >= 0 and not head.upgrade:
                        if self._empty_lines:
                            self._empty_lines = 0
                        if not left:
                            return [head, data[start:], _END]
                        self._head = head
                        self._remaining = left
                        self._state = _BODY
                        return [head, data[start:]] if left < length else [head]
                    events = []
                    self._start_message(head, events)  # more after it: the general path
                else:
                    text = None
                    events = []
                    start = 0
            except HttpProcessingError as exc:
                self._fail(exc)
                raise
            except Exception as exc:  # pragma: no cover - a bug; never leak it to a peer
                err = BadHttpMessage("malformed request")
                self._fail(err)
                raise err from exc
        else:
            state = self._state
            if state == _UPGRADED:
                return [bytes(data)] if data else []
            if state == _FAILED:
                self._fail_again()
            if isinstance(data, memoryview):
                return self.feed(bytes(data))  # from a buffered protocol
            text = None
            events = []
            start = 0
        buf = self._buf
        view: bytes | bytearray
        if buf:
            buf += data
            view = buf
        else:
            view = data
        try:
            pos = self._run(view, events, text, start)
        except HttpProcessingError as exc:
            self._fail(exc)
            if events:
                return events  # the error is raised by the next call
            raise
        except Exception as exc:  # pragma: no cover - a bug; never leak it to a peer
            err = BadHttpMessage("malformed request")
            self._fail(err)
            if events:
                return events
            raise err from exc
        if view is buf:
            del buf[:pos]
        elif pos < len(view):
            buf += memoryview(view)[pos:]
        return events

    def feed_eof(self) -> list[Event]:
        """The peer closed; raise :class:`BadHttpMessage` if a request was incomplete."""
        state = self._state
        if state == _FAILED:
            self._fail_again()
        if state == _UPGRADED:
            return []
        if state == _HEAD:
            if not self._buf.strip(b"\r\n"):
                self._buf.clear()
                return []
            err: HttpProcessingError = BadHttpMessage("incomplete request head")
        else:
            err = BadHttpMessage("incomplete request body")
        self._fail(err)
        raise err

    # -- internals ----------------------------------------------------------------------

    def _fail(self, exc: HttpProcessingError) -> None:
        self._state = _FAILED
        self.error = exc
        self._buf = bytearray()

    def _fail_again(self) -> None:
        exc = self.error
        if exc is None:  # pragma: no cover - _FAILED always records its error
            raise BadHttpMessage("parser failed")
        raise type(exc)(exc.reason, status=exc.status)

    def _run(self, data: bytes | bytearray, events: list[Event], text: str | None, pos: int) -> int:
        """Parse ``data`` from ``pos``, appending events; return how far it got.

        ``text`` is ``data`` decoded as latin-1, when the caller already has it.
        """
        end = len(data)
        state = self._state
        while pos < end:
            if state == _HEAD:
                # empty lines before a request line
                while data[pos] == 0x0D:
                    if pos + 1 == end:
                        return pos
                    if data[pos + 1] != 0x0A:
                        raise BadHttpMessage("bare CR before request line")
                    self._empty_lines += 1
                    if self._empty_lines > MAX_EMPTY_LINES:
                        raise BadHttpMessage("too many empty lines before request")
                    pos += 2
                    if pos == end:
                        return pos
                hscan = self._hscan  # relative to the start of this head
                hend = data.find(b"\r\n\r\n", pos + hscan - 3 if hscan > 3 else pos)
                if hend < 0:
                    self._check_partial_head(data, pos)
                    return pos
                # one latin-1 decode per head: lossless, and str is what headers hold
                if text is not None:
                    head = parse_head(text, pos, hend + 2, self._limits)
                else:
                    head = parse_head(
                        data[pos : hend + 2].decode("latin-1"), 0, hend + 2 - pos, self._limits
                    )
                pos = hend + 4
                if (
                    head.content_length is None
                    and not head.chunked
                    and not head.upgrade
                    and head.method != "CONNECT"
                    and not (self._hscan or self._empty_lines)
                ):
                    # the usual GET: no body, nothing to reset, stay in _HEAD
                    append = events.append
                    append(head)
                    append(_END)
                    if text is not None:
                        # pipelined GETs, all decoded already
                        pos = parse_heads(text, pos, self._limits, events, _END)
                else:
                    state = self._start_message(head, events)
            elif state == _BODY:
                n = self._remaining
                if end - pos <= n:
                    events.append(bytes(data[pos:]) if pos else bytes(data))
                    self._remaining = n - (end - pos)
                    pos = end
                else:
                    events.append(bytes(data[pos : pos + n]))
                    self._remaining = 0
                    pos += n
                if not self._remaining:
                    state = self._end_message(events, EMPTY_TRAILERS)
            elif state == _CHUNK_SIZE:
                i = data.find(b"\r\n", pos)
                if i < 0:
                    if end - pos > MAX_CHUNK_LINE:
                        raise TransferEncodingError("chunk line too long")
                    if _bare_cr_or_lf(data, pos, end):
                        raise TransferEncodingError("bare CR or LF in chunk line")
                    return pos
                if i - pos > MAX_CHUNK_LINE:
                    raise TransferEncodingError("chunk line too long")
                m = CHUNK_LINE.fullmatch(data, pos, i)
                if m is None:
                    raise TransferEncodingError("invalid chunk size line")
                size = int(m.group(1), 16)
                pos = i + 2
                if size > _MAX_CHUNK_SIZE:
                    raise TransferEncodingError("chunk size too large")
                if size:
                    total = self._chunk_total + size
                    cap = self._limits.max_body_size
                    if cap is not None and total > cap:
                        raise PayloadTooLarge("request body too large")
                    self._chunk_total = total
                    self._remaining = size
                    state = self._state = _CHUNK_DATA
                else:
                    self._trailers = []
                    state = self._state = _TRAILERS
            elif state == _CHUNK_DATA:
                n = self._remaining
                if end - pos <= n:
                    events.append(bytes(data[pos:]))
                    self._remaining = n - (end - pos)
                    pos = end
                else:
                    events.append(bytes(data[pos : pos + n]))
                    self._remaining = 0
                    pos += n
                if not self._remaining:
                    state = self._state = _CHUNK_CRLF
            elif state == _CHUNK_CRLF:
                if data[pos] != 0x0D:
                    raise TransferEncodingError("missing CRLF after chunk data")
                if pos + 1 == end:
                    return pos
                if data[pos + 1] != 0x0A:
                    raise TransferEncodingError("missing CRLF after chunk data")
                pos += 2
                if self._chunk_ends:
                    events.append(CHUNK_END)
                state = self._state = _CHUNK_SIZE
            elif state == _TRAILERS:
                i = data.find(b"\r\n", pos)
                if i < 0:
                    self._check_partial_field(data, pos, end)
                    return pos
                if i == pos:
                    pos += 2
                    pairs = self._trailers
                    trailers = CIMultiDictProxy(CIMultiDict(pairs)) if pairs else EMPTY_TRAILERS
                    self._trailers = []
                    state = self._end_message(events, trailers)
                else:
                    self._trailer_line(data, pos, i)
                    pos = i + 2
            else:  # _UPGRADED
                events.append(bytes(data[pos:]))
                pos = end
        return pos

    def _start_message(self, head: RequestHead, events: list[Event]) -> int:
        """Emit ``head`` (and its end if it has no body); return the next state."""
        if self._hscan or self._empty_lines:
            self._hscan = self._hline = self._hcount = self._empty_lines = 0
        events.append(head)
        if head.chunked:
            self._head = head
            self._chunk_total = 0
            self._state = _CHUNK_SIZE
        elif head.content_length:
            self._head = head
            self._remaining = head.content_length
            self._state = _BODY
        else:
            events.append(_END)
            if head.upgrade or head.method == "CONNECT":
                self._state = _UPGRADED
                self.upgraded = True
        return self._state

    def _end_message(self, events: list[Event], trailers: CIMultiDictProxy[str]) -> int:
        events.append(_END if trailers is EMPTY_TRAILERS else EndOfMessage(trailers))
        head = self._head
        self._head = None
        if head is not None and (head.upgrade or head.method == "CONNECT"):
            self._state = _UPGRADED
            self.upgraded = True
        else:
            self._state = _HEAD
        return self._state

    def _check_partial_head(self, data: bytes | bytearray, start: int) -> None:
        """Enforce limits and reject what is already wrong in an incomplete head.

        Only bytes that arrived since the last call are scanned, so a head trickling in
        byte by byte costs linear time, and no partial line grows past its limit.
        """
        limits = self._limits
        i = start + self._hline
        count = self._hcount
        # the previous scan ended at _hscan; back up one byte for a CR waiting for its LF
        scan = max(i, start + self._hscan - 1)
        while True:
            j = data.find(b"\r\n", scan)
            if j < 0:
                break
            if count == 0:
                if j - i > limits.max_line_size:
                    # The earliest fault wins, as when the bytes arrive one by one.
                    if _bare_cr_or_lf(data, i, i + limits.max_line_size + 1):
                        raise BadStatusLine("bare CR or LF in request line")
                    raise LineTooLong("request line too long")
                check_arrived_request_line(bytes(data[i:j]), limits)
            else:
                self._field_line_ok(data, i, j, count)
            count += 1
            i = scan = j + 2
        end = len(data)
        self._hline = i - start
        self._hcount = count
        self._hscan = end - start
        if count == 0:
            # The earliest fault wins: a bare CR/LF within the limit comes before the limit.
            if _bare_cr_or_lf(data, scan, min(end, i + limits.max_line_size + 2)):
                raise BadStatusLine("bare CR or LF in request line")
            if end - i > limits.max_line_size + 1:  # +1: a CR may wait for its LF
                raise LineTooLong("request line too long")
        else:
            self._check_partial_field(data, i, end, scan)

    def _field_line_ok(self, data: bytes | bytearray, i: int, j: int, count: int) -> None:
        limits = self._limits
        if j - i > limits.max_field_size:
            _early_field_fault(data, i, limits.max_field_size)
            raise HeaderFieldTooLarge("header field too large")
        if count > limits.max_headers:
            raise TooManyHeaders("too many header fields")
        if SINGLE_FIELD_LINE.fullmatch(data, i, j) is None:
            check_field_line(bytes(data[i:j]))

    def _check_partial_field(
        self, data: bytes | bytearray, i: int, end: int, scan: int | None = None
    ) -> None:
        limit = self._limits.max_field_size
        if i < end and data[i] in b" \t":
            raise InvalidHeader("obsolete line folding")
        # The earliest fault wins: a bare CR/LF within the limit comes before the limit.
        if _bare_cr_or_lf(data, i if scan is None else scan, min(end, i + limit + 2)):
            raise InvalidHeader("bare CR or LF in header section")
        if end - i > limit + 1:  # +1: a CR may wait for its LF
            raise HeaderFieldTooLarge("header field too large")

    def _trailer_line(self, data: bytes | bytearray, i: int, j: int) -> None:
        limits = self._limits
        if j - i > limits.max_field_size:
            _early_field_fault(data, i, limits.max_field_size)
            raise HeaderFieldTooLarge("trailer field too large")
        head = self._head
        used = len(head.headers) if head is not None else 0
        if used + len(self._trailers) + 1 > limits.max_headers:
            raise TooManyHeaders("too many header and trailer fields")
        m = SINGLE_FIELD_LINE.fullmatch(data, i, j)
        if m is None:
            check_field_line(bytes(data[i:j]))
            raise InvalidHeader("invalid trailer field")  # pragma: no cover
        bname, bvalue = m.groups()
        name = bname.decode("ascii")
        if name.lower() in FORBIDDEN_TRAILERS:
            raise InvalidHeader("field not allowed in trailers")
        self._trailers.append((name, bvalue.decode("utf-8", "surrogateescape")))


def _bare_cr_or_lf(data: bytes | bytearray, i: int, end: int) -> bool:
    """Whether ``data[i:end]``, which holds no CRLF, has a CR or LF that cannot be one.

    A CR in the very last position may still be followed by its LF.
    """
    if data.find(b"\n", i, end) >= 0:
        return True
    k = data.find(b"\r", i, end)
    return 0 <= k < end - 1


def _early_field_fault(data: bytes | bytearray, i: int, limit: int) -> None:
    """For a field line over ``limit``: raise the fault a byte-by-byte feed meets first."""
    if data[i] in b" \t":
        raise InvalidHeader("obsolete line folding")
    if _bare_cr_or_lf(data, i, i + limit + 1):
        raise InvalidHeader("bare CR or LF in header section")
