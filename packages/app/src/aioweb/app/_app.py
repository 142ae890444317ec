"""The :class:`Application`: routes, state, middlewares, signals and sub-applications."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from aioweb.router import (
    AbstractRouteDef,
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlDispatcher,
)

from ._cleanup import CleanupContext, CleanupError, raise_collected
from ._compat import make_handler, warn_old_style
from ._handler import Dispatcher
from ._request import Request
from ._signals import FrozenList, Signal
from ._static import StaticResponder

if TYPE_CHECKING:
    from aioweb.http.message import RequestHead
    from aioweb.router import AbstractRoute
    from aioweb.server import RequestFactory
    from aioweb.server.protocol import RequestHandler
    from aioweb.server.request import BaseRequest
    from aioweb.server.response import StreamResponse
    from aioweb.server.streams import StreamReader
    from aioweb.server.writer import StreamWriter

    from ._compat import LegacyServer
    from ._middlewares import Middleware

__all__ = ["AppKey", "Application", "CleanupError", "NotAppKeyWarning"]

_T = TypeVar("_T")
_D = TypeVar("_D")
_Resource = TypeVar("_Resource", PrefixedSubAppResource, MatchedSubAppResource)

#: The logger applications use unless given another one.
web_logger = logging.getLogger("aioweb.web")


class NotAppKeyWarning(UserWarning):
    """A plain ``str`` was used as an application state key instead of an :class:`AppKey`."""


class AppKey(Generic[_T]):
    """A typed key for application state: ``app[db_key]`` is typed as *t* for mypy.

    ``db_key = AppKey("db_key", Database)``; keys compare by identity, so two
    libraries choosing the same name never clash.
    """

    __slots__ = ("__name__", "_t")

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        self.__name__ = name
        self._t = t

    def __lt__(self, other: object) -> bool:
        if isinstance(other, AppKey):
            return self.__name__ < other.__name__
        return True  # sort AppKeys before str keys

    def __repr__(self) -> str:
        t = self._t
        shown = "<<unknown>>" if t is None else getattr(t, "__qualname__", repr(t))
        return f"<AppKey({self.__name__}, type={shown})>"


class Application(MutableMapping["str | AppKey[Any]", Any]):
    """A web application: a router, shared state, middlewares and lifecycle signals.

    :param logger: the logger for the application's messages.
    :param router: deprecated; a :class:`~aioweb.router.UrlDispatcher` to use.
    :param middlewares: new-style middlewares (see :func:`middleware`), outermost first
        (``None`` means none).
    :param handler_args: extra keyword arguments for the low-level server.
    :param client_max_size: the largest request body ``read()``/``post()`` accept.
    :param client_max_fields: the most form fields ``post()`` accepts (413 past it;
        0 or less: no limit).
    :param debug: deprecated (use asyncio's debug mode).

    It is a mutable mapping for application-wide state; use :class:`AppKey`
    keys (a ``str`` key works but warns :class:`NotAppKeyWarning`). The
    application freezes when it starts: routes, middlewares and signals can no
    longer change (``RuntimeError``).
    """

    def __init__(
        self,
        *,
        logger: logging.Logger = web_logger,
        router: UrlDispatcher | None = None,
        middlewares: Iterable[Middleware] | None = (),
        handler_args: Mapping[str, Any] | None = None,
        client_max_size: int = 1024**2,
        client_max_fields: int = 1000,
        loop: asyncio.AbstractEventLoop | None = None,
        debug: Any = ...,
    ) -> None:
        if router is None:
            router = UrlDispatcher(static_responder=StaticResponder())
        else:
            warnings.warn("router argument is deprecated", DeprecationWarning, stacklevel=2)
            if not isinstance(router, UrlDispatcher):
                raise TypeError(f"router must be a UrlDispatcher, got {router!r}")
            if router.static_responder is None:
                router.static_responder = StaticResponder()
        if loop is not None:
            warnings.warn("loop argument is deprecated", DeprecationWarning, stacklevel=2)
        if debug is not ...:
            warnings.warn("debug argument is deprecated", DeprecationWarning, stacklevel=2)
        self._debug = False if debug is ... else bool(debug)
        self._router = router
        self._loop = loop
        self._handler_args = handler_args
        self.logger = logger
        self._middlewares: FrozenList[Middleware] = FrozenList(middlewares or ())
        self._state: dict[str | AppKey[Any], Any] = {}
        self._frozen = False
        self._pre_frozen = False
        self._subapps: list[Application] = []
        self._dispatcher: Dispatcher | None = None
        self._on_response_prepare: Signal[[Request, StreamResponse]] = Signal(self)
        self._on_startup: Signal[[Application]] = Signal(self)
        self._on_shutdown: Signal[[Application]] = Signal(self)
        self._on_cleanup: Signal[[Application]] = Signal(self)
        self._cleanup_ctx = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)
        self._client_max_size = client_max_size
        self._client_max_fields = client_max_fields

    def __init_subclass__(cls, **kwargs: Any) -> None:
        warnings.warn(
            f"Inheritance class {cls.__name__} from web.Application is discouraged",
            DeprecationWarning,
            stacklevel=3,
        )
        super().__init_subclass__(**kwargs)

    # -- state -------------------------------------------------------------------

    # Equal only to itself, as aiohttp's (a Mapping would compare contents), through
    # object's own slots: a request's middleware chain is found by hashing its apps.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return True

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: str | AppKey[_T]) -> Any:
        return self._state[key]

    def _check_frozen(self) -> None:
        if self._frozen:
            warnings.warn(
                "Changing the state of an application after it started (or was added "
                "as a sub-application and frozen) is deprecated",
                DeprecationWarning,
                stacklevel=3,
            )

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...
    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...
    def __setitem__(self, key: str | AppKey[_T], value: Any) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(
                "It is recommended to use web.AppKey instances for keys "
                f"(got the {type(key).__name__} key {key!r}); see docs/app.md",
                NotAppKeyWarning,
                stacklevel=2,
            )
        self._state[key] = value

    def __delitem__(self, key: str | AppKey[_T]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        return iter(self._state)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...
    @overload
    def get(self, key: AppKey[_T], default: _D) -> _T | _D: ...
    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...
    def get(self, key: str | AppKey[_T], default: Any = None) -> Any:
        return self._state.get(key, default)

    # -- configuration -------------------------------------------------------------

    @property
    def router(self) -> UrlDispatcher:
        """The application's router."""
        return self._router

    @property
    def middlewares(self) -> FrozenList[Middleware]:
        """The middlewares, outermost first (frozen when the application freezes)."""
        return self._middlewares

    @property
    def on_response_prepare(self) -> Signal[[Request, StreamResponse]]:
        """Sent with ``(request, response)`` just before a response's head is sent."""
        return self._on_response_prepare

    @property
    def on_startup(self) -> Signal[[Application]]:
        """Sent with the application when it starts (after ``cleanup_ctx`` set-ups)."""
        return self._on_startup

    @property
    def on_shutdown(self) -> Signal[[Application]]:
        """Sent when the server stops taking requests (close websockets here)."""
        return self._on_shutdown

    @property
    def on_cleanup(self) -> Signal[[Application]]:
        """Sent at the very end; every receiver runs even if one fails."""
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext:
        """Set-up/tear-down pairs: async generator functions taking the application."""
        return self._cleanup_ctx

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions (``web.get(...)``, a ``RouteTableDef``)."""
        return self._router.add_routes(routes)

    def add_subapp(self, prefix: str, subapp: Application) -> PrefixedSubAppResource:
        """Serve *subapp* under the path *prefix* (its middlewares apply to its routes only)."""
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        return self._add_subapp(partial(PrefixedSubAppResource, prefix, subapp), subapp)

    def add_domain(self, domain: str, subapp: Application) -> MatchedSubAppResource:
        """Serve *subapp* for requests whose ``Host`` matches *domain* (``*`` is a wildcard)."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        rule = MaskDomain(domain) if "*" in domain else Domain(domain)
        return self._add_subapp(partial(MatchedSubAppResource, rule, subapp), subapp)

    def _add_subapp(self, factory: Callable[[], _Resource], subapp: Application) -> _Resource:
        if not isinstance(subapp, Application):
            raise TypeError(f"subapp must be an Application, got {subapp!r}")
        if self._frozen:
            raise RuntimeError("Cannot add a sub-application to a frozen application")
        if subapp._frozen:
            raise RuntimeError("Cannot add a frozen application as a sub-application")
        if subapp is self:
            raise ValueError("An application cannot be its own sub-application")
        resource = factory()
        self._router.register_resource(resource)
        self._reg_subapp_signals(subapp)
        self._subapps.append(subapp)
        subapp.pre_freeze()
        if self._loop is not None:
            subapp._set_loop(self._loop)
        return resource

    def _reg_subapp_signals(self, subapp: Application) -> None:
        async def startup(app: Application) -> None:
            await subapp.on_startup.send(subapp)

        async def shutdown(app: Application) -> None:
            await subapp.on_shutdown.send(subapp)

        async def cleanup(app: Application) -> None:
            await subapp._send_cleanup()

        self._on_startup.append(startup)
        self._on_shutdown.append(shutdown)
        self._on_cleanup.append(cleanup)

    # -- freezing ------------------------------------------------------------------

    @property
    def pre_frozen(self) -> bool:
        """True once routes, middlewares and signals are frozen (state may still change)."""
        return self._pre_frozen

    def pre_freeze(self) -> None:
        """Freeze routes, middlewares, signals and sub-applications (idempotent)."""
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        self._on_response_prepare.freeze()
        self._cleanup_ctx.freeze()
        self._on_startup.freeze()
        self._on_shutdown.freeze()
        self._on_cleanup.freeze()
        warn_old_style(self._middlewares)
        for subapp in self._subapps:
            subapp.pre_freeze()

    @property
    def frozen(self) -> bool:
        """True once the application is frozen (the runner freezes it at start)."""
        return self._frozen

    def freeze(self) -> None:
        """Freeze everything and compose the middleware chains (idempotent)."""
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()
        self._dispatcher = Dispatcher(self)

    # -- lifecycle -----------------------------------------------------------------

    async def startup(self) -> None:
        """Run the ``cleanup_ctx`` set-ups, then ``on_startup`` (sub-applications included)."""
        self._on_startup.freeze()
        await self._on_startup.send(self)

    async def shutdown(self) -> None:
        """Send ``on_shutdown``."""
        self._on_shutdown.freeze()
        await self._on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Run the ``cleanup_ctx`` tear-downs (reverse order) and ``on_cleanup``.

        Every callback runs even when some fail; one failure is re-raised as
        is, several as a :class:`CleanupError` listing them all. If the
        application never froze (start-up failed early), only the
        ``cleanup_ctx`` entries that were entered are torn down.
        """
        if self._on_cleanup.frozen:
            await self._send_cleanup()
        else:
            raise_collected(await self._cleanup_ctx._exit_all())

    async def _send_cleanup(self) -> None:
        errors: list[BaseException] = []
        for receiver in self._on_cleanup:
            try:
                await receiver(self)
            except CleanupError as exc:
                errors.extend(exc.exceptions)
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
        raise_collected(errors)

    # -- serving -------------------------------------------------------------------

    def _make_request(
        self,
        head: RequestHead,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: StreamWriter,
        task: asyncio.Task[None],
    ) -> Request:
        """The server's request factory: a :class:`Request` with this app's limits."""
        return Request(
            head,
            payload,
            protocol,
            writer,
            task,
            client_max_size=self._client_max_size,
            client_max_fields=self._client_max_fields,
        )

    def _request_factory(self) -> RequestFactory:
        """The server's request factory: :meth:`_make_request`, or its equivalent partial.

        The partial builds the same :class:`Request` without a Python call in between;
        a subclass that overrides :meth:`_make_request` gets its override.
        """
        if type(self)._make_request is not Application._make_request:
            return self._make_request
        return partial(
            Request,
            client_max_size=self._client_max_size,
            client_max_fields=self._client_max_fields,
        )

    def _frozen_handler(self) -> Callable[[BaseRequest], Awaitable[StreamResponse]]:
        """The low-level handler of a frozen application: its dispatcher, called directly.

        Behaves as :meth:`_handle` minus one coroutine per request; requests come from
        :meth:`_make_request`, so they are :class:`Request` objects.
        """
        if self._dispatcher is None:
            raise RuntimeError("the application is not frozen")
        return cast("Callable[[BaseRequest], Awaitable[StreamResponse]]", self._dispatcher.handle)

    async def _handle(self, request: BaseRequest) -> StreamResponse:
        """The low-level handler given to :class:`aioweb.server.Server`.

        *request* comes from :meth:`_make_request`, so it is a :class:`Request`.
        """
        dispatcher = self._dispatcher
        if dispatcher is None:
            # Served without a runner (a bare Server): freeze on the first request.
            self.freeze()
            dispatcher = cast(Dispatcher, self._dispatcher)
        return await dispatcher.handle(cast(Request, request))

    def make_handler(
        self, *, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any
    ) -> LegacyServer:
        """Deprecated: a low-level server for ``loop.create_server`` (use AppRunner)."""
        warnings.warn(
            "Application.make_handler(...) is deprecated, use AppRunner API instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return make_handler(self, loop=loop, **kwargs)

    def finish(self) -> Awaitable[None]:
        """Deprecated alias of :meth:`cleanup` (from aiohttp before 3.0)."""
        # Warn at the call, so Python's default filters attribute it to the caller.
        warnings.warn(
            "Application.finish() is deprecated, use cleanup() (or AppRunner.cleanup())",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.cleanup()

    @property
    def debug(self) -> bool:
        """Deprecated: whether the application was created with ``debug=True``."""
        warnings.warn("debug property is deprecated", DeprecationWarning, stacklevel=2)
        return self._debug

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """Deprecated: the event loop the application runs on."""
        warnings.warn("loop property is deprecated", DeprecationWarning, stacklevel=2)
        if self._loop is not None:
            return self._loop
        return asyncio.get_running_loop()

    def _set_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError("web.Application instance initialized with different loop")
        self._loop = loop
        for subapp in self._subapps:
            subapp._set_loop(loop)

    def __call__(self) -> Application:
        """gunicorn's ``module:app`` factory style: the application itself."""
        return self

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"
