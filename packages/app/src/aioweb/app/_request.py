"""The application's :class:`Request`: a server request that knows its route and apps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from aioweb.router import UrlMappingMatchInfo
from aioweb.server.request import BaseRequest

if TYPE_CHECKING:
    from aioweb.server.response import StreamResponse

    from ._app import AppKey, Application

__all__ = ["ChainMapProxy", "Request"]

_T = TypeVar("_T")
_D = TypeVar("_D")


class ChainMapProxy(Mapping["str | AppKey[Any]", Any]):
    """A read-only view over several mappings: the first one holding a key wins.

    ``request.config_dict`` is one: the current application's state first, then
    its parent's, up to the main application.
    """

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[Any, Any]]) -> None:
        self._maps = tuple(maps)

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: Any) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: _D) -> _T | _D: ...
    @overload
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...
    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...
    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[Any]:
        seen: dict[Any, None] = {}
        for mapping in self._maps:
            seen.update(dict.fromkeys(mapping))
        return iter(seen)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        return f"ChainMapProxy({', '.join(map(repr, self._maps))})"


class Request(BaseRequest):
    """The request an application handler receives.

    Adds to :class:`~aioweb.server.request.BaseRequest` what routing found:
    :attr:`match_info`, the :attr:`app` whose code runs now and
    :attr:`config_dict`. Applications build it through their
    ``_make_request`` request factory.
    """

    # Set by the dispatcher once the request is routed; unset until then (reading an
    # unset slot raises AttributeError), so creating a request costs no extra call.
    __slots__ = ("_match_info",)

    _match_info: UrlMappingMatchInfo

    def clone(self, **changes: Any) -> Request:
        """A copy with some head fields replaced (see :meth:`BaseRequest.clone`).

        The copy keeps this request's :attr:`match_info`, hence its application.
        """
        # BaseRequest.clone() builds type(self), so this is a Request.
        new = cast(Request, super().clone(**changes))
        match_info = self._routed()
        if match_info is not None:
            new._match_info = match_info
        return new

    def _routed(self) -> UrlMappingMatchInfo | None:
        """The match info, or None before routing."""
        try:
            return self._match_info
        except AttributeError:
            return None

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        """What the router matched: path values, the route, the application stack."""
        match_info = self._routed()
        if match_info is None:
            raise RuntimeError("The request has not been routed yet: no match_info")
        return match_info

    @property
    def app(self) -> Application:
        """The application whose middleware or handler runs now."""
        app: Application = self.match_info.current_app
        return app

    @property
    def config_dict(self) -> ChainMapProxy:
        """The state of :attr:`app`, falling back to each parent application's state."""
        apps = self.match_info.apps
        idx = apps.index(self.app)
        return ChainMapProxy(reversed(apps[: idx + 1]))

    async def send_continue(self) -> None:
        """Send the interim ``100 Continue`` response (once; HTTP/1.1 only)."""
        if self.version >= (1, 1):
            self.writer.send_continue()


async def fire_response_prepare(request: BaseRequest, response: StreamResponse) -> None:
    """Send ``on_response_prepare`` of each application of the request's stack.

    Installed as the request's prepare hook only for stacks that have such handlers.
    """
    match_info = cast(Request, request)._routed()
    if match_info is None:
        return
    for app in match_info.apps:
        signal = app.on_response_prepare
        if signal:
            await signal.send(request, response)
