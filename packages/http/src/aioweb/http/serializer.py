"""Response serialisation: the status line and header section, and chunked framing.

Everything here validates what it writes. A header name must be an RFC 9110 token and
a value or reason phrase must hold no control character other than HTAB: a CR or LF
that reached the wire would let whoever controls the value forge a second response
(response splitting, CVE-2026-34519/-34520).

Header values are encoded as UTF-8, as aiohttp encodes them, with ``surrogateescape``:
a value read by the parser (which reads values as UTF-8 and keeps other bytes as lone
surrogates) is sent back as the very bytes that came in. Other lone surrogates cannot
be encoded and raise :class:`ValueError`. Reason phrases are encoded the same way
(aiohttp writes them as UTF-8 too, and its client reads them so).
Non-ASCII header values are legal octets but many recipients misread them: prefer
RFC 8187 (``filename*=UTF-8''...``) or percent-encoding where a standard offers one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ._abnf import FIELD_VALUE_FORBIDDEN, is_token, is_valid_field_value
from ._status import REASON_PHRASES
from ._version import HttpVersion, HttpVersion10, HttpVersion11

__all__ = [
    "REASON_PHRASES",
    "ChunkedEncoder",
    "build_head",
    "field_line",
    "reason_phrase",
    "status_allows_body",
    "status_line",
]

# Bytes no field value may hold: the controls other than HTAB, CR and LF included
# (RFC 9110 5.5). A serialised header section holds exactly two of them per field, the
# CR LF that ends the line, so deleting them all must shorten it by exactly that much;
# any other control, or a CR or LF that came from a value (response splitting), makes it
# shorter still. (Deleting this short set is faster than deleting the allowed bytes.)
_CONTROL_BYTES: Final = bytes([*range(0x09), *range(0x0A, 0x20), 0x7F])

# Header names are nearly always the same few constants, so each name is checked against
# the token grammar once and remembered (str hashes are cached, the lookup is cheap).
# Bounded, so that names built from input cannot grow it without limit.
_TOKEN_NAMES: Final[set[str]] = set()
_TOKEN_NAMES_MAX: Final = 1024


# Whole field lines, validated once, by (name, value): response fields repeat (Server,
# Date within its second, Content-Type, common lengths, Vary, Cache-Control...), and a
# lookup is several times cheaper than checking and encoding the line again. Bounded:
# cleared when full, so unique values (cookies, ETags) only cost the insertion.
_LINES: Final[dict[tuple[str, str], bytes]] = {}
_LINES_MAX: Final = 512


def _new_name(name: str) -> bool:
    """Check a name not seen before; remember it if it is a token, raise if it is not."""
    # str subclasses are welcome (CIMultiDict keys are multidict.istr); remember the plain str.
    if not isinstance(name, str) or not is_token(name):
        raise ValueError(f"invalid field name {name!r}")
    if len(_TOKEN_NAMES) < _TOKEN_NAMES_MAX:
        _TOKEN_NAMES.add(str(name))
    return True


def _status_line(version: HttpVersion, status: int, reason: str) -> bytes:
    line = f"HTTP/{version.major}.{version.minor} {int(status)} {reason}\r\n"
    return line.encode("utf-8", "surrogateescape")


# Status lines for every known code and both common versions, built once at import.
_STATUS_LINES: Final[dict[HttpVersion, dict[int, bytes]]] = {
    version: {code: _status_line(version, code, text) for code, text in REASON_PHRASES.items()}
    for version in (HttpVersion11, HttpVersion10)
}


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status``, or ``""`` for an unregistered code."""
    return REASON_PHRASES.get(status, "")


def status_allows_body(status: int) -> bool:
    """Whether a response with ``status`` may carry content (False for 1xx, 204 and 304).

    A response to HEAD never carries content either; that depends on the request, so it
    is the caller's check.
    """
    return status >= 200 and status != 204 and status != 304


def _check_status(status: object) -> int:
    if isinstance(status, bool) or not isinstance(status, int):
        raise ValueError(f"HTTP status must be an int, not {type(status).__name__}")
    if not 100 <= status <= 999:
        raise ValueError(f"HTTP status must be in 100..999, got {status}")
    return status


def _build_status_line(status: int, reason: str | None, version: HttpVersion) -> bytes:
    status = _check_status(status)
    if reason is None:
        reason = REASON_PHRASES.get(status, "")
    elif not isinstance(reason, str) or FIELD_VALUE_FORBIDDEN.search(reason) is not None:
        raise ValueError(f"invalid character in reason phrase {reason!r}")
    major, minor = version
    if not (0 <= major <= 9 and 0 <= minor <= 9):
        raise ValueError(f"unsupported HTTP version {version!r}")
    try:
        return _status_line(version, status, reason)
    except UnicodeEncodeError:
        raise ValueError(f"reason phrase {reason!r} cannot be encoded") from None


def _field_error(fields: Iterable[tuple[str, str]], what: str) -> ValueError:
    # Slow path, only after the fast check failed: name the offending field. An iterator
    # is spent by now, so its error cannot say which field it was.
    for name, value in fields:
        if not isinstance(name, str) or not is_token(name):
            return ValueError(f"invalid {what} name {name!r}")
        if not isinstance(value, str) or not is_valid_field_value(value):
            return ValueError(f"invalid character in {what} {name!r} value {value!r}")
        try:
            value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return ValueError(f"{what} {name!r} value {value!r} cannot be encoded")
    return ValueError(f"invalid {what} section")


def field_line(name: str, value: str) -> bytes:
    """One validated field line, ``name: value CRLF``, as bytes (the value UTF-8).

    Raises :class:`ValueError` for a name that is not a token or a value with a control
    character other than HTAB, :class:`TypeError` for a name or value that is not a str.

    >>> field_line("Content-Length", "2")
    b'Content-Length: 2\\r\\n'
    """
    if name not in _TOKEN_NAMES:
        _new_name(name)
    # UTF-8 bytes of non-ASCII text are all over 0x7F: no control byte can come of them
    line = (name + ": " + value + "\r\n").encode("utf-8", "surrogateescape")
    if len(line.translate(None, _CONTROL_BYTES)) != len(line) - 2:
        raise ValueError("control character in field value")
    return line


def _serialize_fields(fields: Iterable[tuple[str, str]], what: str) -> bytes:
    """``name: value CRLF`` for each field, validated, as bytes (values UTF-8)."""
    lines = _LINES
    out: list[bytes] = []
    try:
        for pair in fields:
            try:
                line = lines.get(pair)
            except TypeError:  # not hashable (a list pair, say): no caching
                out.append(field_line(*pair))
                continue
            if line is None:
                line = field_line(*pair)
                if len(lines) >= _LINES_MAX:
                    lines.clear()
                lines[pair] = line
            out.append(line)
    except (TypeError, ValueError):  # not a token, not a str, not a pair, not encodable
        raise _field_error(fields, what) from None
    return b"".join(out)


def build_head(
    status: int,
    reason: str | None,
    headers: Iterable[tuple[str, str]],
    version: HttpVersion = HttpVersion11,
) -> bytes:
    """Serialise a response head: status line, header fields and the empty line.

    ``reason=None`` (or the standard phrase) uses a prebuilt status line. ``headers`` are
    written in the given order, exactly as given (the caller adds Date, Content-Length and
    the like). Raises :class:`ValueError` for a status outside 100..999, a name that is not
    a token, a reason or value with CR, LF, NUL or another control character (HTAB is
    allowed), or a reason or value that UTF-8 cannot encode (a lone surrogate other
    than those ``surrogateescape`` makes of bytes).

    >>> build_head(200, None, [("Content-Length", "2")])
    b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n'
    """
    return status_line(status, reason, version) + _serialize_fields(headers, "header") + b"\r\n"


def status_line(
    status: int, reason: str | None = None, version: HttpVersion = HttpVersion11
) -> bytes:
    """The status line with its CRLF; prebuilt for a registered code and its own phrase.

    Raises :class:`ValueError` as :func:`build_head` does for the status and reason.

    >>> status_line(404)
    b'HTTP/1.1 404 Not Found\\r\\n'
    """
    lines = _STATUS_LINES.get(version)
    # type() rather than isinstance: 200.0 == 200 would otherwise find the cached line.
    line = lines.get(status) if lines is not None and type(status) is int else None
    if line is None or (reason is not None and reason != REASON_PHRASES[status]):
        line = _build_status_line(status, reason, version)
    return line


class ChunkedEncoder:
    """Frames a body with the chunked transfer coding (RFC 9112 section 7.1).

    ``encode`` each piece of data, then ``end`` once. An empty piece encodes to ``b""``:
    a zero-size chunk would end the body early.
    """

    __slots__ = ("_ended",)

    def __init__(self) -> None:
        self._ended = False

    @property
    def ended(self) -> bool:
        """Whether :meth:`end` has been called."""
        return self._ended

    def encode(self, data: bytes) -> bytes:
        """One chunk holding ``data`` (``b""`` if ``data`` is empty)."""
        if self._ended:
            raise RuntimeError("chunked body already ended")
        size = len(data)
        if not size:
            return b""
        return b"%x\r\n%b\r\n" % (size, data)

    def end(self, trailers: Iterable[tuple[str, str]] | None = None) -> bytes:
        """The last chunk, the trailer fields (validated like headers) and the final CRLF."""
        if self._ended:
            raise RuntimeError("chunked body already ended")
        fields = b"" if trailers is None else _serialize_fields(trailers, "trailer")
        self._ended = True
        return b"0\r\n" + fields + b"\r\n"
