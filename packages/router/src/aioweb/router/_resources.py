"""Resources: a path (plain, with variables, or a prefix) and the routes registered on it."""

from __future__ import annotations

import abc
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Final

from yarl import URL

from aioweb.exceptions import HTTPMethodNotAllowed

from ._contracts import ExpectHandler, Handler, Request, SubApplication, path_safe
from ._helpers import (
    METH_ANY,
    Generation,
    ascii_digits,
    quote_path,
    requote_path,
    safe_form,
    unquote_path_safe,
)
from ._match_info import UrlMappingMatchInfo
from ._routes import AbstractRoute, ResourceRoute
from ._view import AbstractView

__all__ = (
    "AbstractResource",
    "DynamicResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Resource",
    "ResourcesView",
    "RoutesView",
)

#: ``(match_info or None, methods allowed on the path)``, what ``resolve`` returns.
ResolveResult = tuple[UrlMappingMatchInfo | None, Collection[str]]

# One variable, with an optional regex that may hold one level of braces (``\d{2}``).
ROUTE_RE: Final = re.compile(r"(\{[_a-zA-Z][^{}]*(?:\{[^{}]*\}[^{}]*)*\})")
_VAR_RE: Final = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*)\}")
_VAR_WITH_RE: Final = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*):(?P<re>.+)\}")
#: The regex of a ``{name}`` variable without its own: one path segment.
DEFAULT_VAR_RE: Final = r"[^{}/]+"
_EMPTY: Final[frozenset[str]] = frozenset()


def _check_prefix(prefix: str) -> None:
    Generation.bump()
    if not prefix.startswith("/") or prefix.endswith("/") or len(prefix) < 2:
        raise ValueError(f"prefix must start with '/', not end with '/' and not be '/': {prefix!r}")


class AbstractResource(abc.ABC, Collection[AbstractRoute]):
    """Base of resources: something that matches paths and holds routes."""

    def __init__(self, *, name: str | None = None) -> None:
        self._name = name

    @property
    def name(self) -> str | None:
        """The name given at registration (for ``router[name]``), or ``None``."""
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The resource's path pattern as registered, e.g. ``/users/{id}``."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Build a URL for the resource."""

    @abc.abstractmethod
    async def resolve(self, request: Request) -> ResolveResult:
        """``(match_info, allowed)`` for *request*; ``match_info`` is ``None`` on no match."""

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix* (``/sub``) to the resource's path; used by sub-applications."""

    @abc.abstractmethod
    def get_info(self) -> Mapping[str, Any]:
        """Introspection data (``path``, ``formatter``/``pattern``, ``prefix``...)."""

    def freeze(self) -> None:
        """Called when the router is frozen."""

    @abc.abstractmethod
    def raw_match(self, path: str) -> bool:
        """True if *path* is exactly the pattern this resource was registered with."""

    def __contains__(self, route: object) -> bool:
        return any(route is own for own in self)


class Resource(AbstractResource):
    """A resource with one route per method (``*`` matches any method)."""

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._routes: dict[str, ResourceRoute] = {}
        self._any_route: ResourceRoute | None = None
        self._allowed_methods: set[str] = set()

    def add_route(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> ResourceRoute:
        """Add a route for *method*; ``RuntimeError`` if it could never be reached."""
        route = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        existing = self._routes.get(route.method, self._any_route)
        if existing is not None:
            raise RuntimeError(
                f"Added route will never be executed, method {existing.method} is already "
                "registered"
            )
        self.register_route(route)
        return route

    def register_route(self, route: ResourceRoute) -> None:
        """Attach an already-built route."""
        if not isinstance(route, ResourceRoute):
            raise TypeError(f"Instance of Route class is required, got {route!r}")
        if route.method == METH_ANY:
            self._any_route = route
        self._allowed_methods.add(route.method)
        self._routes[route.method] = route

    @abc.abstractmethod
    def _match(self, path: str) -> dict[str, str] | None:
        """The matched values for *path* (``rel_url.path_safe``), or ``None``."""

    async def resolve(self, request: Request) -> ResolveResult:
        """Match the path, then the method."""
        match_dict = self._match(path_safe(request))
        if match_dict is None:
            return None, _EMPTY
        route = self._routes.get(request.method, self._any_route)
        if route is None:
            return None, self._allowed_methods
        return UrlMappingMatchInfo(match_dict, route), self._allowed_methods

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())


class PlainResource(Resource):
    """A path without variables, matched by string equality."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(name=name)
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        self._path = path

    @property
    def canonical(self) -> str:
        """The path."""
        return self._path

    def freeze(self) -> None:
        """An empty path (a sub-application's root) becomes ``/``."""
        if not self._path:
            self._path = "/"

    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix* (spelled as the request paths that reach it are)."""
        _check_prefix(prefix)
        self._path = safe_form(prefix) + self._path

    def _match(self, path: str) -> dict[str, str] | None:
        return {} if path == self._path else None

    def raw_match(self, path: str) -> bool:
        """``path == canonical``."""
        return self._path == path

    def get_info(self) -> Mapping[str, Any]:
        """``{"path": path}``."""
        return {"path": self._path}

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """The path as a URL (no arguments are accepted)."""
        if args or kwargs:
            raise TypeError("url_for() of a plain resource takes no arguments")
        return URL.build(path=self._path, encoded=True)

    def __repr__(self) -> str:
        name = f"'{self._name}' " if self._name is not None else ""
        return f"<PlainResource {name} {self._path}>"


class DynamicResource(Resource):
    """A path with variables: ``/users/{id}``, ``/files/{name:.+}``, ``/{a}-{b}.json``.

    ``{name}`` matches one non-empty path segment (``[^{}/]+``); ``{name:regex}``
    matches *regex*, with Python's Unicode semantics except that ``\\d`` is
    ``[0-9]`` only. Matched values are percent-decoded. The fixed text is
    compared in its decoded form, so ``/hello world/{name}`` and ``/é/{name}``
    are reached by ``/hello%20world/...`` and ``/%C3%A9/...``, the URLs
    :meth:`url_for` builds (aiohttp never matches such routes). An invalid
    pattern raises ``ValueError`` at construction.
    """

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(name=name)
        if not path.startswith("/"):
            raise ValueError("path should be started with /")
        self._orig_path = path
        # (variable name or None, regex or literal text as written)
        parts: list[tuple[str | None, str]] = []
        for part in ROUTE_RE.split(path):
            if not part:
                continue
            match = _VAR_RE.fullmatch(part)
            if match is not None:
                parts.append((match["var"], DEFAULT_VAR_RE))
                continue
            match = _VAR_WITH_RE.fullmatch(part)
            if match is not None:
                parts.append((match["var"], match["re"]))
                continue
            if "{" in part or "}" in part:
                raise ValueError(f"Invalid path '{path}'['{part}']")
            parts.append((None, part))
        self._parts = parts
        self._compile()

    def _compile(self) -> None:
        # Literal text is matched as path_safe spells it and formatted as url_for does.
        pattern = "".join(
            re.escape(safe_form(text)) if var is None else f"(?P<{var}>{ascii_digits(text)})"
            for var, text in self._parts
        )
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"Bad pattern '{pattern}': {exc}") from None
        self._pattern = compiled
        self._formatter = "".join(
            requote_path(text) if var is None else "{" + var + "}" for var, text in self._parts
        )

    @property
    def canonical(self) -> str:
        """The formatter: ``/users/{id}`` (custom regexes left out)."""
        return self._formatter

    @property
    def parts(self) -> tuple[tuple[str | None, str], ...]:
        """``(variable, regex)`` or ``(None, literal)`` pieces of the pattern, in order.

        Literals are given as the router compares them (see :func:`safe_form`).
        """
        return tuple(
            (var, text if var is not None else safe_form(text)) for var, text in self._parts
        )

    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix*."""
        _check_prefix(prefix)
        self._parts.insert(0, (None, prefix))
        self._compile()

    def _match(self, path: str) -> dict[str, str] | None:
        match = self._pattern.fullmatch(path)
        if match is None:
            return None
        values = match.groupdict()
        if "%" in path:
            return {key: unquote_path_safe(value) for key, value in values.items()}
        return values

    def raw_match(self, path: str) -> bool:
        """``path`` equals the pattern this resource was registered with."""
        return self._orig_path == path

    def get_info(self) -> Mapping[str, Any]:
        """``{"formatter": ..., "pattern": compiled regex}``."""
        return {"formatter": self._formatter, "pattern": self._pattern}

    def url_for(self, *args: str, **parts: Any) -> URL:
        """Fill the variables from *parts* (values are percent-encoded)."""
        if args:
            raise TypeError("url_for() of a dynamic resource takes keyword arguments only")
        try:
            path = self._formatter.format_map({k: quote_path(str(v)) for k, v in parts.items()})
        except KeyError as exc:
            raise KeyError(f"url_for() misses the path variable {exc.args[0]!r}") from None
        return URL.build(path=path, encoded=True)

    def __repr__(self) -> str:
        name = f"'{self._name}' " if self._name is not None else ""
        return f"<DynamicResource {name} {self._formatter}>"


class PrefixResource(AbstractResource):
    """Base of resources that own every path under a prefix (static files, sub-apps)."""

    def __init__(self, prefix: str, *, name: str | None = None) -> None:
        if prefix and not prefix.startswith("/"):
            raise ValueError(f"prefix must start with '/': {prefix!r}")
        if prefix not in ("", "/") and prefix.endswith("/"):
            raise ValueError(f"prefix must not end with '/': {prefix!r}")
        super().__init__(name=name)
        self._prefix = requote_path(prefix)
        # The prefix as request paths (path_safe) spell it: what is matched.
        self._safe_prefix = safe_form(prefix)
        self._prefix2 = self._safe_prefix + "/"

    @property
    def canonical(self) -> str:
        """The prefix, percent-encoded (as in URLs)."""
        return self._prefix

    @property
    def safe_prefix(self) -> str:
        """The prefix as the router compares it with ``path_safe`` (decoded)."""
        return self._safe_prefix

    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix*."""
        _check_prefix(prefix)
        self._prefix = requote_path(prefix) + self._prefix
        self._safe_prefix = safe_form(prefix) + self._safe_prefix
        self._prefix2 = self._safe_prefix + "/"

    def raw_match(self, path: str) -> bool:
        """Always ``False``: a prefix resource is never reused by ``add_resource``."""
        return False


class PrefixedSubAppResource(PrefixResource):
    """Every path under *prefix* goes to the router of the sub-application *app*."""

    def __init__(self, prefix: str, app: SubApplication) -> None:
        super().__init__(prefix)
        self._app = app
        self.add_prefix_to_app(prefix)

    def add_prefix_to_app(self, prefix: str) -> None:
        """Prepend *prefix* to every resource of the sub-application."""
        for resource in self._app.router.resources():
            resource.add_prefix(prefix)

    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix* here and in the sub-application."""
        super().add_prefix(prefix)
        self.add_prefix_to_app(prefix)

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Always ``RuntimeError``: use the sub-application's named resources."""
        raise RuntimeError(".url_for() is not supported by sub-application root")

    def get_info(self) -> Mapping[str, Any]:
        """``{"app": app, "prefix": prefix}``."""
        return {"app": self._app, "prefix": self._prefix}

    async def resolve(self, request: Request) -> ResolveResult:
        """Resolve in the sub-application, and put it on the match info's app stack."""
        path = path_safe(request)
        if not path.startswith(self._prefix2) and path != self._safe_prefix:
            return None, _EMPTY
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        exc = match_info.http_exception
        methods = exc.allowed_methods if isinstance(exc, HTTPMethodNotAllowed) else _EMPTY
        return match_info, methods

    def __len__(self) -> int:
        return len(_routes_of(self._app.router.resources()))

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(_routes_of(self._app.router.resources()))

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


def _routes_of(resources: Collection[AbstractResource]) -> list[AbstractRoute]:
    return [route for resource in resources for route in resource]


class ResourcesView(Collection[AbstractResource]):
    """A read-only view of a router's resources, in registration order."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        return iter(self._resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Collection[AbstractRoute]):
    """A read-only view of every route of a router's resources."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes = _routes_of(resources)

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)

    def __contains__(self, route: object) -> bool:
        return route in self._routes
