"""The byte-stream interface that body readers (forms, multipart) consume.

The server's ``StreamReader`` satisfies it structurally; tests use small in-memory
implementations. Keeping it a Protocol lets the body helpers stay free of the
connection machinery.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["AsyncByteStream"]


@runtime_checkable
class AsyncByteStream(Protocol):
    """An asynchronous source of request-body bytes."""

    async def read(self, n: int = -1) -> bytes:
        """Return up to ``n`` bytes (everything until EOF when ``n`` is -1); b"" at EOF."""
        ...

    async def readany(self) -> bytes:
        """Return whatever is buffered (waiting for at least one byte); b"" at EOF."""
        ...

    async def readline(self) -> bytes:
        """Return one line including its ``\\n`` (or the rest before EOF); b"" at EOF."""
        ...

    async def readexactly(self, n: int) -> bytes:
        """Return exactly ``n`` bytes or raise ``asyncio.IncompleteReadError``."""
        ...

    def at_eof(self) -> bool:
        """True once the stream is exhausted and its buffer is empty."""
        ...
