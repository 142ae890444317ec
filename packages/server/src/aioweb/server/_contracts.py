"""The types the layers above the server plug in (the app layer satisfies them).

* :data:`Handler`: ``async (BaseRequest) -> StreamResponse``, the low-level handler;
* :class:`RequestFactory`: builds the request object of each request (the app layer
  passes one that builds its ``Request`` subclass).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    from aioweb.http.message import RequestHead

    from .protocol import RequestHandler
    from .request import BaseRequest
    from .response import StreamResponse
    from .streams import StreamReader
    from .writer import StreamWriter

__all__ = ["Handler", "RequestFactory"]

Handler: TypeAlias = "Callable[[BaseRequest], Awaitable[StreamResponse]]"


class RequestFactory(Protocol):
    """Builds the request object a handler receives."""

    def __call__(
        self,
        head: RequestHead,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: StreamWriter,
        task: asyncio.Task[None],
    ) -> BaseRequest:
        """Return the request for ``head``, whose body is ``payload``."""
        ...


def _check() -> RequestFactory:
    from .server import _default_request_factory

    return _default_request_factory
