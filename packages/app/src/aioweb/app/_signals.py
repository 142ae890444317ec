"""Lists that stop changing at freeze time, and the signals built on them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableSequence
from typing import Any, Generic, ParamSpec, TypeVar, overload

__all__ = ["FrozenList", "Signal"]

_T = TypeVar("_T")
_P = ParamSpec("_P")


class FrozenList(MutableSequence[_T]):
    """A list that refuses every change once :meth:`freeze` has been called.

    The application uses it for its middlewares and signal receivers: they are
    composed once when the application starts, so a later change would be
    silently ignored; raising ``RuntimeError`` says so instead.
    """

    __slots__ = ("_frozen", "_items")

    def __init__(self, items: Iterable[_T] = ()) -> None:
        self._items: list[_T] = list(items)
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """True after :meth:`freeze`."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse further changes (idempotent)."""
        self._frozen = True

    def _check(self) -> None:
        if self._frozen:
            raise RuntimeError(
                f"{type(self).__name__} is frozen: it cannot change once the "
                "application is frozen (started or added as a sub-application)"
            )

    @overload
    def __getitem__(self, index: int) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> list[_T]: ...
    def __getitem__(self, index: int | slice) -> _T | list[_T]:
        return self._items[index]

    @overload
    def __setitem__(self, index: int, value: _T) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[_T]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        self._check()
        self._items[index] = value

    def __delitem__(self, index: int | slice) -> None:
        self._check()
        del self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[_T]:
        return iter(self._items)

    def __reversed__(self) -> Iterator[_T]:
        return reversed(self._items)

    def __contains__(self, value: object) -> bool:
        return value in self._items

    def insert(self, index: int, value: _T) -> None:
        """Insert *value* before *index*."""
        self._check()
        self._items.insert(index, value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenList):
            return self._items == other._items
        return bool(self._items == other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(frozen={self._frozen}, {self._items!r})>"


class Signal(FrozenList[Callable[_P, Awaitable[object]]], Generic[_P]):
    """A list of async receivers that :meth:`send` awaits in order.

    ``app.on_startup.append(callback)`` registers a receiver; the application
    freezes its signals when it starts, after which registering raises
    ``RuntimeError``. Sending a signal that is not frozen yet is refused too,
    since receivers could still be added while it runs.
    """

    __slots__ = ("_owner",)

    def __init__(self, owner: object) -> None:
        super().__init__()
        self._owner = owner

    async def send(self, *args: _P.args, **kwargs: _P.kwargs) -> None:
        """Call every receiver with the arguments and await it, in registration order."""
        if not self._frozen:
            raise RuntimeError("Cannot send a signal that is not frozen yet")
        for receiver in self._items:
            await receiver(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Signal owner={self._owner!r}, frozen={self._frozen}, {self._items!r}>"
