"""aioweb.http: the sans-I/O HTTP/1.1 protocol.

Bytes in, messages out; messages in, bytes out. No sockets, no event loop, no tasks.
"""

from ._version import HttpVersion, HttpVersion10, HttpVersion11
from .errors import (
    BadHttpMessage,
    BadStatusLine,
    ContentEncodingError,
    HeaderFieldTooLarge,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    MethodNotImplemented,
    PayloadTooLarge,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedTransferCoding,
    UnsupportedVersion,
)
from .message import EndOfMessage, RequestHead

# -- request side (parser, decoders): names are added below this line --

# -- response side (serialiser, encoders, dates): names are added below this line --

__all__ = [
    "BadHttpMessage",
    "BadStatusLine",
    "ContentEncodingError",
    "EndOfMessage",
    "HeaderFieldTooLarge",
    "HttpProcessingError",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "InvalidHeader",
    "LineTooLong",
    "MethodNotImplemented",
    "PayloadTooLarge",
    "RequestHead",
    "TooManyHeaders",
    "TransferEncodingError",
    "UnsupportedTransferCoding",
    "UnsupportedVersion",
]
