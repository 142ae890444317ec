"""Class-based views: one method per HTTP method."""

from __future__ import annotations

import abc
from collections.abc import Generator
from typing import Any, NoReturn

from aioweb.exceptions import HTTPMethodNotAllowed

from ._helpers import METH_ALL

__all__ = ("AbstractView", "View")


class AbstractView(abc.ABC):
    """Base of class-based views: constructed with the request, then awaited."""

    def __init__(self, request: Any) -> None:
        self._request = request

    @property
    def request(self) -> Any:
        """The request being handled."""
        return self._request

    @abc.abstractmethod
    def __await__(self) -> Generator[Any, None, Any]:
        """Run the view and return its response."""


class View(AbstractView):
    """Dispatch on the request method to the coroutine method of the same name.

    ``GET`` calls ``async def get(self)``, ``POST`` calls ``post`` and so on.
    A method the class does not define raises
    :class:`~aioweb.exceptions.HTTPMethodNotAllowed` (405) whose ``Allow``
    header lists the methods it does define. Register it with
    :meth:`UrlDispatcher.add_view` (any method) and use ``await View(request)``.
    """

    async def _dispatch(self) -> Any:
        method_name = self.request.method
        handler = getattr(self, method_name.lower(), None) if method_name in METH_ALL else None
        if handler is None:
            self._raise_allowed_methods()
        return await handler()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._dispatch().__await__()

    def _raise_allowed_methods(self) -> NoReturn:
        allowed = {meth for meth in METH_ALL if hasattr(self, meth.lower())}
        raise HTTPMethodNotAllowed(self.request.method, allowed)
