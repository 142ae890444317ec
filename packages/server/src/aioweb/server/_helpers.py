"""Small shared pieces: typed mapping keys, a cached-property descriptor, header helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar, overload

__all__ = ["RequestKey", "ResponseKey", "TypedKey", "reify", "split_content_type"]

_T = TypeVar("_T")
_R = TypeVar("_R")

DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"


class TypedKey(Generic[_T]):
    """A key for request/response mappings that carries the value's type for mypy."""

    __slots__ = ("__name__", "_t")
    _prefix: str = "TypedKey"

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        self.__name__ = name
        self._t = t

    def __lt__(self, other: object) -> bool:
        if isinstance(other, TypedKey):
            return self.__name__ < other.__name__
        return True

    def __repr__(self) -> str:
        t = self._t
        tname = "<<unknown>>" if t is None else getattr(t, "__qualname__", repr(t))
        return f"<{self._prefix}({self.__name__}, type={tname})>"


class RequestKey(TypedKey[_T]):
    """A typed key for ``request[key]`` (like aiohttp's ``web.RequestKey``)."""

    __slots__ = ()
    _prefix = "RequestKey"


class ResponseKey(TypedKey[_T]):
    """A typed key for ``response[key]`` (like aiohttp's ``web.ResponseKey``)."""

    __slots__ = ()
    _prefix = "ResponseKey"


class reify(Generic[_R]):
    """A property computed once per instance and cached in its ``_cache`` dict.

    Works with ``__slots__`` classes that declare a ``_cache`` slot; assigning is
    forbidden, like aiohttp's ``reify``.
    """

    __slots__ = ("__dict__", "__name__", "func")

    def __init__(self, func: Callable[[Any], _R]) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    @overload
    def __get__(self, inst: None, owner: type[Any]) -> reify[_R]: ...
    @overload
    def __get__(self, inst: object, owner: type[Any]) -> _R: ...

    def __get__(self, inst: object, owner: type[Any]) -> reify[_R] | _R:
        if inst is None:
            return self
        cache: dict[str, Any] = inst._cache  # type: ignore[attr-defined]
        try:
            return cache[self.__name__]  # type: ignore[no-any-return]
        except KeyError:
            value = cache[self.__name__] = self.func(inst)
            return value

    def __set__(self, inst: object, value: object) -> None:
        raise AttributeError("reified property is read-only")


def split_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into the lower-cased media type and its parameters.

    Lenient by design (used on our own response headers and as a fallback);
    ``application/octet-stream`` when absent or when the media type is not
    ``type/subtype`` (no ``/`` or several), as aiohttp reads it; the parameters
    are kept then.
    """
    if not value:
        return DEFAULT_CONTENT_TYPE, {}
    media, _, rest = value.partition(";")
    media = media.strip().lower()
    if media.count("/") != 1:
        media = DEFAULT_CONTENT_TYPE
    params: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, val = item.partition("=")
        if sep:
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            params[key.strip().lower()] = val
    return media, params
