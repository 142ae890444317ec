"""The 4xx statuses."""

from __future__ import annotations

from collections.abc import Iterable

from ._base import HTTPClientError, _BodyInput
from ._location import StrOrURL, url_header_value
from ._validation import LooseHeaders, check_header

__all__ = (
    "HTTPBadRequest",
    "HTTPConflict",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPGone",
    "HTTPImATeapot",
    "HTTPLengthRequired",
    "HTTPLocked",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPNotAcceptable",
    "HTTPNotFound",
    "HTTPPaymentRequired",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPTooEarly",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
)


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed.

    :param method: the request method that was refused (stored upper-cased).
    :param allowed_methods: the methods the resource accepts; they go to the
        ``Allow`` header, sorted and comma-separated.
    """

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        body: _BodyInput | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        # A one-shot iterator must serve both the header and the set.
        allowed = set(allowed_methods)
        allow = ",".join(sorted(allowed))
        check_header("Allow", allow)
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.headers["Allow"] = allow
        self.method = method.upper()
        """The refused request method, upper-cased."""
        self.allowed_methods: set[str] = allowed
        """The methods the resource accepts."""

    def _repr_details(self) -> str:
        return f" method={self.method!r} allowed={sorted(self.allowed_methods)!r}"


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413 Content Too Large (Request Entity Too Large).

    :param max_size: the body size limit that was exceeded.
    :param actual_size: the size seen so far (kept as :attr:`actual_size`;
        aiohttp accepts it too but leaves it out of the message).

    Unless *text* or *body* is given the body is
    ``"Maximum request body size <max_size> exceeded."`` as in aiohttp.
    """

    status_code = 413

    def __init__(
        self,
        max_size: float,
        actual_size: float = 0,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        body: _BodyInput | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if text is None and body is None:
            text = f"Maximum request body size {max_size} exceeded."
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.max_size = max_size
        """The limit that was exceeded."""
        self.actual_size = actual_size
        """The body size the server saw (may be a lower bound)."""


class HTTPRequestURITooLong(HTTPClientError):
    """414 URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPImATeapot(HTTPClientError):
    """418 I'm a Teapot (RFC 2324, reserved by RFC 9110); not in aiohttp."""

    status_code = 418


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Content."""

    status_code = 422


class HTTPLocked(HTTPClientError):
    """423 Locked (WebDAV, RFC 4918); not in aiohttp."""

    status_code = 423


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPTooEarly(HTTPClientError):
    """425 Too Early (RFC 8470: replayable early data refused); not in aiohttp."""

    status_code = 425


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons (RFC 7725).

    :param link: where the blocking authority is described (``str``, a URL
        object such as ``yarl.URL``, or ``None``); when given the response
        carries ``Link: <link>; rel="blocked-by"`` with the link encoded as a
        redirect's ``Location`` is.
    """

    status_code = 451

    def __init__(
        self,
        link: StrOrURL | None,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        body: _BodyInput | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        link_value = ""
        if link:
            link_value = f'<{url_header_value("Link", link)}>; rel="blocked-by"'
            check_header("Link", link_value)
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self._link = link or None
        if link_value:
            self.headers["Link"] = link_value

    @property
    def link(self) -> StrOrURL | None:
        """The ``blocked-by`` link as given (aiohttp returns a ``yarl.URL``), or ``None``."""
        return self._link
