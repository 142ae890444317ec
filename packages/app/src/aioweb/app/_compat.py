"""APIs of old aiohttp versions, kept working with a ``DeprecationWarning``.

* old-style middleware *factories* (``async def factory(app, handler) -> handler``):
  still run, see :func:`compose_with_factories`;
* ``app.make_handler()``: returns a low-level :class:`~aioweb.server.Server`
  (use :class:`AppRunner` and a site instead);
* ``handler.finish_connections(timeout)`` on what ``make_handler()`` returned:
  an alias of ``Server.shutdown(timeout)``;
* ``app.finish()``: an alias of ``app.cleanup()``.

Each decision and its modern replacement is listed in ``docs/app.md``.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable, Iterable
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any

from aioweb.server import Server

from ._middlewares import Handler, _run_in_app, is_new_style

if TYPE_CHECKING:
    from ._app import Application

__all__ = ["LegacyServer", "compose_with_factories", "make_handler", "warn_old_style"]

#: ``async def factory(app, handler) -> handler``, the middleware API before aiohttp 2.3.
MiddlewareFactory = Callable[["Application", Handler], Awaitable[Handler]]


def warn_old_style(middlewares: Iterable[object]) -> bool:
    """Warn once per old-style middleware factory; True if there was any."""
    found = False
    for mw in middlewares:
        if not is_new_style(mw):
            found = True
            warnings.warn(
                f"old-style middleware factory {mw!r} is deprecated: decorate an "
                "'async def m(request, handler)' with @web.middleware instead",
                DeprecationWarning,
                stacklevel=4,
            )
    return found


async def compose_with_factories(handler: Handler, apps: Iterable[Application]) -> Handler:
    """Like :func:`aioweb.app._middlewares.compose`, awaiting old-style factories.

    The result is cached per route and application stack by the dispatcher, so
    each factory runs once per route rather than once per request.
    """
    stack = list(apps)
    for app in reversed(stack):
        for mw in reversed(list(app.middlewares)):
            if is_new_style(mw):
                handler = update_wrapper(partial(mw, handler=handler), handler)  # type: ignore[call-arg]
            else:
                factory: MiddlewareFactory = mw  # type: ignore[assignment]
                handler = await factory(app, handler)
        handler = update_wrapper(partial(_run_in_app, app, handler=handler), handler)
    return handler


class LegacyServer(Server):
    """The :class:`~aioweb.server.Server` returned by ``app.make_handler()``."""

    def finish_connections(self, timeout: float | None = None) -> Awaitable[None]:
        """Deprecated alias of :meth:`shutdown`."""
        # Warn at the call, not inside a coroutine: the caller's frame is then the user's
        # code (shown by Python's default filters), not the event loop's.
        warnings.warn(
            "finish_connections() is deprecated, use Server.shutdown() or, better, "
            "AppRunner.cleanup()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.shutdown(timeout)


def _current_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        # The 2016-era pattern: make_handler() before run_until_complete().
        return asyncio.get_event_loop_policy().get_event_loop()


def make_handler(
    app: Application, *, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any
) -> LegacyServer:
    """Freeze *app* and build a protocol factory for ``loop.create_server()``."""
    if loop is None:
        loop = _current_loop()
    app._set_loop(loop)
    app.freeze()
    settings: dict[str, Any] = {"debug": app._debug}
    settings.update(app._handler_args or {})
    settings.update(kwargs)
    return LegacyServer(app._handle, request_factory=app._make_request, loop=loop, **settings)
