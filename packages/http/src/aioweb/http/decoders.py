"""Incremental Content-Encoding decoders with a cap on the decompressed size.

The parser hands out bodies still compressed; a consumer that wants them decoded wraps
the body pieces in a :class:`ContentDecoder`::

    decoder = ContentDecoder(head.compression, max_size=10 * 2**20)
    for piece in body_pieces:
        out = decoder.decompress(piece)
    out = decoder.flush()

A zip bomb never costs more than ``max_size`` plus one decoder step of memory: output is
produced in bounded steps and the cap is checked after each.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, Final

from .errors import ContentEncodingError, PayloadTooLarge

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["SUPPORTED_DECODINGS", "ContentDecoder"]


def _optional(name: str) -> ModuleType | None:
    try:
        return __import__(name)
    except ImportError:
        return None


_brotli: Final = _optional("brotli")
_zstd: Final = _optional("zstandard")

SUPPORTED_DECODINGS: Final[frozenset[str]] = frozenset(
    {"gzip", "x-gzip", "deflate"}
    | ({"br"} if _brotli is not None else set())
    | ({"zstd"} if _zstd is not None else set())
)

# Output produced per step of brotli and zstd (zlib is bounded exactly by max_length).
_STEP: Final = 64 * 1024


class _TooLarge(Exception):
    """Raised from inside the zstd writer to stop it mid-stream."""


class ContentDecoder:
    """Decode one body compressed with ``coding``; raise once output exceeds ``max_size``.

    Raises :class:`~aioweb.http.errors.ContentEncodingError` (400) on corrupt or
    truncated data and :class:`~aioweb.http.errors.PayloadTooLarge` (413) when the
    decompressed size would exceed ``max_size`` (None: no cap). After an error the
    decoder must not be used again.
    """

    __slots__ = ("_coding", "_impl", "_max_size", "_size")

    def __init__(self, coding: str, *, max_size: int | None) -> None:
        coding = coding.lower()
        if coding not in SUPPORTED_DECODINGS:
            raise ContentEncodingError(f"unsupported content coding {coding!r}")
        self._coding = coding
        self._max_size = max_size
        self._size = 0
        self._impl: _Zlib | _Brotli | _Zstd
        if coding == "br":
            self._impl = _Brotli()
        elif coding == "zstd":
            self._impl = _Zstd()
        else:
            self._impl = _Zlib(gzip=coding != "deflate")

    @property
    def coding(self) -> str:
        """The content coding, lowercased."""
        return self._coding

    @property
    def size(self) -> int:
        """Decompressed bytes produced so far."""
        return self._size

    def decompress(self, data: bytes) -> bytes:
        """Decode the next piece of the body; return what it yields (maybe ``b""``)."""
        if not data:
            return b""
        return self._account(self._impl.decompress(data, self._allowance()))

    def flush(self) -> bytes:
        """The body ended: return the last output; raise if the stream was truncated."""
        return self._account(self._impl.flush(self._allowance()))

    def _allowance(self) -> int | None:
        # one byte more than allowed, so that "exceeded" is observable
        return None if self._max_size is None else self._max_size - self._size + 1

    def _account(self, out: bytes) -> bytes:
        self._size += len(out)
        if self._max_size is not None and self._size > self._max_size:
            raise PayloadTooLarge("decompressed body too large")
        return out


class _Zlib:
    __slots__ = ("_d", "_gzip", "_started")

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._started = False
        self._d: Any = None

    def _new(self, first: int) -> Any:
        if self._gzip:
            return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped (RFC 9110 8.4.1.2); some clients send raw
        # deflate. A zlib header has CM=8 in the low nibble of its first byte.
        wbits = zlib.MAX_WBITS if first & 0x0F == 8 else -zlib.MAX_WBITS
        return zlib.decompressobj(wbits=wbits)

    def decompress(self, data: bytes, allowance: int | None) -> bytes:
        try:
            return self._run(data, allowance)
        except zlib.error as exc:
            raise ContentEncodingError("corrupt compressed body") from exc

    def _run(self, data: bytes, allowance: int | None) -> bytes:
        d = self._d
        if d is None:
            d = self._d = self._new(data[0])
            self._started = True
        elif d.eof:
            data = self._next_member(d, data)
            if not data:
                return b""
            d = self._d
        out: bytes = d.decompress(data, allowance or 0)
        if d.unconsumed_tail:
            # the output stopped at the cap with input left: over the limit
            raise PayloadTooLarge("decompressed body too large")
        if d.eof and d.unused_data:
            rest = self._next_member(d, d.unused_data)
            if allowance is not None:
                allowance -= len(out)
                if allowance <= 0:
                    raise PayloadTooLarge("decompressed body too large")
            more: bytes = self._run(rest, allowance)
            return out + more
        return out

    def _next_member(self, d: Any, data: bytes) -> bytes:
        # gzip allows several members back to back (RFC 1952 2.2); deflate does not
        if not self._gzip:
            raise ContentEncodingError("data after the end of the deflate stream")
        self._d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        return data

    def flush(self, allowance: int | None) -> bytes:
        d = self._d
        if d is None:
            return b""  # an empty body
        try:
            out: bytes = d.flush()
        except zlib.error as exc:  # pragma: no cover - flush after eof does not fail
            raise ContentEncodingError("corrupt compressed body") from exc
        if not d.eof:
            raise ContentEncodingError("truncated compressed body")
        return out


class _Brotli:
    __slots__ = ("_d", "_started")

    def __init__(self) -> None:
        if _brotli is None:  # pragma: no cover - guarded by SUPPORTED_DECODINGS
            raise ContentEncodingError("brotli is not installed")
        self._d: Any = _brotli.Decompressor()
        self._started = False

    def decompress(self, data: bytes, allowance: int | None) -> bytes:
        self._started = True
        d = self._d
        step = _STEP if allowance is None else max(1, min(_STEP, allowance))
        try:
            part = d.process(data, output_buffer_limit=step)
            parts = [part]
            size = len(part)
            # Output that reached the step may have more behind it. brotli 1.2's
            # can_accept_more_data() says True there anyway, so it alone would drop
            # the rest (a valid body then looked truncated); a short step is the end.
            while len(part) >= step or not d.can_accept_more_data():
                if allowance is not None and size >= allowance:
                    break
                part = d.process(b"", output_buffer_limit=step)
                if not part:
                    break
                parts.append(part)
                size += len(part)
        except Exception as exc:  # brotli.error is a plain Exception subclass
            raise ContentEncodingError("corrupt compressed body") from exc
        return b"".join(parts)

    def flush(self, allowance: int | None) -> bytes:
        if self._started and not self._d.is_finished():
            raise ContentEncodingError("truncated compressed body")
        return b""


class _Zstd:
    __slots__ = ("_allowance", "_frames", "_parts", "_size", "_writer")

    def __init__(self) -> None:
        if _zstd is None:  # pragma: no cover - guarded by SUPPORTED_DECODINGS
            raise ContentEncodingError("zstandard is not installed")
        self._parts: list[bytes] = []
        self._size = 0
        self._allowance: int | None = None
        self._frames = _ZstdFrames()
        # The writer receives output in steps of at most _STEP bytes; raising from it
        # stops decompression there, which bounds a bomb's memory.
        self._writer: Any = _zstd.ZstdDecompressor().stream_writer(
            self, write_size=_STEP, closefd=False
        )

    def write(self, chunk: bytes) -> int:
        self._parts.append(bytes(chunk))
        self._size += len(chunk)
        if self._allowance is not None and self._size >= self._allowance:
            raise _TooLarge
        return len(chunk)

    def decompress(self, data: bytes, allowance: int | None) -> bytes:
        self._allowance = allowance
        self._size = 0
        self._frames.feed(data)
        try:
            self._writer.write(data)
        except _TooLarge:
            pass
        except Exception as exc:  # zstandard.ZstdError
            raise ContentEncodingError("corrupt compressed body") from exc
        out = b"".join(self._parts)
        self._parts.clear()
        return out

    def flush(self, allowance: int | None) -> bytes:
        # The writer does not say whether the last frame was complete; the frame walker
        # does, from the compressed bytes.
        if not self._frames.at_boundary():
            raise ContentEncodingError("truncated compressed body")
        return b""


# _ZstdFrames states: what the next fixed-size piece of input is
_MAGIC: Final = 0
_SKIPPABLE_SIZE: Final = 1
_FRAME_HEADER: Final = 2
_BLOCK_HEADER: Final = 3
_NEED: Final = {_MAGIC: 4, _SKIPPABLE_SIZE: 4, _FRAME_HEADER: 1, _BLOCK_HEADER: 3}
_ZSTD_MAGIC: Final = 0xFD2FB528
_SKIPPABLE_MAGIC: Final = 0x184D2A50  # the low 4 bits are free
_DICT_ID_SIZE: Final = (0, 1, 2, 4)
_CONTENT_SIZE_SIZE: Final = (0, 2, 4, 8)


class _ZstdFrames:
    """Follows the frame structure of a zstd stream (RFC 8878 3.1) to see where frames end.

    It reads only the magic numbers, frame header descriptors and block headers, and
    skips everything else, so its work is per block (at most 128 KiB of output), not
    per byte. The decompressor itself checks the content.
    """

    __slots__ = ("_checksum", "_pending", "_skip", "_state", "_used")

    def __init__(self) -> None:
        self._state = _MAGIC
        self._pending = bytearray()  # part of the next header
        self._skip = 0  # bytes to pass over before the next header
        self._checksum = False
        self._used = False

    def at_boundary(self) -> bool:
        """Whether the input so far is empty or ends exactly after a complete frame."""
        return self._state == _MAGIC and not self._skip and not self._pending

    def feed(self, data: bytes) -> None:
        i = 0
        end = len(data)
        while i < end:
            if self._skip:
                take = min(self._skip, end - i)
                self._skip -= take
                i += take
                continue
            need = _NEED[self._state] - len(self._pending)
            piece = data[i : i + need]
            i += len(piece)
            if len(piece) < need:
                self._pending += piece
                return
            if self._pending:
                piece = bytes(self._pending + piece)
                self._pending.clear()
            self._header(piece)

    def _header(self, piece: bytes) -> None:
        state = self._state
        if state == _MAGIC:
            magic = int.from_bytes(piece, "little")
            if magic == _ZSTD_MAGIC:
                self._state = _FRAME_HEADER
            elif magic & ~0xF == _SKIPPABLE_MAGIC:
                self._state = _SKIPPABLE_SIZE
            else:
                raise ContentEncodingError("corrupt compressed body")
        elif state == _SKIPPABLE_SIZE:
            self._skip = int.from_bytes(piece, "little")
            self._state = _MAGIC
        elif state == _FRAME_HEADER:
            d = piece[0]
            single_segment = d & 0x20
            self._checksum = bool(d & 0x04)
            fcs_flag = d >> 6
            self._skip = (
                (0 if single_segment else 1)  # Window_Descriptor
                + _DICT_ID_SIZE[d & 0x03]
                + (_CONTENT_SIZE_SIZE[fcs_flag] or (1 if single_segment else 0))
            )
            self._state = _BLOCK_HEADER
        else:
            header = int.from_bytes(piece, "little")
            block_type = (header >> 1) & 0x03
            if block_type == 3:  # reserved
                raise ContentEncodingError("corrupt compressed body")
            # an RLE block holds one byte, repeated Block_Size times
            self._skip = 1 if block_type == 1 else header >> 3
            if header & 1:  # Last_Block
                if self._checksum:
                    self._skip += 4
                self._state = _MAGIC
