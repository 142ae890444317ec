"""The contracts between the router and the layers above it.

The router never imports the server or the application layer. It states what it
needs from them here, as :class:`typing.Protocol` classes that they satisfy
structurally (no inheritance needed):

* :class:`Request`: what :meth:`UrlDispatcher.resolve` reads from a request;
* :class:`StaticResponder`: how a static route turns a safe file path (or a
  directory listing) into a response object of the caller's type;
* :class:`Resolver`: what a router offers to whoever dispatches requests, and
  :class:`SubApplication`: what a sub-application needs for prefix and domain
  resources.

Each contract has a static conformance check at the bottom of this module, so
``mypy`` proves that the implementations still satisfy it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from yarl import URL

if TYPE_CHECKING:
    from ._match_info import UrlMappingMatchInfo
    from ._resources import AbstractResource

__all__ = (
    "ExpectHandler",
    "Handler",
    "Request",
    "Resolver",
    "StaticResponder",
    "SubApplication",
)

_R_co = TypeVar("_R_co", covariant=True)

#: A request handler: an ``async def handler(request)`` returning a response.
#: The router passes it through untouched, so any request and response types work.
Handler = Callable[[Any], Awaitable[Any]]

#: Called before the handler when a request has an ``Expect`` header.
ExpectHandler = Callable[[Any], Awaitable[Any]]


class Request(Protocol):
    """What the router reads from a request.

    ``method`` and ``rel_url`` drive path and method matching (the path used is
    ``rel_url.path_safe``: percent-decoded except ``%2F`` and ``%25``).
    ``headers`` is read only by domain rules (:class:`Domain` reads ``Host``).

    Optionally, a request may have a ``path_safe`` string attribute equal to
    ``rel_url.path_safe``; the router then reads it instead, so that a server can skip
    building the URL (aioweb's ``BaseRequest`` does this when there is nothing to decode).
    """

    @property
    def method(self) -> str:
        """The request method, upper-case (``"GET"``)."""

    @property
    def rel_url(self) -> URL:
        """The request target as a relative URL (path and query)."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The request headers (a case-insensitive mapping in practice)."""


class StaticResponder(Protocol[_R_co]):
    """Builds responses for static routes; injected by the application layer.

    The router has already checked that *path* is a regular file inside the
    static root (or, for :meth:`index`, that listing is allowed and the HTML is
    escaped). The responder only turns it into a response.
    """

    def file(self, path: Path, chunk_size: int) -> _R_co:
        """A response that sends the file at *path*, *chunk_size* bytes at a time."""

    def index(self, html: str) -> _R_co:
        """A ``text/html`` response whose body is the directory listing *html*."""


class Resolver(Protocol):
    """Anything that maps a request to a match info: :class:`UrlDispatcher` is one."""

    async def resolve(self, request: Request, /) -> UrlMappingMatchInfo:
        """Find the route for *request*; never raises for an unknown path."""

    def resources(self) -> Collection[AbstractResource]:
        """The registered resources, in registration order."""

    def freeze(self) -> None:
        """Refuse further registrations."""


class SubApplication(Protocol):
    """What prefix and domain sub-application resources need from an application."""

    @property
    def router(self) -> Resolver:
        """The sub-application's router."""


# Static conformance checks: mypy fails here if an implementation drifts.
def _check_resolver() -> Resolver:
    from ._dispatcher import UrlDispatcher

    return UrlDispatcher()


def path_safe(request: Request) -> str:
    """The path the router matches for *request* (see :class:`Request`)."""
    fast: str | None = getattr(request, "path_safe", None)
    return fast if fast is not None else request.rel_url.path_safe
