"""The result of a resolution: the matched values, the route and the application stack."""

from collections.abc import Generator, Mapping
from contextlib import contextmanager
from typing import Any

from aioweb.exceptions import HTTPException

from ._contracts import ExpectHandler, Handler
from ._routes import AbstractRoute, SystemRoute

__all__ = ("MatchInfoError", "UrlMappingMatchInfo")


class UrlMappingMatchInfo(dict[str, str]):
    """The values matched in the path (a ``dict``) plus the route that matched.

    ``match_info["name"]`` is the percent-decoded value of ``{name}``.
    ``handler`` is the handler to call. ``apps`` is the stack of applications
    the request went through (outermost first), kept by the application layer
    with :meth:`add_app` and :meth:`set_current_app`.
    """

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: Mapping[str, str], route: AbstractRoute) -> None:
        super().__init__(match_dict)
        self._route = route
        self._apps: list[Any] = []
        self._current_app: Any = None
        self._frozen = False

    @property
    def handler(self) -> Handler:
        """The route's handler."""
        return self._route.handler

    @property
    def route(self) -> AbstractRoute:
        """The route that matched."""
        return self._route

    @property
    def expect_handler(self) -> ExpectHandler:
        """The route's ``Expect`` handler (a coroutine function of the request)."""
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> HTTPException | None:
        """``None`` for a successful match (see :class:`MatchInfoError`)."""
        return None

    def get_info(self) -> Mapping[str, Any]:
        """The route's introspection data."""
        return self._route.get_info()

    @property
    def apps(self) -> tuple[Any, ...]:
        """The applications the request went through, outermost first."""
        return tuple(self._apps)

    def add_app(self, app: Any) -> None:
        """Put *app* at the front of :attr:`apps` (sub-applications resolve inside out)."""
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps.insert(0, app)

    @property
    def current_app(self) -> Any:
        """The application whose code is running now."""
        if self._current_app is None:
            raise RuntimeError("no current application: add_app() was never called")
        return self._current_app

    @contextmanager
    def set_current_app(self, app: Any) -> Generator[None, None, None]:
        """Within the ``with`` block, :attr:`current_app` is *app* (one of :attr:`apps`)."""
        if app not in self._apps:
            raise RuntimeError(f"Expected one of the following apps {self._apps!r}, got {app!r}")
        previous = self._current_app
        self._current_app = app
        try:
            yield
        finally:
            self._current_app = previous

    def freeze(self) -> None:
        """Refuse further :meth:`add_app` calls."""
        self._frozen = True

    def __repr__(self) -> str:
        return f"<MatchInfo {super().__repr__()}: {self._route}>"


class MatchInfoError(UrlMappingMatchInfo):
    """A failed resolution: no values, and a handler that raises :attr:`http_exception`.

    The exception is :class:`~aioweb.exceptions.HTTPNotFound` when no path
    matched and :class:`~aioweb.exceptions.HTTPMethodNotAllowed` (with ``Allow``)
    when the path matched under other methods.

    :param http_exception: the exception to raise.
    :type http_exception: aioweb.exceptions.HTTPException
    """

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(http_exception))

    @property
    def http_exception(self) -> HTTPException:
        """The exception the handler raises."""
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"
