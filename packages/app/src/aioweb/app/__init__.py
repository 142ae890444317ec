"""aioweb.app: the application layer of aioweb (aiohttp's ``web.Application`` & co).

An :class:`Application` holds a router, typed state (:class:`AppKey`),
middlewares, lifecycle signals, ``cleanup_ctx`` and sub-applications (by path
prefix or by domain). Handlers receive a :class:`Request`. See docs/app.md.
"""

from ._app import AppKey, Application, NotAppKeyWarning
from ._cleanup import CleanupContext, CleanupError
from ._middlewares import Handler, Middleware, middleware, normalize_path_middleware
from ._request import ChainMapProxy, Request
from ._signals import FrozenList, Signal
from ._static import StaticFileResponse, StaticResponder

__all__ = [
    "AppKey",
    "Application",
    "ChainMapProxy",
    "CleanupContext",
    "CleanupError",
    "FrozenList",
    "Handler",
    "Middleware",
    "NotAppKeyWarning",
    "Request",
    "Signal",
    "StaticFileResponse",
    "StaticResponder",
    "middleware",
    "normalize_path_middleware",
]

# -- runners -- (owned by app-run)
from ._run_app import run_app
from ._runners import AppRunner, BaseRunner, GracefulExit, ServerRunner
from ._sites import BaseSite, NamedPipeSite, SockSite, TCPSite, UnixSite

__all__ += [
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "NamedPipeSite",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
    "run_app",
]
