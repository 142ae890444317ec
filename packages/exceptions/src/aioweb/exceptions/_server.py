"""The 5xx statuses."""

from __future__ import annotations

from ._base import HTTPServerError

__all__ = (
    "HTTPBadGateway",
    "HTTPGatewayTimeout",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLoopDetected",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNotExtended",
    "HTTPNotImplemented",
    "HTTPServiceUnavailable",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
)


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPLoopDetected(HTTPServerError):
    """508 Loop Detected (WebDAV, RFC 5842); not in aiohttp."""

    status_code = 508


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511
