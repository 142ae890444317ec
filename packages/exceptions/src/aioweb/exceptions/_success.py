"""The 2xx statuses."""

from __future__ import annotations

from ._base import HTTPSuccessful

__all__ = (
    "HTTPAccepted",
    "HTTPAlreadyReported",
    "HTTPCreated",
    "HTTPIMUsed",
    "HTTPMultiStatus",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPResetContent",
)


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content: never carries a body."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content: never carries a body."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


class HTTPMultiStatus(HTTPSuccessful):
    """207 Multi-Status (WebDAV, RFC 4918); not in aiohttp."""

    status_code = 207


class HTTPAlreadyReported(HTTPSuccessful):
    """208 Already Reported (WebDAV, RFC 5842); not in aiohttp."""

    status_code = 208


class HTTPIMUsed(HTTPSuccessful):
    """226 IM Used (delta encoding, RFC 3229); not in aiohttp."""

    status_code = 226
