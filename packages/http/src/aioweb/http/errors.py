"""The one error type the protocol raises, with the status a server should answer.

Every violation of the protocol or of a configured limit raises a subclass of
:class:`HttpProcessingError`. It carries the HTTP status code a server should answer
with and a short, client-safe reason; nothing else escapes the parser for any input.
"""

from __future__ import annotations

__all__ = [
    "BadHttpMessage",
    "BadStatusLine",
    "ContentEncodingError",
    "HeaderFieldTooLarge",
    "HttpProcessingError",
    "InvalidHeader",
    "LineTooLong",
    "MethodNotImplemented",
    "PayloadTooLarge",
    "TooManyHeaders",
    "TransferEncodingError",
    "UnsupportedTransferCoding",
    "UnsupportedVersion",
]


class HttpProcessingError(Exception):
    """Base of every protocol error: ``status`` to answer with and a short ``reason``."""

    status: int = 400

    def __init__(self, reason: str = "Bad Request", *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if status is not None:
            self.status = status

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.reason, self.status))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} status={self.status} reason={self.reason!r}>"


def _rebuild(cls: type[HttpProcessingError], reason: str, status: int) -> HttpProcessingError:
    err = cls.__new__(cls)
    HttpProcessingError.__init__(err, reason, status=status)
    return err


class BadHttpMessage(HttpProcessingError):
    """The message is malformed (400)."""

    status = 400


class BadStatusLine(BadHttpMessage):
    """The request line cannot be parsed (400)."""


class InvalidHeader(BadHttpMessage):
    """A header field is malformed or forbidden (400)."""


class TransferEncodingError(BadHttpMessage):
    """Chunked framing or Transfer-Encoding is malformed (400)."""


class ContentEncodingError(BadHttpMessage):
    """A compressed body cannot be decoded (400)."""


class LineTooLong(HttpProcessingError):
    """The request line is longer than ``max_line_size`` (414)."""

    status = 414


class HeaderFieldTooLarge(HttpProcessingError):
    """A header or trailer field is longer than ``max_field_size`` (431)."""

    status = 431


class TooManyHeaders(HttpProcessingError):
    """More header and trailer fields than ``max_headers`` (431)."""

    status = 431


class PayloadTooLarge(HttpProcessingError):
    """The body, before or after decoding, exceeds a cap the caller set (413)."""

    status = 413


class MethodNotImplemented(HttpProcessingError):
    """The method is a valid token the caller chose not to support (501)."""

    status = 501


class UnsupportedTransferCoding(HttpProcessingError):
    """A transfer coding other than chunked (501)."""

    status = 501


class UnsupportedVersion(HttpProcessingError):
    """An HTTP version other than 1.0 or 1.1 (505)."""

    status = 505
