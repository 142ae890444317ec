"""Route definitions: declare routes first (``RouteTableDef``, ``get(...)``), register later."""

from __future__ import annotations

import abc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._contracts import Handler
from ._helpers import METH_ANY
from ._routes import AbstractRoute
from ._view import AbstractView

if TYPE_CHECKING:
    from ._dispatcher import UrlDispatcher

__all__ = (
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
)

_HandlerT = TypeVar("_HandlerT", bound=Callable[..., Any])
_HandlerType = Handler | type[AbstractView]
# add_<method> exists for these; other methods go through add_route.
_SHORTCUTS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


class AbstractRouteDef(abc.ABC):
    """A route declaration that knows how to register itself on a router."""

    @abc.abstractmethod
    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """Add the declared route(s) to *router* and return them."""


@dataclass(frozen=True, repr=False)
class RouteDef(AbstractRouteDef):
    """``method path -> handler`` plus keyword arguments for the router's ``add_*``."""

    method: str
    path: str
    handler: _HandlerType
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in sorted(self.kwargs.items()))
        name = getattr(self.handler, "__name__", repr(self.handler))
        return f"<RouteDef {self.method} {self.path} -> {name!r}{extra}>"

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """``router.add_<method>(...)``, or ``add_route`` for other methods."""
        if self.method in _SHORTCUTS:
            add = getattr(router, "add_" + self.method.lower())
            return [add(self.path, self.handler, **self.kwargs)]
        return [router.add_route(self.method, self.path, self.handler, **self.kwargs)]


@dataclass(frozen=True, repr=False)
class StaticDef(AbstractRouteDef):
    """``prefix -> directory`` plus keyword arguments for ``add_static``."""

    prefix: str
    path: str | os.PathLike[str]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in sorted(self.kwargs.items()))
        return f"<StaticDef {self.prefix} -> {self.path}{extra}>"

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """``router.add_static(...)``; returns the resource's routes."""
        return list(router.add_static(self.prefix, self.path, **self.kwargs))


def route(method: str, path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare *handler* for *method* on *path*."""
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare a ``HEAD`` route."""
    return route("HEAD", path, handler, **kwargs)


def options(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare an ``OPTIONS`` route."""
    return route("OPTIONS", path, handler, **kwargs)


def get(
    path: str,
    handler: _HandlerType,
    *,
    name: str | None = None,
    allow_head: bool = True,
    **kwargs: Any,
) -> RouteDef:
    """Declare a ``GET`` route (and ``HEAD`` unless *allow_head* is false)."""
    return route("GET", path, handler, name=name, allow_head=allow_head, **kwargs)


def post(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare a ``POST`` route."""
    return route("POST", path, handler, **kwargs)


def put(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare a ``PUT`` route."""
    return route("PUT", path, handler, **kwargs)


def patch(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare a ``PATCH`` route."""
    return route("PATCH", path, handler, **kwargs)


def delete(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """Declare a ``DELETE`` route."""
    return route("DELETE", path, handler, **kwargs)


def view(path: str, handler: type[AbstractView], **kwargs: Any) -> RouteDef:
    """Declare a class-based view for every method."""
    return route(METH_ANY, path, handler, **kwargs)


def static(prefix: str, path: str | os.PathLike[str], **kwargs: Any) -> StaticDef:
    """Declare a static directory."""
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """A list of route definitions filled with decorators.

    ::

        routes = RouteTableDef()

        @routes.get("/users/{id}")
        async def user(request): ...

        router.add_routes(routes)
    """

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...

    @overload
    def __getitem__(self, index: slice) -> list[AbstractRouteDef]: ...

    def __getitem__(self, index: int | slice) -> AbstractRouteDef | list[AbstractRouteDef]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator: declare the decorated handler for *method* on *path*."""

        def decorate(handler: _HandlerT) -> _HandlerT:
            self._items.append(RouteDef(method, path, handler, kwargs))
            return handler

        return decorate

    def head(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``HEAD``."""
        return self.route("HEAD", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``GET`` (and ``HEAD``, unless ``allow_head=False``)."""
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``POST``."""
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``PUT``."""
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``PATCH``."""
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``DELETE``."""
        return self.route("DELETE", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for ``OPTIONS``."""
        return self.route("OPTIONS", path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a class-based view (every method)."""
        return self.route(METH_ANY, path, **kwargs)

    def static(self, prefix: str, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Declare a static directory."""
        self._items.append(StaticDef(prefix, path, kwargs))
