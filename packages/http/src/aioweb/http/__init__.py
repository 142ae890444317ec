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
from .message import CHUNK_END, ChunkEnd, EndOfMessage, Event, RequestHead

# -- request side (parser, decoders): names are added below this line --
# isort: split
from ._host import is_valid_host
from .decoders import SUPPORTED_DECODINGS, ContentDecoder
from .parser import RequestParser

# -- response side (serialiser, encoders, dates): names are added below this line --
# isort: split
from .dates import format_http_date, http_date, parse_http_date
from .encoders import SUPPORTED_ENCODINGS, ContentEncoder, negotiate_encoding
from .serializer import (
    REASON_PHRASES,
    ChunkedEncoder,
    build_head,
    field_line,
    reason_phrase,
    status_allows_body,
    status_line,
)

__all__ = [
    "CHUNK_END",
    "REASON_PHRASES",
    "SUPPORTED_DECODINGS",
    "SUPPORTED_ENCODINGS",
    "BadHttpMessage",
    "BadStatusLine",
    "ChunkEnd",
    "ChunkedEncoder",
    "ContentDecoder",
    "ContentEncoder",
    "ContentEncodingError",
    "EndOfMessage",
    "Event",
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
    "RequestParser",
    "TooManyHeaders",
    "TransferEncodingError",
    "UnsupportedTransferCoding",
    "UnsupportedVersion",
    "build_head",
    "field_line",
    "format_http_date",
    "http_date",
    "is_valid_host",
    "negotiate_encoding",
    "parse_http_date",
    "reason_phrase",
    "status_allows_body",
    "status_line",
]
