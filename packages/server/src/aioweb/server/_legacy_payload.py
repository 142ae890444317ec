"""The request side of the legacy server: the parsed message and its body stream.

:class:`RawRequestMessage` and :class:`PayloadStream` are what
``ServerHttpProtocol.handle_request(message, payload)`` receives; :class:`MultiDict`
is the old ``aiohttp.MultiDict`` that handlers built from form bodies. Public names are
re-exported by :mod:`aioweb.server.legacy`, which is where users import them from.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, NamedTuple, Protocol

import multidict
from multidict import CIMultiDictProxy
from yarl import URL

from aioweb.http import HttpProcessingError
from aioweb.http._version import HttpVersion
from aioweb.http.decoders import ContentDecoder

__all__ = ["MultiDict", "PayloadOwner", "PayloadStream", "RawRequestMessage"]


class PayloadOwner(Protocol):
    """What a :class:`PayloadStream` tells its connection as the handler reads.

    ``ServerHttpProtocol`` satisfies it; the stream depends on this instead of the
    protocol class so that this module never imports :mod:`aioweb.server.legacy`.
    """

    def _payload_consumed(self) -> None:
        """Raw body bytes left the buffer: reading may resume."""
        ...

    def _payload_failed(self, exc: HttpProcessingError) -> None:
        """The body could not be decoded: the connection must not be reused."""
        ...


class MultiDict(multidict.MultiDict[Any]):
    """:class:`multidict.MultiDict` that also takes ``bytes`` keys, as the old one did.

    Old code builds it from ``parse_qsl(body_bytes)``; bytes keys are decoded as UTF-8
    (invalid bytes replaced), values are kept as they are.
    """

    def __init__(self, arg: Any = (), /, **kwargs: Any) -> None:
        pairs = arg.items() if hasattr(arg, "items") else arg
        super().__init__(
            [(k.decode("utf-8", "replace") if isinstance(k, bytes) else k, v) for k, v in pairs],
            **kwargs,
        )


class RawRequestMessage(NamedTuple):
    """The parsed request handed to ``handle_request`` (aiohttp's old message tuple)."""

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool
    url: URL


class PayloadStream:
    """The request body as an asynchronous byte stream (decoded if compressed).

    Raw body bytes are buffered up to a high-water mark (the connection stops reading
    beyond it); decompression happens only when the handler reads.
    """

    def __init__(self, protocol: PayloadOwner, decoder: ContentDecoder | None) -> None:
        self._protocol = protocol
        self._decoder = decoder
        self._raw: collections.deque[bytes] = collections.deque()
        self._raw_size = 0
        self._ready = b""
        self._eof = False
        self._exc: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    # -- fed by the protocol --

    def feed_data(self, data: bytes) -> None:
        self._raw.append(data)
        self._raw_size += len(data)
        self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()

    def set_exception(self, exc: BaseException) -> None:
        self._exc = exc
        self._wake()

    @property
    def buffered(self) -> int:
        """Raw (undecoded) bytes waiting to be read."""
        return self._raw_size

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _discard(self) -> int:
        """Drop buffered raw bytes without decoding them; return how many."""
        size = self._raw_size
        self._raw.clear()
        self._raw_size = 0
        self._ready = b""
        return size

    # -- read by the handler --

    def at_eof(self) -> bool:
        """True once the whole body has been read."""
        return self._eof and not self._raw and not self._ready

    async def _fill(self) -> bool:
        """Make ``_ready`` non-empty; False at the end of the body."""
        while not self._ready:
            if self._raw:
                data = self._raw.popleft()
                self._raw_size -= len(data)
                self._protocol._payload_consumed()
                if self._decoder is not None:
                    try:
                        data = self._decoder.decompress(data)
                    except HttpProcessingError as exc:
                        self._protocol._payload_failed(exc)
                        raise
                self._ready = data
                continue
            if self._exc is not None:
                raise self._exc
            if self._eof:
                if self._decoder is not None:
                    decoder, self._decoder = self._decoder, None
                    self._ready = decoder.flush()
                    continue
                return False
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return True

    async def readany(self) -> bytes:
        """Whatever is available (waiting for at least one byte); b"" at the end."""
        if not await self._fill():
            return b""
        data, self._ready = self._ready, b""
        return data

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, or the whole remaining body when ``n`` is -1."""
        if n < 0:
            parts = []
            while chunk := await self.readany():
                parts.append(chunk)
            return b"".join(parts)
        if n == 0 or not await self._fill():
            return b""
        data, self._ready = self._ready[:n], self._ready[n:]
        return data

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or :class:`asyncio.IncompleteReadError`."""
        parts: list[bytes] = []
        got = 0
        while got < n:
            chunk = await self.read(n - got)
            if not chunk:
                raise asyncio.IncompleteReadError(b"".join(parts), n)
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    async def readline(self) -> bytes:
        """One line including its ``\\n`` (or the rest of the body)."""
        parts: list[bytes] = []
        while await self._fill():
            idx = self._ready.find(b"\n")
            if idx >= 0:
                parts.append(self._ready[: idx + 1])
                self._ready = self._ready[idx + 1 :]
                break
            parts.append(self._ready)
            self._ready = b""
        return b"".join(parts)

    def __aiter__(self) -> PayloadStream:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self.readany()
        if not chunk:
            raise StopAsyncIteration
        return chunk
