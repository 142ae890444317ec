"""Middlewares: the ``@middleware`` marker, chain composition, path normalisation."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar

from yarl import URL

from aioweb.exceptions import HTTPMove, HTTPPermanentRedirect
from aioweb.router import SystemRoute

if TYPE_CHECKING:
    from aioweb.server.response import StreamResponse

    from ._app import Application
    from ._request import Request

__all__ = [
    "Handler",
    "Middleware",
    "compose",
    "is_new_style",
    "middleware",
    "normalize_path_middleware",
]

#: A request handler as middlewares see it.
Handler: TypeAlias = Callable[["Request"], Awaitable["StreamResponse"]]
#: A new-style middleware: ``async def m(request, handler) -> response``.
Middleware: TypeAlias = Callable[["Request", Handler], Awaitable["StreamResponse"]]

_F = TypeVar("_F", bound=Callable[..., Any])

#: The marker aiohttp uses for new-style middlewares; kept so either library's
#: ``@middleware`` works with the other.
_VERSION_ATTR: Final = "__middleware_version__"


def middleware(func: _F) -> _F:
    """Mark *func* as a new-style middleware: ``async def m(request, handler)``.

    Unmarked callables in ``Application(middlewares=...)`` are taken for
    old-style middleware factories (deprecated, see ``docs/app.md``).
    """
    setattr(func, _VERSION_ATTR, 1)
    return func


def is_new_style(func: object) -> bool:
    """True for a middleware marked with :func:`middleware`."""
    return getattr(func, _VERSION_ATTR, None) == 1


async def _run_in_app(app: Application, request: Request, *, handler: Handler) -> StreamResponse:
    # While an application's middlewares (and, innermost, the handler) run,
    # request.app is that application.
    with request.match_info.set_current_app(app):
        return await handler(request)


def compose(
    handler: Handler, layers: Iterable[tuple[Application, Iterable[Middleware]]]
) -> Handler:
    """Wrap *handler* in each application's middlewares, the first application outermost.

    *layers* pairs each application of a request's stack (outermost first) with
    its new-style middlewares (first one outermost). Each wrapper copies the
    wrapped handler's attributes, so a middleware can read attributes set on
    the route handler (``handler.login_required``), as in aiohttp.
    """
    stack = list(layers)
    for app, middlewares in reversed(stack):
        for mw in reversed(list(middlewares)):
            handler = update_wrapper(partial(mw, handler=handler), handler)  # type: ignore[call-arg]
        if len(stack) > 1:
            # With one application, it is already the match info's current app.
            handler = update_wrapper(partial(_run_in_app, app, handler=handler), handler)
    return handler


_SLASHES: Final = re.compile(r"//+")
# Browsers read "\" as "/" in http(s) URLs, so "/\evil.com" means "//evil.com".
_LEADING_SEPARATORS: Final = re.compile(r"^[/\\]+")
_UNSAFE_IN_LOCATION: Final = re.compile(r"[\x00-\x20\x7f\\]")


def _same_origin_path(path: str) -> str:
    """*path* made into a path a browser cannot read as another host (CVE-2021-21330)."""
    path = _LEADING_SEPARATORS.sub("/", path)
    # Control characters and spaces are dropped or turned into "/" by browsers.
    return _UNSAFE_IN_LOCATION.sub(lambda m: f"%{ord(m.group()):02X}", path)


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> Middleware:
    """A middleware that redirects a path that found no route to a variant that does.

    Tried in order, on the raw (still percent-encoded) path: runs of ``/``
    merged (*merge_slashes*), a ``/`` appended (*append_slash*) or removed
    (*remove_slash*), then both. The first variant that resolves is answered
    with *redirect_class* (308 by default), query string kept. The ``Location``
    is always a path on the same origin: a request for ``//evil.com`` is sent
    to ``/evil.com/``, never to another host. *append_slash* and
    *remove_slash* cannot both be true.
    """
    if append_slash and remove_slash:
        raise ValueError("Cannot both remove and append slash")

    @middleware
    async def normalize_path(request: Request, handler: Handler) -> StreamResponse:
        if isinstance(request.match_info.route, SystemRoute):
            raw, sep, query = request.raw_path.partition("?")
            query = sep + query
            ends_with_slash = request.path.endswith("/")
            candidates: list[str] = []
            if merge_slashes:
                candidates.append(_SLASHES.sub("/", raw))
            if append_slash and not ends_with_slash:
                candidates.append(raw + "/")
            if remove_slash and ends_with_slash:
                candidates.append(raw[:-1])
            if merge_slashes and append_slash:
                candidates.append(_SLASHES.sub("/", raw + "/"))
            if merge_slashes and remove_slash and ends_with_slash:
                candidates.append(_SLASHES.sub("/", raw)[:-1])
            for candidate in candidates:
                path = _same_origin_path(candidate)
                if not path or path == raw:
                    continue
                if await _resolves(request, path):
                    raise redirect_class(path + query)
        return await handler(request)

    return normalize_path


async def _resolves(request: Request, path: str) -> bool:
    try:
        url = URL(path, encoded=True)
    except ValueError:
        return False
    if url.absolute or url.raw_path != path:
        return False
    alternative = request.clone(rel_url=url)
    match_info = await request.app.router.resolve(alternative)
    return match_info.http_exception is None
