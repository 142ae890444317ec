"""``cleanup_ctx``: set-up and tear-down pairs run around the application's life."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

from ._signals import FrozenList

if TYPE_CHECKING:
    from ._app import Application

__all__ = ["CleanupCallback", "CleanupContext", "CleanupError", "raise_collected"]

#: An async generator function (code before ``yield`` starts, after it cleans up)
#: or a callable returning an async context manager, called with the application.
CleanupCallback: TypeAlias = Callable[
    ["Application"], AsyncIterator[None] | AbstractAsyncContextManager[Any]
]


class CleanupError(RuntimeError):
    """Several clean-up callbacks failed; :attr:`exceptions` holds every failure."""

    @property
    def exceptions(self) -> list[BaseException]:
        """The exceptions, in the order the callbacks ran."""
        errors: list[BaseException] = self.args[1]
        return errors


def raise_collected(errors: list[BaseException]) -> None:
    """Raise nothing, the only error, or a :class:`CleanupError` holding all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CleanupError("Multiple errors on cleanup stage", errors)


class _GeneratorContext:
    """Drives a one-``yield`` async generator as an async context manager."""

    __slots__ = ("_gen", "_name")

    def __init__(self, gen: AsyncGenerator[Any, None] | AsyncIterator[Any], name: str) -> None:
        self._gen = gen
        self._name = name

    async def __aenter__(self) -> None:
        try:
            await anext(self._gen)
        except StopAsyncIteration:
            raise RuntimeError(f"cleanup_ctx callback {self._name} did not yield") from None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await anext(self._gen)
        except StopAsyncIteration:
            return
        aclose = getattr(self._gen, "aclose", None)
        if aclose is not None:
            await aclose()
        raise RuntimeError(f"cleanup_ctx callback {self._name} has more than one 'yield'")


class CleanupContext(FrozenList[CleanupCallback]):
    """The ``app.cleanup_ctx`` list.

    At start-up each callback is entered in order (the part before ``yield``);
    at clean-up the entered ones exit in reverse order. Every exit runs even if
    another one fails; the failures are raised together (:class:`CleanupError`).
    """

    __slots__ = ("_exits",)

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[AbstractAsyncContextManager[Any] | _GeneratorContext] = []

    async def _on_startup(self, app: Application) -> None:
        for callback in self:
            result = callback(app)
            ctx: AbstractAsyncContextManager[Any] | _GeneratorContext
            if isinstance(result, AbstractAsyncContextManager):
                ctx = result
            elif isinstance(result, AsyncIterator):
                ctx = _GeneratorContext(result, getattr(callback, "__qualname__", repr(callback)))
            else:
                raise TypeError(
                    "cleanup_ctx callbacks must be async generator functions or return an "
                    f"async context manager; {callback!r} returned {type(result).__name__}"
                )
            await ctx.__aenter__()
            self._exits.append(ctx)

    async def _on_cleanup(self, app: Application) -> None:
        raise_collected(await self._exit_all())

    async def _exit_all(self) -> list[BaseException]:
        errors: list[BaseException] = []
        while self._exits:
            ctx = self._exits.pop()
            try:
                await ctx.__aexit__(None, None, None)
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
        return errors
