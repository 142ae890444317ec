"""Routes: a method and a handler bound to a resource, and the system route for errors."""

from __future__ import annotations

import abc
import functools
import inspect
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from yarl import URL

from aioweb.exceptions import HTTPException, HTTPExpectationFailed

from ._contracts import ExpectHandler, Handler
from ._helpers import METH_ANY, check_method
from ._view import AbstractView

if TYPE_CHECKING:
    from ._resources import AbstractResource

__all__ = ("AbstractRoute", "ResourceRoute", "SystemRoute", "default_expect_handler")


async def default_expect_handler(request: Any) -> None:
    """Answer ``Expect: 100-continue``; refuse any other expectation with 417.

    For ``100-continue`` it calls ``request.send_continue()`` when the request
    has one (the layer that owns the connection provides it). Without that
    method the interim response is left to the server, which is where aioweb
    sends it. Other expectations raise :class:`~aioweb.exceptions.HTTPExpectationFailed`.
    """
    expect = request.headers.get("Expect", "")
    if not expect:
        return
    if expect.lower() != "100-continue":
        raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
    send_continue = getattr(request, "send_continue", None)
    if send_continue is not None:
        await send_continue()


def _is_async(func: object) -> bool:
    return inspect.iscoroutinefunction(func) or (
        isinstance(func, functools.partial) and inspect.iscoroutinefunction(func.func)
    )


def _wrap_plain_handler(handler: Any) -> Handler:
    warnings.warn("Bare functions are deprecated, use async ones", DeprecationWarning, stacklevel=4)

    @functools.wraps(handler)
    async def wrapper(request: Any) -> Any:
        result = handler(request)
        if inspect.isawaitable(result):
            result = await result
        return result

    return wrapper


class AbstractRoute(abc.ABC):
    """A handler for one method (or ``*`` for any) of a resource.

    :param method: an HTTP method token, stored upper-cased; ``ValueError`` if invalid.
    :param handler: an ``async def handler(request)`` or a :class:`View` subclass.
    :param expect_handler: a coroutine function called for ``Expect`` headers.
    :param resource: the resource the route belongs to, if any.
    """

    def __init__(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        *,
        expect_handler: ExpectHandler | None = None,
        resource: AbstractResource | None = None,
    ) -> None:
        if expect_handler is None:
            expect_handler = default_expect_handler
        if not _is_async(expect_handler):
            raise TypeError(f"Coroutine is expected, got {expect_handler!r}")
        method = check_method(method) if method != METH_ANY else METH_ANY
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        if not (
            _is_async(handler)
            or (isinstance(handler, type) and issubclass(handler, AbstractView))
            or inspect.iscoroutinefunction(type(handler).__call__)
        ):
            handler = _wrap_plain_handler(handler)
        self._method = method
        self._handler: Any = handler
        self._expect_handler = expect_handler
        self._resource = resource

    @property
    def method(self) -> str:
        """The upper-case method, or ``"*"`` for any method."""
        return self._method

    @property
    def handler(self) -> Handler:
        """The request handler (a :class:`View` subclass is callable like one)."""
        handler: Handler = self._handler
        return handler

    @property
    @abc.abstractmethod
    def name(self) -> str | None:
        """The route's name (its resource's name), or ``None``."""

    @property
    def resource(self) -> AbstractResource | None:
        """The resource the route belongs to."""
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> Mapping[str, Any]:
        """Introspection data about the route."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Build a URL for the route."""

    async def handle_expect_header(self, request: Any) -> Any:
        """Run the expect handler for *request*."""
        return await self._expect_handler(request)


class ResourceRoute(AbstractRoute):
    """A route registered on a :class:`Resource`."""

    def __init__(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        resource: AbstractResource,
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> None:
        super().__init__(method, handler, expect_handler=expect_handler, resource=resource)
        self._owner = resource

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self.method}] {self._resource} -> {self._handler!r}>"

    @property
    def name(self) -> str | None:
        """The name of the resource."""
        return self._owner.name

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Same as the resource's ``url_for``."""
        return self._owner.url_for(*args, **kwargs)

    def get_info(self) -> Mapping[str, Any]:
        """The resource's info."""
        return self._owner.get_info()


class SystemRoute(AbstractRoute):
    """The route of a failed resolution: its handler raises the HTTP exception.

    :param http_exception: the exception the handler raises.
    :type http_exception: aioweb.exceptions.HTTPException
    """

    def __init__(self, http_exception: HTTPException) -> None:
        super().__init__(METH_ANY, self._handle)
        self._http_exception = http_exception

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Always raises ``RuntimeError``: a system route has no URL."""
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    @property
    def name(self) -> None:
        """Always ``None``."""
        return None

    def get_info(self) -> Mapping[str, Any]:
        """``{"http_exception": exc}``."""
        return {"http_exception": self._http_exception}

    async def _handle(self, request: Any) -> Any:
        raise self._http_exception

    @property
    def status(self) -> int:
        """The status code of the exception."""
        return self._http_exception.status

    @property
    def reason(self) -> str:
        """The reason phrase of the exception."""
        return self._http_exception.reason

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"
