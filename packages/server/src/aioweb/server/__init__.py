"""aioweb.server: the low-level HTTP server, requests and responses.

``Server(handler)`` is a protocol factory for ``loop.create_server``; ``handler`` is
``async (BaseRequest) -> StreamResponse``. See docs/server.md.
"""

from ._contracts import Handler, RequestFactory
from ._helpers import RequestKey, ResponseKey
from .accesslog import AbstractAccessLogger, AccessLogger
from .headers import ETag
from .legacy import ServerHttpProtocol
from .multipart import BodyPartReader, FileField, MultipartReader
from .protocol import RequestHandler
from .request import BaseRequest
from .response import (
    ContentCoding,
    Response,
    StreamResponse,
    json_bytes_response,
    json_response,
)
from .server import Server
from .streams import (
    EMPTY_PAYLOAD,
    EmptyStreamReader,
    PayloadAccessError,
    RequestPayloadError,
    StreamReader,
)
from .writer import StreamWriter

__all__ = [
    "EMPTY_PAYLOAD",
    "AbstractAccessLogger",
    "AccessLogger",
    "BaseRequest",
    "BodyPartReader",
    "ContentCoding",
    "ETag",
    "EmptyStreamReader",
    "FileField",
    "Handler",
    "MultipartReader",
    "PayloadAccessError",
    "RequestFactory",
    "RequestHandler",
    "RequestKey",
    "RequestPayloadError",
    "Response",
    "ResponseKey",
    "Server",
    "ServerHttpProtocol",
    "StreamReader",
    "StreamResponse",
    "StreamWriter",
    "json_bytes_response",
    "json_response",
]
