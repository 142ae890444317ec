"""Streaming ``multipart/*`` request bodies (RFC 2046, RFC 7578).

:class:`MultipartReader` walks the parts of a body read from any
:class:`~aioweb.server._stream_protocol.AsyncByteStream`; each part is a
:class:`BodyPartReader` (or, for a ``multipart/*`` part, a nested
:class:`MultipartReader`). Bytes are pulled in bounded reads and a part's body is
handed out in bounded pieces, so no part is ever held whole unless the caller asks
for it (``read()``), and then only up to ``max_size``. Every input ends in parts,
the end of the body, or a :class:`~aioweb.server.forms.MalformedBody` (an
``HTTPBadRequest`` that is also a ``ValueError``, as aiohttp's errors there are) /
:class:`~aioweb.exceptions.HTTPRequestEntityTooLarge`: each loop either consumes
bytes or reads more, and running out of input is an error, never a retry.

:func:`read_form` builds ``BaseRequest.post()``'s result for ``multipart/form-data``.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import IO, Final

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict

from aioweb.exceptions import HTTPRequestEntityTooLarge

from ._body_part import READ_SIZE, BodyPartReader, Source, bad_multipart, to_text
from ._part_decoders import PartDecoder
from ._stream_protocol import AsyncByteStream
from .forms import MalformedBody, too_many_fields
from .headers import parse_content_type

__all__ = [
    "BodyPartReader",
    "FileField",
    "FormValue",
    "MultipartReader",
    "read_form",
]

#: Cap on one part's whole header section, whatever the line limits allow.
MAX_PART_HEADER_SECTION: Final = 64 * 1024
#: Transport padding allowed after a boundary (RFC 2046 allows any LWSP).
_MAX_PADDING: Final = 1024
_MAX_NESTING: Final = 8
_MAX_BOUNDARY: Final = 70  # RFC 2046 5.1.1

_HEADER_NAME_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Part header fields that may appear once: a second one makes the part ambiguous
# (two Content-Types: a file to one reader, text to another). aiohttp refuses
# the same set.
_SINGLE_FIELDS: Final = frozenset(
    {
        "authorization",
        "content-length",
        "content-location",
        "content-range",
        "content-type",
        "etag",
        "host",
        "max-forwards",
        "server",
        "transfer-encoding",
        "user-agent",
    }
)
_BAD_HEADER_VALUE_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and not isinstance(headers, (CIMultiDict, CIMultiDictProxy)):
        lname = name.lower()
        for key, item in headers.items():
            if key.lower() == lname:
                return item
    return value


class _PartStream:
    """A part's raw content as an AsyncByteStream, for a nested multipart reader."""

    def __init__(self, part: BodyPartReader) -> None:
        self._part = part

    async def read(self, n: int = -1) -> bytes:
        return await self._part.read_chunk(n if n > 0 else READ_SIZE)

    async def readany(self) -> bytes:
        return await self._part.read_chunk(READ_SIZE)

    async def readline(self) -> bytes:
        return await self._part.readline()

    async def readexactly(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            chunk = await self._part.read_chunk(n - len(data))
            if not chunk:
                raise asyncio.IncompleteReadError(bytes(data), n)
            data += chunk
        return bytes(data)

    def at_eof(self) -> bool:
        return self._part.at_eof()


class MultipartReader:
    """Reads the parts of a ``multipart/*`` body one after the other.

    *headers* are the message headers (their Content-Type gives the boundary);
    *content* is the body stream. Limits: *max_part_headers* header lines of at
    most *max_field_size* bytes each (and 64 KiB in all) per part; *max_parts*
    parts (413 past it); *max_size* bytes per :meth:`BodyPartReader.read` and per
    decoded part (413); *max_body_size* raw bytes read from *content* in all
    (413). Malformed input raises :class:`~aioweb.server.forms.MalformedBody`
    (400, and a ``ValueError`` as in aiohttp).
    """

    def __init__(
        self,
        headers: Mapping[str, str],
        content: AsyncByteStream,
        *,
        max_part_headers: int = 128,
        max_field_size: int = 8190,
        max_parts: int = 10_000,
        max_size: int | None = None,
        max_body_size: int | None = None,
        _depth: int = 0,
    ) -> None:
        mimetype, params = parse_content_type(_header(headers, "Content-Type"))
        if not mimetype.startswith("multipart/"):
            raise MalformedBody(f"Expected a multipart body, got {mimetype!r}.")
        boundary = params.get("boundary", "")
        if not 0 < len(boundary) <= _MAX_BOUNDARY or not boundary.isascii():
            raise bad_multipart(f"bad boundary {boundary!r}")
        if _depth > _MAX_NESTING:
            raise bad_multipart("multipart nested too deep")
        self.headers = headers
        self._subtype = mimetype.partition("/")[2]
        self._boundary = boundary.encode("ascii")
        self._dash_boundary = b"--" + self._boundary
        self._source = Source(content, max_body_size)
        self._max_part_headers = max_part_headers
        self._max_field_size = max_field_size
        self._max_parts = max_parts
        self._max_size = max_size
        self._depth = _depth
        self._parts = 0
        self._default_charset: str | None = None
        self._last_part: BodyPartReader | None = None
        self._at_bof = True
        self._at_eof = False

    def __aiter__(self) -> AsyncIterator[BodyPartReader | MultipartReader]:
        return self._iter_parts()

    async def _iter_parts(self) -> AsyncIterator[BodyPartReader | MultipartReader]:
        while (part := await self.next()) is not None:
            yield part

    def at_eof(self) -> bool:
        """True once the closing boundary has been read."""
        return self._at_eof

    async def release(self) -> None:
        """Skip every remaining part."""
        while (part := await self.next()) is not None:
            await part.release()

    async def next(self) -> BodyPartReader | MultipartReader | None:
        """Return the next part (skipping what is left of the previous one), or None at the end."""
        if self._at_eof:
            return None
        if self._last_part is not None:
            await self._last_part.release()
            self._last_part = None
        if self._at_bof:
            await self._skip_preamble()
            self._at_bof = False
        else:
            # The previous part stopped right at "--boundary".
            del self._source.buf[: len(self._dash_boundary)]
        if await self._finish_boundary_line():
            self._at_eof = True
            return None
        part = await self._next_part()
        if (
            self._parts == 1
            and self._subtype == "form-data"
            and isinstance(part, BodyPartReader)
            and part.name == "_charset_"
        ):
            # RFC 7578 4.6: a first "_charset_" field sets the form's default charset.
            await self._read_default_charset(part)
            return await self.next()
        return part

    async def _next_part(self) -> BodyPartReader | MultipartReader:
        self._parts += 1
        if self._parts > self._max_parts:
            raise HTTPRequestEntityTooLarge(
                max_size=self._max_parts,
                actual_size=self._parts,
                text=f"Maximum number of multipart parts {self._max_parts} exceeded.",
            )
        headers = await self._read_headers()
        part = BodyPartReader(
            self._boundary,
            headers,
            self._source,
            subtype=self._subtype,
            default_charset=self._default_charset,
            max_size=self._max_size,
        )
        self._last_part = part
        mimetype, _ = parse_content_type(headers.get("Content-Type"))
        if not mimetype.startswith("multipart/"):
            return part
        # The nested body is bounded by this part, so a broken inner boundary
        # can never run past the outer one.
        return MultipartReader(
            headers,
            _PartStream(part),
            max_part_headers=self._max_part_headers,
            max_field_size=self._max_field_size,
            max_parts=self._max_parts,
            max_size=self._max_size,
            _depth=self._depth + 1,
        )

    async def _read_default_charset(self, part: BodyPartReader) -> None:
        value = bytearray()
        while not part.at_eof():
            value += await part.read_chunk(64)
            if len(value) > 64:
                raise bad_multipart("_charset_ field too long")
        try:
            charset = value.strip().decode("ascii")
            codecs.lookup(charset)
        except (UnicodeDecodeError, LookupError):
            raise bad_multipart(f"unknown _charset_ {bytes(value)!r}") from None
        self._default_charset = charset

    async def _skip_preamble(self) -> None:
        source = self._source
        dash = self._dash_boundary
        # The first boundary starts the body or a line (CRLF, or a bare LF).
        marker = b"\n" + dash
        await source.ensure(len(dash))
        if source.buf.startswith(dash):
            del source.buf[: len(dash)]
            return
        scanned = 0
        while True:
            buf = source.buf
            found = buf.find(marker, scanned)
            if found >= 0:
                del buf[: found + len(marker)]
                return
            # Keep only a tail that could be the start of the marker.
            keep = len(marker) - 1
            if len(buf) > keep:
                del buf[: len(buf) - keep]
            scanned = 0
            if not await source.fill():
                raise bad_multipart("no boundary found")

    async def _finish_boundary_line(self) -> bool:
        """Consume the rest of a boundary line; True for the closing ``--``."""
        source = self._source
        await source.ensure(2)
        buf = source.buf
        if buf.startswith(b"--"):
            del buf[:2]
            return True
        pos = 0
        while True:
            while pos < len(buf) and buf[pos] in b" \t":
                pos += 1
            if pos > _MAX_PADDING:
                raise bad_multipart("too much padding after a boundary")
            if pos < len(buf):
                break
            if not await source.fill():
                raise bad_multipart("body ends after a boundary")
        if buf.startswith(b"\n", pos):
            del buf[: pos + 1]
            return False
        if buf.startswith(b"\r", pos):
            await source.ensure(pos + 2)
            if buf.startswith(b"\r\n", pos):
                del buf[: pos + 2]
                return False
        raise bad_multipart("unexpected data after a boundary")

    async def _read_headers(self) -> CIMultiDictProxy[str]:
        source = self._source
        headers: CIMultiDict[str] = CIMultiDict()
        section = 0
        scanned = 0
        while True:
            buf = source.buf
            newline = buf.find(b"\n", scanned)
            if newline < 0:
                scanned = len(buf)
                if scanned > self._max_field_size + 1:
                    raise bad_multipart("part header line too long")
                if not await source.fill():
                    raise bad_multipart("body ends inside part headers")
                continue
            line = bytes(buf[:newline])
            del buf[: newline + 1]
            scanned = 0
            section += newline + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                return CIMultiDictProxy(headers)
            if len(line) > self._max_field_size:
                raise bad_multipart("part header line too long")
            if len(headers) >= self._max_part_headers:
                raise bad_multipart("too many part headers")
            if section > MAX_PART_HEADER_SECTION:
                raise bad_multipart("part headers too large")
            name, sep, value = line.partition(b":")
            if not sep or not _HEADER_NAME_RE.fullmatch(name):
                raise bad_multipart(f"invalid part header line {line[:64]!r}")
            value = value.strip(b" \t")
            if _BAD_HEADER_VALUE_RE.search(value):
                raise bad_multipart("control character in a part header")
            field = name.decode("ascii")
            if field.lower() in _SINGLE_FIELDS and field in headers:
                raise bad_multipart(f"duplicate {field} part header")
            # as the request's own headers (and aiohttp's part headers): UTF-8, other
            # bytes kept as lone surrogates
            headers.add(field, value.decode("utf-8", "surrogateescape"))


@dataclass(frozen=True, slots=True)
class FileField:
    """An uploaded file from a form: the field name, client filename and spooled data."""

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    headers: CIMultiDictProxy[str]


#: A value of :func:`read_form`'s result (``BaseRequest.post()``).
FormValue = str | bytes | FileField


async def _spool(
    part: BodyPartReader, decoder: PartDecoder, threshold: int, budget: _Budget
) -> IO[bytes]:
    loop = asyncio.get_running_loop()
    spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - handed to the caller
        max_size=threshold
    )
    try:
        written = 0
        while True:
            chunk = await part.read_chunk(READ_SIZE)
            data = decoder.feed(chunk) if chunk else decoder.flush()
            budget.spend(len(data))
            if data:
                written += len(data)
                if written > threshold:
                    # On disk now: keep blocking writes off the event loop.
                    await loop.run_in_executor(None, spool.write, data)
                else:
                    spool.write(data)
            if not chunk:
                break
        if written > threshold:
            await loop.run_in_executor(None, spool.seek, 0)
        else:
            spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


class _Budget:
    """The one size cap shared by every field of a form (decoded bytes)."""

    def __init__(self, max_size: int) -> None:
        self._max_size = max_size
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if 0 < self._max_size < self.used:
            raise HTTPRequestEntityTooLarge(max_size=self._max_size, actual_size=self.used)


async def _read_value(
    part: BodyPartReader, decoder: PartDecoder, charset: str, budget: _Budget
) -> str | bytes:
    data = bytearray()
    while True:
        chunk = await part.read_chunk(READ_SIZE)
        decoded = decoder.feed(chunk) if chunk else decoder.flush()
        budget.spend(len(decoded))
        data += decoded
        if not chunk:
            break
    content_type = part.headers.get("Content-Type")
    if content_type is None or parse_content_type(content_type)[0].startswith("text/"):
        return to_text(bytes(data), part.get_charset(charset))
    return bytes(data)


async def read_form(
    request_headers: Mapping[str, str],
    content: AsyncByteStream,
    *,
    max_size: int,
    max_fields: int = 1000,
    max_part_headers: int = 64,
    spool_threshold: int = 1024 * 1024,
    charset: str = "utf-8",
) -> MultiDict[FormValue]:
    """Read a whole ``multipart/form-data`` body into ``{name: value}``.

    Parts with a non-empty filename become :class:`FileField` objects whose data
    is spooled to a temporary file past *spool_threshold* bytes; text parts (no
    Content-Type or ``text/*``) become ``str`` in their charset (else the
    ``_charset_`` field's, else *charset*); other parts become ``bytes``.

    *max_size* (0 or less: no limit) caps the whole body, raw bytes read and
    decoded bytes kept, across all fields together: past it
    ``HTTPRequestEntityTooLarge`` is raised, at most one read (64 KiB) after the
    cap. More than *max_fields* fields raises it too (as aiohttp). Malformed
    bodies, parts without a name and nested multipart parts raise
    :class:`~aioweb.server.forms.MalformedBody` (400; a ``ValueError``, as aiohttp
    raises there). On any error the temporary files already made are closed;
    on success closing the ``FileField.file`` objects is the caller's job.
    """
    reader = MultipartReader(
        request_headers,
        content,
        max_part_headers=max_part_headers,
        max_parts=max_fields + 2 if max_fields > 0 else 10_000_000,
        max_size=max_size if max_size > 0 else None,
        max_body_size=max_size if max_size > 0 else None,
    )
    budget = _Budget(max_size)
    out: MultiDict[FormValue] = MultiDict()
    files: list[IO[bytes]] = []
    try:
        while (part := await reader.next()) is not None:
            if 0 < max_fields <= len(out):
                raise too_many_fields(max_fields, len(out) + 1)
            if isinstance(part, MultipartReader):
                raise MalformedBody("Nested multipart parts are not supported in forms.")
            name = part.name
            if name is None:
                raise MalformedBody("Multipart form field without a name.")
            decoder = part.decoder()
            filename = part.filename
            if filename:
                spooled = await _spool(part, decoder, spool_threshold, budget)
                files.append(spooled)
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                out.add(name, FileField(name, filename, spooled, content_type, part.headers))
            else:
                out.add(name, await _read_value(part, decoder, charset, budget))
    except BaseException:
        for spooled in files:
            spooled.close()
        raise
    return out


def _check_part_stream(part: BodyPartReader) -> AsyncByteStream:
    # Static proof that a nested reader's source satisfies the stream contract.
    return _PartStream(part)
