"""aioweb.server: the low-level HTTP server, requests and responses.

``Server(handler)`` is a protocol factory for ``loop.create_server``; ``handler`` is
``async (BaseRequest) -> StreamResponse``. See docs/server.md.
"""

from ._contracts import Handler, RequestFactory
from ._helpers import RequestKey, ResponseKey
from .accesslog import AbstractAccessLogger, AccessLogger
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
from .streams import EMPTY_PAYLOAD, EmptyStreamReader, StreamReader
from .writer import StreamWriter

__all__ = [
    "EMPTY_PAYLOAD",
    "AbstractAccessLogger",
    "AccessLogger",
    "BaseRequest",
    "ContentCoding",
    "EmptyStreamReader",
    "Handler",
    "RequestFactory",
    "RequestHandler",
    "RequestKey",
    "Response",
    "ResponseKey",
    "Server",
    "StreamReader",
    "StreamResponse",
    "StreamWriter",
    "json_bytes_response",
    "json_response",
]
