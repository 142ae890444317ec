"""Which content coding a response's body gets: the client's choice or the handler's.

Private to the response modules: :class:`ContentCoding` is public through them.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict, istr

if TYPE_CHECKING:
    from ._stream_response import StreamResponse
    from .request import BaseRequest

__all__ = ["ContentCoding", "add_vary", "negotiated_coding", "start_compression"]

CONTENT_ENCODING: Final = istr("Content-Encoding")
CONTENT_LENGTH: Final = istr("Content-Length")
VARY: Final = istr("Vary")


class ContentCoding(enum.Enum):
    """Content codings :meth:`StreamResponse.enable_compression` can force."""

    deflate = "deflate"
    gzip = "gzip"
    br = "br"
    zstd = "zstd"
    identity = "identity"


def negotiated_coding(resp: StreamResponse, request: BaseRequest) -> str | None:
    """The coding for ``resp``'s body: forced, or the best the client accepts; None: as is."""
    if CONTENT_ENCODING in resp._headers:
        return None  # the handler encoded the body itself
    force = resp._compression_force
    if force is not None:
        return None if force is ContentCoding.identity else force.value
    from aioweb.http.encoders import negotiate_encoding

    return negotiate_encoding(request.headers.get("Accept-Encoding", ""))


def add_vary(headers: CIMultiDict[str]) -> None:
    """Say that the body depends on Accept-Encoding (once, keeping every Vary line)."""
    values = headers.getall(VARY, ())
    for value in values:
        for token in value.split(","):
            token = token.strip(" \t").lower()
            if token == "accept-encoding" or token == "*":
                return
    if values:
        headers.add(VARY, "Accept-Encoding")
    else:
        headers[VARY] = "Accept-Encoding"


def start_compression(resp: StreamResponse, request: BaseRequest) -> str | None:
    """The coding to stream ``resp``'s body with (None: as it is); sets the headers for it."""
    coding = negotiated_coding(resp, request)
    if resp._compression_force is None:
        add_vary(resp._headers)
    if coding is None:
        return None
    resp._headers[CONTENT_ENCODING] = coding
    # Without a length the head logic frames the body: chunked on HTTP/1.1, by closing
    # the connection on HTTP/1.0.
    resp._headers.pop(CONTENT_LENGTH, None)
    return coding
