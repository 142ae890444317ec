"""``UrlDispatcher``: registration API and request resolution."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from aioweb.exceptions import HTTPMethodNotAllowed, HTTPNotFound

from ._contracts import ExpectHandler, Handler, Request, StaticResponder, path_safe
from ._helpers import METH_ANY, Generation, check_route_name
from ._index import ResolutionIndex
from ._match_info import MatchInfoError, UrlMappingMatchInfo
from ._resources import (
    ROUTE_RE,
    AbstractResource,
    DynamicResource,
    PlainResource,
    Resource,
    ResourcesView,
    RoutesView,
)
from ._routes import AbstractRoute, ResourceRoute
from ._static import StaticResource
from ._view import AbstractView

if TYPE_CHECKING:
    from ._routedef import AbstractRouteDef

__all__ = ("UrlDispatcher",)


class UrlDispatcher(Mapping[str, AbstractResource]):
    """The router: register resources and routes, then :meth:`resolve` requests.

    As a mapping it holds the *named* resources: ``router["user"]``,
    ``"user" in router``, ``len(router)``, iteration over the names.

    :param static_responder: builds responses for :meth:`add_static` routes
        (see :class:`StaticResponder`); the application layer injects it.
    """

    def __init__(self, *, static_responder: StaticResponder[Any] | None = None) -> None:
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._frozen = False
        self._static_responder = static_responder
        self._index: ResolutionIndex | None = None
        self._index_generation = -1

    # Resolution.

    async def resolve(self, request: Request) -> UrlMappingMatchInfo:
        """Find the route for *request*.

        Always returns a match info: on failure a :class:`MatchInfoError`
        whose handler raises :class:`~aioweb.exceptions.HTTPNotFound`, or
        :class:`~aioweb.exceptions.HTTPMethodNotAllowed` with ``Allow`` when
        the path exists under other methods.
        """
        index = self._index
        if index is None or self._index_generation != Generation.value:
            index = self._build_index()
        method = request.method
        allowed: set[str] = set()
        for resource in index.matched:
            match_info, methods = await resource.resolve(request)
            if match_info is not None:
                return match_info
            allowed.update(methods)

        path = path_safe(request)
        buckets = index.buckets
        segments: list[str] | None = None
        url_part = path
        while url_part:
            bucket = buckets.get(url_part)
            if bucket is not None:
                candidates = bucket.small
                if candidates is None:
                    if segments is None:
                        segments = path.split("/")
                    candidates = bucket.candidates(path, segments)
                for _, resource, fast in candidates:
                    if fast is not None:
                        match_dict = fast._match(path)
                        if match_dict is None:
                            continue
                        route = fast._routes.get(method, fast._any_route)
                        if route is not None:
                            return UrlMappingMatchInfo(match_dict, route)
                        allowed.update(fast._allowed_methods)
                    else:
                        match_info, methods = await resource.resolve(request)
                        if match_info is not None:
                            return match_info
                        allowed.update(methods)
            if url_part == "/":
                break
            url_part = url_part.rpartition("/")[0] or "/"

        if allowed:
            return MatchInfoError(HTTPMethodNotAllowed(method, allowed))
        return MatchInfoError(HTTPNotFound())

    def _build_index(self) -> ResolutionIndex:
        generation = Generation.value
        index = ResolutionIndex(self._resources)
        self._index = index
        self._index_generation = generation
        return index

    # Registration.

    @property
    def frozen(self) -> bool:
        """True after :meth:`freeze`."""
        return self._frozen

    def freeze(self) -> None:
        """Freeze every resource and refuse further registrations (``RuntimeError``)."""
        self._frozen = True
        for resource in self._resources:
            resource.freeze()
        Generation.bump()

    def register_resource(self, resource: AbstractResource) -> None:
        """Add an already-built resource (checks its name and the frozen state)."""
        if not isinstance(resource, AbstractResource):
            raise TypeError(f"Instance of AbstractResource class is required, got {resource!r}")
        if self._frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        name = resource.name
        if name is not None:
            check_route_name(name)
            if name in self._named_resources:
                raise ValueError(
                    f"Duplicate {name!r}, already handled by {self._named_resources[name]!r}"
                )
            self._named_resources[name] = resource
        if isinstance(resource, StaticResource) and resource.responder is None:
            resource.responder = self._static_responder
        self._resources.append(resource)
        Generation.bump()

    def add_resource(self, path: str, *, name: str | None = None) -> Resource:
        """A :class:`PlainResource` or :class:`DynamicResource` for *path*.

        The last registered resource is returned again when it has the same
        path and name, so that several methods share one resource.
        """
        if not isinstance(path, str):
            raise TypeError(f"path must be str, not {type(path).__name__}")
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        if self._frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        if self._resources:
            last = self._resources[-1]
            if isinstance(last, Resource) and last.name == name and last.raw_match(path):
                return last
        resource: Resource
        if "{" in path or "}" in path or ROUTE_RE.search(path):
            resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        self.register_resource(resource)
        return resource

    def add_route(
        self,
        method: str,
        path: str,
        handler: Handler | type[AbstractView],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
    ) -> ResourceRoute:
        """Register *handler* for *method* (``"*"`` for any) on *path*."""
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_get(
        self,
        path: str,
        handler: Handler | type[AbstractView],
        *,
        name: str | None = None,
        allow_head: bool = True,
        **kwargs: Any,
    ) -> ResourceRoute:
        """``GET`` route; also ``HEAD`` with the same handler unless *allow_head* is false."""
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route("HEAD", handler, **kwargs)
        return resource.add_route("GET", handler, **kwargs)

    def add_head(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``HEAD`` route."""
        return self.add_route("HEAD", path, handler, **kwargs)

    def add_options(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``OPTIONS`` route."""
        return self.add_route("OPTIONS", path, handler, **kwargs)

    def add_post(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``POST`` route."""
        return self.add_route("POST", path, handler, **kwargs)

    def add_put(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``PUT`` route."""
        return self.add_route("PUT", path, handler, **kwargs)

    def add_patch(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``PATCH`` route."""
        return self.add_route("PATCH", path, handler, **kwargs)

    def add_delete(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        """``DELETE`` route."""
        return self.add_route("DELETE", path, handler, **kwargs)

    def add_view(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> ResourceRoute:
        """A class-based view (or any handler) for every method on *path*."""
        return self.add_route(METH_ANY, path, handler, **kwargs)

    def add_static(
        self,
        prefix: str,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = 256 * 1024,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> StaticResource:
        """Serve the directory *path* under *prefix* (see :class:`StaticResource`)."""
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"prefix must start with '/': {prefix!r}")
        prefix = prefix.rstrip("/")
        resource = StaticResource(
            prefix,
            path,
            name=name,
            expect_handler=expect_handler,
            chunk_size=chunk_size,
            show_index=show_index,
            follow_symlinks=follow_symlinks,
            append_version=append_version,
            responder=self._static_responder,
        )
        self.register_resource(resource)
        return resource

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions (a :class:`RouteTableDef` or a list of ``web.get(...)``)."""
        registered: list[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered

    @property
    def static_responder(self) -> StaticResponder[Any] | None:
        """The responder given to static resources that have none of their own."""
        return self._static_responder

    @static_responder.setter
    def static_responder(self, responder: StaticResponder[Any] | None) -> None:
        previous = self._static_responder
        self._static_responder = responder
        for resource in self._resources:
            if isinstance(resource, StaticResource) and resource.responder is previous:
                resource.responder = responder

    # Introspection.

    def resources(self) -> ResourcesView:
        """Every resource, in registration order."""
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        """Every route of every resource."""
        return RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        """A read-only mapping of the named resources."""
        return MappingProxyType(self._named_resources)

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, name: object) -> bool:
        return name in self._named_resources

    def __repr__(self) -> str:
        return f"<UrlDispatcher {len(self._resources)} resources>"
