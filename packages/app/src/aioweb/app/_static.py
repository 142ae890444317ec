"""Responses for static routes (``router.add_static``).

INTERIM: :class:`StaticFileResponse` is a deliberately small streaming file
response (``GET``/``HEAD``, ``Content-Type`` from :mod:`mimetypes`,
``Content-Length``, ``Last-Modified``, ``304`` on ``If-Modified-Since``). It stands
in until the files issue brings the server's full ``FileResponse`` (ranges, ETags,
precompressed variants, sendfile); :class:`StaticResponder` will then build that
instead. The router has already checked that every path handed here is a regular
file inside the static root.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from aioweb.server.response import Response, StreamResponse

if TYPE_CHECKING:
    from aioweb.router import StaticResponder as StaticResponderContract
    from aioweb.server.request import BaseRequest
    from aioweb.server.writer import StreamWriter

__all__ = ["StaticFileResponse", "StaticResponder"]

_FALLBACK_TYPE: Final = "application/octet-stream"


class StaticFileResponse(StreamResponse):
    """Streams the file at *path*, *chunk_size* bytes at a time (reads run in the executor).

    Interim implementation, see the module documentation.
    """

    def __init__(self, path: Path, chunk_size: int = 256 * 1024) -> None:
        super().__init__()
        self._path = path
        self._chunk_size = chunk_size

    async def prepare(self, request: BaseRequest) -> StreamWriter | None:
        """Send the head and the whole file (or only the head: ``HEAD``, ``304``)."""
        if self.prepared:
            return await super().prepare(request)
        loop = asyncio.get_running_loop()
        try:
            fobj, size, mtime = await loop.run_in_executor(None, _open, self._path)
        except OSError:
            # Gone or unreadable since the router looked: same answer as missing.
            self.set_status(404)
            self.content_length = 0
            return await super().prepare(request)
        try:
            self.last_modified = mtime
            since = request.if_modified_since
            if since is not None and int(mtime) <= since.timestamp():
                self.set_status(304)
                writer = await super().prepare(request)
                await self.write_eof()
                return writer
            ctype, encoding = mimetypes.guess_type(self._path.name)
            if encoding is not None:
                # A .gz file is sent as is, never decoded by the client on the fly.
                ctype = "application/gzip" if encoding == "gzip" else _FALLBACK_TYPE
            self.content_type = ctype or _FALLBACK_TYPE
            self.content_length = size
            writer = await super().prepare(request)
            if request.method != "HEAD":
                remaining = size
                while remaining > 0:
                    chunk = await loop.run_in_executor(
                        None, fobj.read, min(self._chunk_size, remaining)
                    )
                    if not chunk:
                        break
                    remaining -= len(chunk)
                    await self.write(chunk)
            await self.write_eof()
            return writer
        finally:
            await loop.run_in_executor(None, fobj.close)


def _open(path: Path) -> tuple[IO[bytes], int, float]:
    fobj = path.open("rb")
    try:
        st = os.fstat(fobj.fileno())
    except OSError:
        fobj.close()
        raise
    return fobj, st.st_size, st.st_mtime


class StaticResponder:
    """The application's :class:`aioweb.router.StaticResponder`: file and index pages."""

    def file(self, path: Path, chunk_size: int) -> StreamResponse:
        """A :class:`StaticFileResponse` for *path*."""
        return StaticFileResponse(path, chunk_size)

    def index(self, html: str) -> StreamResponse:
        """The (already escaped) directory listing as ``text/html``."""
        return Response(text=html, content_type="text/html")


def _check() -> StaticResponderContract[StreamResponse]:
    return StaticResponder()
