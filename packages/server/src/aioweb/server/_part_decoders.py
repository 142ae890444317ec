"""Incremental decoders for multipart body parts (transfer and content encodings).

Each decoder takes the raw part body in pieces and returns decoded bytes as it
goes, so a part is never held whole in memory; content decompression is capped
(zip bombs) and every malformed input ends in
:class:`~aioweb.server.forms.MalformedBody` (a 400 and a ``ValueError``).
"""

from __future__ import annotations

import binascii
import zlib
from typing import Protocol

from aioweb.exceptions import HTTPRequestEntityTooLarge

from .forms import MalformedBody

__all__ = ["PartDecoder", "make_decoder"]

_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_NOT_BASE64 = bytes(b for b in range(256) if b not in _BASE64_ALPHABET)
# A quoted-printable line without a line break is decoded once it grows past
# this, keeping only a possible partial "=XX" escape for the next piece.
_QP_MAX_CARRY = 64 * 1024


class PartDecoder(Protocol):
    """Turns raw part bytes into decoded bytes, piece by piece."""

    def feed(self, data: bytes) -> bytes:
        """Decode the next piece; may keep a few bytes for the next call."""
        ...

    def flush(self) -> bytes:
        """Decode what is left at the end of the part."""
        ...


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _Base64:
    def __init__(self) -> None:
        self._carry = b""

    def _decode(self, data: bytes) -> bytes:
        try:
            return binascii.a2b_base64(data)
        except binascii.Error:
            raise MalformedBody("Invalid base64 in multipart body part.") from None

    def feed(self, data: bytes) -> bytes:
        # Line breaks and other non-alphabet bytes are ignored (RFC 2045 6.8);
        # only whole quartets are decoded now.
        data = self._carry + data.translate(None, _NOT_BASE64)
        cut = len(data) - len(data) % 4
        self._carry = data[cut:]
        return self._decode(data[:cut]) if cut else b""

    def flush(self) -> bytes:
        rest, self._carry = self._carry, b""
        if not rest:
            return b""
        # feed() decodes every whole quartet, so what is left is a partial one.
        raise MalformedBody("Truncated base64 in multipart body part.")


class _QuotedPrintable:
    def __init__(self) -> None:
        self._carry = b""

    def feed(self, data: bytes) -> bytes:
        data = self._carry + data
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > _QP_MAX_CARRY:
            # Keep a trailing partial escape ("=" or "=X") for the next piece.
            tail = data[-2:].find(b"=")
            cut = len(data) - (2 - tail if tail >= 0 else 0)
        self._carry = data[cut:]
        return binascii.a2b_qp(data[:cut]) if cut else b""

    def flush(self) -> bytes:
        rest, self._carry = self._carry, b""
        return binascii.a2b_qp(rest) if rest else b""


class _Zlib:
    def __init__(self, coding: str, max_size: int) -> None:
        self._coding = coding
        self._max_size = max_size
        self._size = 0
        self._head = b""  # the first bytes, until the zlib header can be checked
        self._obj: zlib._Decompress | None = None

    def _start(self, data: bytes) -> zlib._Decompress:
        if self._coding == "deflate":
            # "deflate" is meant as zlib-wrapped, but raw deflate is common.
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            return zlib.decompressobj(15 if wrapped else -15)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _out(self, produced: bytes) -> bytes:
        self._size += len(produced)
        if self._size > self._max_size:
            raise HTTPRequestEntityTooLarge(max_size=self._max_size, actual_size=self._size)
        return produced

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        if self._obj is None:
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return b""
            self._head = b""
            self._obj = self._start(data)
        if self._obj.eof:
            return b""  # bytes after the end of the compressed stream are ignored
        try:
            # One byte over the remaining budget proves the cap was exceeded
            # without inflating any further.
            produced = self._obj.decompress(data, self._max_size - self._size + 1)
        except zlib.error:
            raise MalformedBody(f"Corrupt {self._coding} data in multipart body part.") from None
        return self._out(produced)

    def flush(self) -> bytes:
        if self._obj is None:
            if self._head:
                raise MalformedBody(f"Truncated {self._coding} data in multipart body part.")
            return b""
        try:
            produced = self._obj.flush(self._max_size - self._size + 1)
        except zlib.error:  # pragma: no cover - zlib reports corruption in decompress()
            raise MalformedBody(f"Corrupt {self._coding} data in multipart body part.") from None
        out = self._out(produced)
        if not self._obj.eof:
            raise MalformedBody(f"Truncated {self._coding} data in multipart body part.")
        return out


class _Chain:
    def __init__(self, first: PartDecoder, second: PartDecoder) -> None:
        self._first = first
        self._second = second

    def feed(self, data: bytes) -> bytes:
        return self._second.feed(self._first.feed(data))

    def flush(self) -> bytes:
        return self._second.feed(self._first.flush()) + self._second.flush()


def make_decoder(
    transfer_encoding: str | None, content_encoding: str | None, *, max_size: int
) -> PartDecoder:
    """Build the decoder for a part's Content-Transfer-Encoding then Content-Encoding.

    ``content_encoding`` is None when it must be ignored (form-data, RFC 7578 4.8).
    Unknown codings raise ``MalformedBody`` (400); inflated output past *max_size*
    raises ``HTTPRequestEntityTooLarge``.
    """
    cte = (transfer_encoding or "").strip().lower()
    transfer: PartDecoder
    if cte == "base64":
        transfer = _Base64()
    elif cte == "quoted-printable":
        transfer = _QuotedPrintable()
    elif cte in ("", "binary", "8bit", "7bit"):
        transfer = _Identity()
    else:
        raise MalformedBody(f"Unknown Content-Transfer-Encoding {cte!r} in multipart body.")
    ce = (content_encoding or "").strip().lower()
    if ce in ("", "identity"):
        return transfer
    if ce in ("gzip", "x-gzip", "deflate"):
        content = _Zlib("deflate" if ce == "deflate" else "gzip", max_size)
        return content if isinstance(transfer, _Identity) else _Chain(transfer, content)
    raise MalformedBody(f"Unknown Content-Encoding {ce!r} in multipart body.")
