"""Shared fixtures for aioweb.server's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import pytest


class MemoryByteStream:
    """An in-memory AsyncByteStream that hands out data in given pieces.

    ``pieces`` fixes how the bytes "arrive": no read returns bytes from two
    pieces, as no read from a socket returns bytes not yet received. ``reads``
    counts calls, so tests can check that a reader stops asking at EOF.
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = [piece for piece in pieces if piece]
        self._index = 0
        self._offset = 0
        self.reads = 0
        self.bytes_read = 0

    def _take(self, n: int) -> bytes:
        self.reads += 1
        if self._index >= len(self._pieces):
            return b""
        piece = self._pieces[self._index]
        end = len(piece) if n < 0 else min(len(piece), self._offset + n)
        data = piece[self._offset : end]
        self._offset = end
        if end == len(piece):
            self._index += 1
            self._offset = 0
        self.bytes_read += len(data)
        return data

    async def read(self, n: int = -1) -> bytes:
        if n < 0:
            out = bytearray()
            while data := self._take(-1):
                out += data
            return bytes(out)
        return self._take(n)

    async def readany(self) -> bytes:
        return self._take(-1)

    async def readline(self) -> bytes:
        out = bytearray()
        while not out.endswith(b"\n"):
            data = self._take(1)
            if not data:
                break
            out += data
        return bytes(out)

    async def readexactly(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            data = self._take(n - len(out))
            if not data:
                raise asyncio.IncompleteReadError(bytes(out), n)
            out += data
        return bytes(out)

    def at_eof(self) -> bool:
        return self._index >= len(self._pieces)


def split_bytes(data: bytes, size: int) -> list[bytes]:
    """*data* cut into pieces of *size* bytes."""
    return [data[i : i + size] for i in range(0, len(data), size)]


MakeStream = Callable[..., MemoryByteStream]


@pytest.fixture
def make_stream() -> MakeStream:
    """Factory: ``make_stream(data, piece_size=None, pieces=None)`` -> MemoryByteStream.

    With *pieces* the stream yields exactly those pieces; with *piece_size* the
    data is cut evenly; otherwise it arrives in one piece.
    """

    def factory(
        data: bytes = b"", piece_size: int | None = None, pieces: Iterable[bytes] | None = None
    ) -> MemoryByteStream:
        if pieces is not None:
            return MemoryByteStream(pieces)
        if piece_size is not None:
            return MemoryByteStream(split_bytes(data, piece_size))
        return MemoryByteStream([data])

    return factory


Part = tuple[list[tuple[str, str]], bytes]
BuildMultipart = Callable[..., bytes]


@pytest.fixture
def build_multipart() -> BuildMultipart:
    """Factory: ``build_multipart(parts, boundary=b"BOUNDARY", preamble=b"", epilogue=b"",
    close=True)`` -> a multipart body; *parts* are ``(headers, content)`` pairs."""

    def factory(
        parts: list[Part],
        boundary: bytes = b"BOUNDARY",
        preamble: bytes = b"",
        epilogue: bytes = b"",
        close: bool = True,
    ) -> bytes:
        out = bytearray(preamble)
        if preamble:
            out += b"\r\n"
        for headers, content in parts:
            out += b"--" + boundary + b"\r\n"
            for name, value in headers:
                out += f"{name}: {value}\r\n".encode()
            out += b"\r\n" + content + b"\r\n"
        if close:
            out += b"--" + boundary + b"--\r\n" + epilogue
        return bytes(out)

    return factory
