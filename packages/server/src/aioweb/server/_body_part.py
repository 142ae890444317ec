"""One body part of a multipart message, read in bounded pieces.

Internal to :mod:`aioweb.server.multipart`, which re-exports :class:`BodyPartReader`.
"""

from __future__ import annotations

import json
import ntpath
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy

from aioweb.exceptions import HTTPRequestEntityTooLarge

from ._part_decoders import PartDecoder, make_decoder
from ._stream_protocol import AsyncByteStream
from .forms import BadJSON, MalformedBody, UnknownCharset
from .headers import parse_content_disposition, parse_content_type

__all__ = ["BodyPartReader"]

#: Bytes asked of the underlying stream per read.
READ_SIZE: Final = 64 * 1024
#: Cap on decoded output when a reader is given no ``max_size``.
DEFAULT_MAX_DECODED_SIZE: Final = 64 * 1024 * 1024


def bad_multipart(message: str) -> MalformedBody:
    """A 400 that is also a ``ValueError``, the class aiohttp raises for these bodies."""
    return MalformedBody(f"Malformed multipart body: {message}.")


class Source:
    """A buffer over the stream; the body readers work on ``buf`` directly."""

    __slots__ = ("_limit", "_stream", "buf", "eof", "total")

    def __init__(self, stream: AsyncByteStream, limit: int | None) -> None:
        self._stream = stream
        self._limit = limit
        self.buf = bytearray()
        self.eof = False
        self.total = 0

    async def fill(self) -> bool:
        """Append one bounded read to ``buf``; False at the end of the stream."""
        if self.eof:
            return False
        data = await self._stream.read(READ_SIZE)
        if not data:
            self.eof = True
            return False
        self.total += len(data)
        # Checked before the bytes join the buffer: never more than one read past the cap.
        if self._limit is not None and self.total > self._limit:
            raise HTTPRequestEntityTooLarge(max_size=self._limit, actual_size=self.total)
        self.buf += data
        return True

    async def ensure(self, size: int) -> bool:
        """Read until ``buf`` holds *size* bytes; False if the stream ends first."""
        while len(self.buf) < size:
            if not await self.fill():
                return False
        return True


class BodyPartReader:
    """One part of a multipart body: its headers, then its content in pieces."""

    #: Default piece size of :meth:`read_chunk`.
    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: CIMultiDictProxy[str],
        source: Source,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_size: int | None = None,
    ) -> None:
        self.headers = headers
        self._source = source
        self._dash_boundary = b"--" + boundary
        self._delimiter = b"\r\n--" + boundary
        self._is_form_data = subtype == "form-data"
        self._default_charset = default_charset
        self._max_size = max_size
        self._started = False
        self._raw_eof = False
        self._found = -1  # where the delimiter starts in the buffer, once seen
        self._clean = 0  # buffer prefix known to hold no delimiter start
        self._pending = bytearray()  # read ahead by readline()
        self._cache: dict[str, str | None] = {}

    def __aiter__(self) -> AsyncIterator[bytearray]:
        return self._iter_reads()

    async def _iter_reads(self) -> AsyncIterator[bytearray]:
        while data := await self.read():
            yield data

    async def next(self) -> bytearray | None:
        """The rest of the part (as :meth:`read`), or None once it is consumed."""
        data = await self.read()
        return data or None

    def at_eof(self) -> bool:
        """True once the part's content has been consumed."""
        return self._raw_eof and not self._pending

    async def _raw_chunk(self, size: int) -> bytes:
        source = self._source
        delimiter = self._delimiter
        if not self._started:
            self._started = True
            # No content at all: the header section's blank line doubled as the
            # delimiter's CRLF, so the boundary follows at once.
            dash = self._dash_boundary
            await source.ensure(len(dash))
            if source.buf.startswith(dash):
                self._raw_eof = True
                return b""
        while True:
            buf = source.buf
            if self._found < 0:
                found = buf.find(delimiter, self._clean)
                if found >= 0:
                    self._found = found
                else:
                    self._clean = max(self._clean, len(buf) - len(delimiter) + 1)
            available = self._found if self._found >= 0 else self._clean
            if available > 0:
                n = min(size, available)
                chunk = bytes(buf[:n])
                del buf[:n]
                self._clean = max(0, self._clean - n)
                if self._found >= 0:
                    self._found -= n
                    if self._found == 0:
                        self._end_content()
                return chunk
            if self._found == 0:
                self._end_content()
                return b""
            if not await source.fill():
                raise bad_multipart("body ends inside a part (missing boundary)")

    def _end_content(self) -> None:
        # Drop the delimiter's CRLF; the reader takes it from "--boundary".
        del self._source.buf[:2]
        self._raw_eof = True

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Return the next piece of raw (undecoded) content, at most *size* bytes.

        Returns ``b""`` once the part is consumed.
        """
        if size < 1:
            raise ValueError("size must be positive")
        if self._pending:
            chunk = bytes(self._pending[:size])
            del self._pending[:size]
            return chunk
        if self._raw_eof:
            return b""
        return await self._raw_chunk(size)

    async def readline(self) -> bytes:
        """Return the next line of raw content, ``\\n`` included.

        The part's last line comes back without the CRLF that belongs to the
        boundary; a line longer than 64 KiB comes back in 64 KiB pieces.
        """
        pending = self._pending
        scanned = 0
        while True:
            newline = pending.find(b"\n", scanned)
            if newline >= 0:
                return self._take_pending(newline + 1)
            if len(pending) >= READ_SIZE or self._raw_eof:
                return self._take_pending(min(len(pending), READ_SIZE))
            scanned = len(pending)
            pending += await self._raw_chunk(READ_SIZE)

    def _take_pending(self, n: int) -> bytes:
        line = bytes(self._pending[:n])
        del self._pending[:n]
        return line

    async def read(self, *, decode: bool = False) -> bytearray:
        """Read the rest of the part; with *decode*, undo its transfer/content encodings.

        A ``bytearray``, as aiohttp documents (``b""`` once the part is read).
        More than ``max_size`` bytes (raw or decoded) raises ``HTTPRequestEntityTooLarge``.
        """
        data = bytearray()
        limit = self._max_size
        while chunk := await self.read_chunk(READ_SIZE):
            data += chunk
            if limit is not None and len(data) > limit:
                raise HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data))
        if decode:
            return bytearray(self.decode(bytes(data)))
        return data

    async def release(self) -> None:
        """Skip the rest of the part."""
        self._pending.clear()
        while not self._raw_eof:
            await self._raw_chunk(READ_SIZE)

    def decoder(self) -> PartDecoder:
        """An incremental decoder for this part's encodings (see :meth:`decode`)."""
        content_encoding = None if self._is_form_data else self.headers.get("Content-Encoding")
        return make_decoder(
            self.headers.get("Content-Transfer-Encoding"),
            content_encoding,
            max_size=self._max_size if self._max_size is not None else DEFAULT_MAX_DECODED_SIZE,
        )

    def decode(self, data: bytes) -> bytes:
        """Undo Content-Transfer-Encoding (base64, quoted-printable) and Content-Encoding.

        Content-Encoding (gzip, deflate, identity) is ignored for form-data parts
        (RFC 7578 4.8). Decoded output is capped (``max_size``, else 64 MiB).
        """
        decoder = self.decoder()
        return decoder.feed(data) + decoder.flush()

    def get_charset(self, default: str) -> str:
        """The part's charset parameter, else the form's ``_charset_``, else *default*."""
        _, params = parse_content_type(self.headers.get("Content-Type"))
        return params.get("charset") or self._default_charset or default

    async def text(self, *, encoding: str | None = None) -> str:
        """Read and decode the part as text (its charset, else UTF-8)."""
        data = await self.read(decode=True)
        return to_text(data, encoding or self.get_charset("utf-8"))

    async def json(self, *, encoding: str | None = None) -> Any:
        """Read the part as JSON; None for an empty part."""
        data = await self.read(decode=True)
        if not data:
            return None
        text = to_text(data, encoding or self.get_charset("utf-8"))
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadJSON("Malformed multipart body: part is not valid JSON.", exc) from None

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        """Read the part as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        charset = encoding or self.get_charset("utf-8")
        text = to_text(data.rstrip(), charset)
        try:
            return parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
        except ValueError:
            raise bad_multipart(f"part is not valid {charset}") from None

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of Content-Disposition, or None."""
        if "name" not in self._cache:
            _, params = parse_content_disposition(self.headers.get("Content-Disposition"))
            self._cache["name"] = params.get("name")
        return self._cache["name"]

    @property
    def filename(self) -> str | None:
        """The ``filename`` (``filename*`` preferred) of Content-Disposition, or None.

        Only the last path component is kept (``C:\\a\\b.txt`` and ``../b.txt``
        give ``b.txt``), so the name is never a path; ``.`` and ``..`` give ``""``.
        """
        if "filename" not in self._cache:
            _, params = parse_content_disposition(self.headers.get("Content-Disposition"))
            value = params.get("filename")
            if value is not None:
                value = ntpath.basename(value)  # splits on both "/" and "\\"
                if value in (".", ".."):
                    value = ""
            self._cache["filename"] = value
        return self._cache["filename"]


def to_text(data: bytes | bytearray, charset: str) -> str:
    try:
        return data.decode(charset)
    except LookupError:
        raise UnknownCharset(f"Malformed multipart body: unknown charset {charset!r}.") from None
    except UnicodeDecodeError:
        raise bad_multipart(f"part is not valid {charset}") from None
