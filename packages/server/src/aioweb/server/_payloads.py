"""Bodies a :class:`~aioweb.server.Response` sends in pieces: file objects, async iterables.

aiohttp takes these as ``Response(body=...)`` (its payload objects) and streams them:

* a binary file object (an open file, ``io.BytesIO``): its bytes from the current
  position, with a ``Content-Length`` when the size is known; a named file also gets
  ``Content-Disposition: attachment`` and a ``Content-Type`` guessed from its name;
* a text file object (an open text file, ``io.StringIO``): its text, encoded in the
  file's encoding (UTF-8 for ``StringIO``), ``text/plain`` with that charset;
* an async iterable of ``bytes``: sent as it comes, chunked.

A file is read in an executor (a disk read would block the loop), and closed once sent,
as aiohttp closes it.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Final

__all__ = ["BodyStream", "body_stream"]

CHUNK: Final = 64 * 1024
_OCTET_STREAM: Final = "application/octet-stream"


class BodyStream:
    """A body sent in pieces, with what its source tells of its type and size."""

    __slots__ = ("_source", "content_type", "disposition", "size")

    def __init__(
        self, source: Any, content_type: str, size: int | None, disposition: str | None
    ) -> None:
        self._source = source
        #: The Content-Type the body has unless the response sets one.
        self.content_type = content_type
        #: The byte size, if known before sending (else the body goes chunked).
        self.size = size
        #: A Content-Disposition value for a named file, else None.
        self.disposition = disposition

    def close(self) -> None:
        """Close a file source, sent or not (an async iterable is left as it is)."""
        close = getattr(self._source, "close", None)
        if callable(close) and not isinstance(self._source, AsyncIterable):
            close()

    async def pieces(self) -> AsyncIterator[bytes]:
        """The body's bytes, a piece at a time."""
        source = self._source
        if isinstance(source, AsyncIterable):
            async for piece in source:
                if not isinstance(piece, (bytes, bytearray, memoryview)):
                    raise TypeError(f"body pieces must be bytes, not {type(piece).__name__}")
                yield bytes(piece)
            return
        in_memory = isinstance(source, (io.BytesIO, io.StringIO))
        loop = asyncio.get_running_loop()
        while True:
            piece = (
                source.read(CHUNK)
                if in_memory
                else await loop.run_in_executor(None, source.read, CHUNK)
            )
            if not piece:
                return
            yield piece.encode(_text_encoding(source)) if isinstance(piece, str) else piece


def _text_encoding(source: Any) -> str:
    return getattr(source, "encoding", None) or "utf-8"


def _remaining_size(source: Any) -> int | None:
    try:
        if isinstance(source, io.BytesIO):
            return len(source.getbuffer()) - source.tell()
        size: int = os.fstat(source.fileno()).st_size - source.tell()
        return size
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


def _disposition(source: Any) -> tuple[str | None, str | None]:
    """(Content-Disposition, guessed type) for a file that has a name."""
    name = getattr(source, "name", None)
    if not isinstance(name, (str, bytes)) or not name:
        return None, None
    filename = os.path.basename(os.fsdecode(name))
    if not filename or filename.startswith("<"):  # <stdin>, <fdopen>
        return None, None
    guessed = mimetypes.guess_type(filename)[0]
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f'attachment; filename="{quoted}"', guessed


def body_stream(value: object) -> BodyStream | None:
    """The streamed body for ``value``, or None if it is none of the supported kinds."""
    if isinstance(value, AsyncIterable):
        return BodyStream(value, _OCTET_STREAM, None, None)
    if isinstance(value, io.TextIOBase):
        charset = _text_encoding(value)
        disposition, _ = _disposition(value)
        if isinstance(value, io.StringIO):
            text = value.read()  # in memory: its encoded size is known at once
            encoded = text.encode(charset)
            return BodyStream(
                io.BytesIO(encoded), f"text/plain; charset={charset}", len(encoded), None
            )
        return BodyStream(value, f"text/plain; charset={charset}", None, disposition)
    if isinstance(value, io.IOBase) or (hasattr(value, "read") and hasattr(value, "close")):
        disposition, guessed = _disposition(value)
        return BodyStream(value, guessed or _OCTET_STREAM, _remaining_size(value), disposition)
    return None
