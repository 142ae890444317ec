"""Per-request dispatch: route, expect handler, then the middleware chain and handler.

Middleware chains are composed ahead of time. When the main application
freezes, :class:`Dispatcher` walks the tree of sub-applications and, for every
route of every application stack that can reach it, wraps the route handler in
the stack's middlewares (outermost application first). A request then costs one
dictionary lookup. The keys come only from registered routes and the fixed
tree of applications, so the cache cannot grow with traffic (CVE-2024-52303:
aiohttp's cache once grew with every distinct 404). Failed resolutions (404,
405) share one chain per application stack that calls the match info's
handler at request time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from multidict import istr

from aioweb.router import PrefixedSubAppResource, SystemRoute

from ._compat import compose_with_factories
from ._middlewares import Handler, compose, is_new_style
from ._request import fire_response_prepare

if TYPE_CHECKING:
    from aioweb.router import AbstractRoute
    from aioweb.server.response import StreamResponse

    from ._app import Application
    from ._request import Request

__all__ = ["Dispatcher"]

#: A safety net only: keys are bounded by construction (routes x application stacks).
_MAX_LAZY_CHAINS: Final = 65536

_ChainKey = tuple["AbstractRoute | None", tuple["Application", ...]]

_EXPECT: Final = istr("Expect")


async def _call_matched(request: Request) -> StreamResponse:
    handler: Handler = request.match_info.handler
    return await handler(request)


def app_stacks(
    app: Application, prefix: tuple[Application, ...] = ()
) -> Iterator[tuple[tuple[Application, ...], Application]]:
    """Every application stack reachable from *app* (``(stack, innermost app)``)."""
    stack = (*prefix, app)
    yield stack, app
    for resource in app.router.resources():
        if isinstance(resource, PrefixedSubAppResource):
            sub: Application = resource.get_info()["app"]
            if sub in stack:  # pragma: no cover - a cycle cannot be built through add_subapp
                continue
            yield from app_stacks(sub, stack)


class Dispatcher:
    """Serves the requests of a frozen main application (see the module docs)."""

    __slots__ = ("_app", "_chains", "_legacy", "_prepare_stacks", "_router", "_use_middlewares")

    def __init__(self, app: Application) -> None:
        self._app = app
        self._router = app.router
        self._chains: dict[_ChainKey, Handler] = {}
        stacks = list(app_stacks(app))
        # Stacks whose applications listen to on_response_prepare (signals are frozen by now).
        self._prepare_stacks = frozenset(
            stack for stack, _ in stacks if any(sub.on_response_prepare for sub in stack)
        )
        self._use_middlewares = any(len(sub.middlewares) for _, sub in stacks)
        self._legacy = any(not is_new_style(m) for _, sub in stacks for m in sub.middlewares)
        if self._use_middlewares and not self._legacy:
            for stack, owner in stacks:
                self._chains[(None, stack)] = self._compose(_call_matched, stack)
                for route in owner.router.routes():
                    if isinstance(route.resource, PrefixedSubAppResource):
                        continue
                    self._chains[(route, stack)] = self._compose(route.handler, stack)

    @staticmethod
    def _compose(handler: Handler, stack: tuple[Application, ...]) -> Handler:
        return compose(handler, ((app, app.middlewares) for app in stack))

    async def handle(self, request: Request) -> StreamResponse:
        """Resolve *request*, run the expect handler if asked, then the chain."""
        match_info = await self._router.resolve(request)
        match_info.add_app(self._app)
        match_info.freeze()
        request._match_info = match_info
        apps = match_info.apps
        if self._prepare_stacks and apps in self._prepare_stacks:
            request._on_prepare = fire_response_prepare
        if _EXPECT in request.headers:
            early: Any = await match_info.expect_handler(request)
            await request.writer.drain()
            if early is not None:
                response: StreamResponse = early
                return response
        if not self._use_middlewares:
            return await match_info.handler(request)  # type: ignore[no-any-return]
        route = match_info.route
        # Registered routes hit the first lookup; system routes (404/405) share a chain.
        chain = self._chains.get((route, apps))
        if chain is None:
            key: _ChainKey = (None if isinstance(route, SystemRoute) else route, apps)
            chain = self._chains.get(key)
            if chain is None:
                chain = await self._build(key)
        return await chain(request)

    async def _build(self, key: _ChainKey) -> Handler:
        route, stack = key
        handler: Handler = _call_matched if route is None else route.handler
        if self._legacy:
            chain = await compose_with_factories(handler, stack)
        else:
            chain = self._compose(handler, stack)
        if len(self._chains) < _MAX_LAZY_CHAINS:
            self._chains[key] = chain
        return chain
