"""Response content codings: compressors and Accept-Encoding negotiation.

``gzip`` and ``deflate`` use :mod:`zlib`; ``br`` needs the ``brotli`` package and
``zstd`` the ``zstandard`` package (extras ``aioweb-http[brotli]``, ``aioweb-http[zstd]``).
``deflate`` is the zlib format (RFC 1950), which is what RFC 9110 names and what browsers
decode, not raw DEFLATE.
"""

from __future__ import annotations

import importlib
import re
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Final

__all__ = ["SUPPORTED_ENCODINGS", "ContentEncoder", "negotiate_encoding"]


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:  # depends on the environment: the extras are optional
        return None


_brotli: Any = _optional_module("brotli")
_zstd: Any = _optional_module("zstandard")

_ALL_ENCODINGS: Final = ("zstd", "br", "gzip", "deflate")
_INSTALLED: Final = frozenset(
    c
    for c in _ALL_ENCODINGS
    if (c != "br" or _brotli is not None) and (c != "zstd" or _zstd is not None)
)

SUPPORTED_ENCODINGS: Final[tuple[str, ...]] = tuple(c for c in _ALL_ENCODINGS if c in _INSTALLED)
"""Codings :class:`ContentEncoder` can produce here, best first (zstd, br, gzip, deflate)."""

# Default levels favour speed, since responses are compressed per request: zlib's own
# default (6), brotli 4 (its default 11 is meant for static assets), zstandard's default 3.
_DEFAULT_LEVEL: Final = {"gzip": 6, "deflate": 6, "br": 4, "zstd": 3}


class ContentEncoder:
    """Incremental compressor for one response body.

    Call :meth:`compress` with each piece of the body: it returns whatever compressed
    output is ready, often ``b""`` while the compressor buffers. :meth:`flush_sync` returns
    everything needed for the client to decode all data given so far without ending the
    stream (for streamed responses such as server-sent events). :meth:`flush` ends the
    stream and returns the final bytes; the encoder cannot be used after it.

    ``coding`` is one of :data:`SUPPORTED_ENCODINGS` (``"x-gzip"`` is taken as ``"gzip"``);
    anything else raises :class:`ValueError`, as does a ``level`` out of range for the
    coding (zlib 0..9, brotli 0..11, zstandard up to 22). ``strategy`` is a zlib strategy
    (``zlib.Z_FILTERED``, ``Z_HUFFMAN_ONLY``, ``Z_RLE``, ``Z_FIXED``) for gzip and deflate;
    the other codings have no such knob and ignore it.
    """

    __slots__ = ("_compress", "_finish", "_finished", "_sync", "coding")

    coding: str
    _compress: Callable[[bytes], bytes]
    _sync: Callable[[], bytes]
    _finish: Callable[[], bytes]

    def __init__(
        self, coding: str, *, level: int | None = None, strategy: int | None = None
    ) -> None:
        name = coding.lower()
        if name == "x-gzip":
            name = "gzip"
        if name not in _INSTALLED:
            if name in _ALL_ENCODINGS:
                raise ValueError(f"content coding {coding!r} needs a package that is not installed")
            raise ValueError(f"unknown content coding {coding!r}")
        if level is None:
            level = _DEFAULT_LEVEL[name]
        self.coding = name
        self._finished = False
        if name == "gzip" or name == "deflate":
            if not 0 <= level <= 9:
                raise ValueError(f"zlib level must be in 0..9, got {level}")
            # wbits 16+15 writes the gzip wrapper, 15 the zlib wrapper (RFC 1952 / 1950).
            zobj = zlib.compressobj(
                level,
                zlib.DEFLATED,
                31 if name == "gzip" else 15,
                zlib.DEF_MEM_LEVEL,
                zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy,
            )
            self._compress = zobj.compress
            self._sync = lambda: zobj.flush(zlib.Z_SYNC_FLUSH)
            self._finish = zobj.flush
        elif name == "br":
            if not 0 <= level <= 11:
                raise ValueError(f"brotli quality must be in 0..11, got {level}")
            bobj = _brotli.Compressor(quality=level)
            self._compress = bobj.process
            self._sync = bobj.flush
            self._finish = bobj.finish
        else:
            if not -(1 << 17) <= level <= 22:
                raise ValueError(f"zstd level must be at most 22, got {level}")
            cobj = _zstd.ZstdCompressor(level=level).compressobj()
            block, finish = _zstd.COMPRESSOBJ_FLUSH_BLOCK, _zstd.COMPRESSOBJ_FLUSH_FINISH
            self._compress = cobj.compress
            self._sync = lambda: cobj.flush(block)
            self._finish = lambda: cobj.flush(finish)

    def compress(self, data: bytes) -> bytes:
        """Feed ``data``; return the compressed bytes ready so far (possibly ``b""``)."""
        if self._finished:
            raise RuntimeError("compressor already flushed")
        if not data:
            return b""
        return bytes(self._compress(data))

    def flush_sync(self) -> bytes:
        """Return all pending output, so the client can decode everything sent so far.

        The stream stays open (zlib ``Z_SYNC_FLUSH``, brotli flush, zstd block flush); each
        call costs a few bytes of framing, so call it when the data must reach the client
        now, not after every small write.
        """
        if self._finished:
            raise RuntimeError("compressor already flushed")
        return bytes(self._sync())

    def flush(self) -> bytes:
        """End the compressed stream and return its last bytes."""
        if self._finished:
            raise RuntimeError("compressor already flushed")
        self._finished = True
        return bytes(self._finish())


# weight = OWS ";" OWS "q=" qvalue                                    (RFC 9110 12.4.2)
# qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
_QVALUE: Final = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?", re.ASCII)
_CODING: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", re.ASCII)
_OWS: Final = " \t"


@lru_cache(maxsize=256)
def _parse_accept_encoding(value: str) -> tuple[dict[str, float], float | None]:
    """Map each listed coding (lower case) to its q; also return the q of ``*`` if any.

    An item with a malformed coding or q is dropped, as if it were not there. A coding
    listed twice keeps its highest q.
    """
    codings: dict[str, float] = {}
    star: float | None = None
    for item in value.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip(_OWS).lower()
        if not coding:
            continue  # empty list elements are allowed (RFC 9110 5.6.1)
        if _CODING.fullmatch(coding) is None:
            continue
        q = 1.0
        valid = True
        if params:
            for param in params.split(";"):
                key, eq, val = param.strip(_OWS).partition("=")
                if key.rstrip(_OWS).lower() != "q":
                    continue  # unknown parameter: ignored, not fatal
                val = val.strip(_OWS)
                if not eq or _QVALUE.fullmatch(val) is None:
                    valid = False
                    break
                q = float(val)
        if not valid:
            continue
        if coding == "x-gzip":
            coding = "gzip"  # RFC 9110 8.4.1.3: equivalent to gzip
        if coding == "*":
            star = q if star is None else max(star, q)
        else:
            codings[coding] = max(q, codings.get(coding, 0.0))
    return codings, star


def negotiate_encoding(
    accept_encoding: str, available: Sequence[str] = SUPPORTED_ENCODINGS
) -> str | None:
    """Choose a content coding for a response from the request's Accept-Encoding value.

    Returns the coding from ``available`` with the highest q-value (RFC 9110 12.5.3), ties
    broken by the order of ``available``; ``*`` stands for every coding not listed by
    name; ``q=0`` means "not acceptable". Returns ``None`` (send the content unencoded)
    when no available coding is acceptable, or when the client gives ``identity`` (by name
    or through ``*``) a strictly higher q than the best coding. Malformed items are
    ignored; this never raises on any string.

    >>> negotiate_encoding("gzip;q=0.5, br", ("br", "gzip"))
    'br'
    """
    if not accept_encoding:
        return None
    codings, star = _parse_accept_encoding(accept_encoding)
    best: str | None = None
    best_q = 0.0
    for coding in available:
        q = codings.get(coding.lower(), star)
        if q is not None and q > best_q:
            best, best_q = coding, q
    if best is not None:
        identity_q = codings.get("identity", star)
        if identity_q is not None and identity_q > best_q:
            return None
    return best
