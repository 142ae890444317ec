"""The 3xx statuses: ``HTTPMove`` and its subclasses carry a Location."""

from __future__ import annotations

from ._base import HTTPRedirection, _BodyInput
from ._location import StrOrURL, url_header_value
from ._validation import LooseHeaders

__all__ = (
    "HTTPFound",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNotModified",
    "HTTPPermanentRedirect",
    "HTTPSeeOther",
    "HTTPTemporaryRedirect",
    "HTTPUseProxy",
)


class HTTPMove(HTTPRedirection):
    """Base class of the redirections that point somewhere.

    :param location: the redirect target: a ``str`` or a URL object such as
        ``yarl.URL`` (its ``str()`` is used); it must not be empty. The
        ``Location`` header gets its encoded form, the text aiohttp sends
        (``str(yarl.URL(location))``): non-ASCII characters percent-encoded as
        UTF-8, an internationalised host in punycode. :attr:`location` keeps the
        value as given. A control character in it (CR, LF, TAB, NUL, ...) is a
        ``ValueError`` rather than being silently dropped, and so is a target
        that is no URL (a bad port, an unclosed ``[``, ...).

    The keyword arguments are those of :class:`HTTPException`.
    """

    def __init__(
        self,
        location: StrOrURL,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        body: _BodyInput | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if not location:
            raise ValueError("HTTP redirects need a location to redirect to.")
        encoded = url_header_value("Location", location)
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.headers["Location"] = encoded
        self.location: StrOrURL = location
        """The redirect target as given to the constructor (a ``str``, ``yarl.URL``, ...)."""

    def _repr_details(self) -> str:
        return f" location={str(self.location)!r}"


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other: the client fetches the location with GET (use after a POST)."""

    status_code = 303


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified: no location and never a body."""

    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy (deprecated by RFC 9110; kept for aiohttp compatibility)."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect: the method and body are kept."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect: the method and body are kept."""

    status_code = 308
