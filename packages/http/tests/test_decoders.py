"""ContentDecoder: every coding, any split, size caps (zip bombs) and corrupt input."""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from collections.abc import Callable

import pytest

from aioweb.http import ContentEncodingError, PayloadTooLarge
from aioweb.http.decoders import SUPPORTED_DECODINGS, ContentDecoder

HAVE_BROTLI = importlib.util.find_spec("brotli") is not None
HAVE_ZSTD = importlib.util.find_spec("zstandard") is not None

PAYLOAD = b"".join(b"line %d of a compressible body\n" % i for i in range(2000))


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def _brotli(data: bytes) -> bytes:
    import brotli

    out: bytes = brotli.compress(data, quality=4)
    return out


def _zstd(data: bytes) -> bytes:
    import zstandard

    # with a checksum, so that corruption is detectable at all
    out: bytes = zstandard.ZstdCompressor(write_checksum=True).compress(data)
    return out


Compressor = Callable[[bytes], bytes]

CODINGS: list[tuple[str, Compressor]] = [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", _raw_deflate),
]
if HAVE_BROTLI:
    CODINGS.append(("br", _brotli))
if HAVE_ZSTD:
    CODINGS.append(("zstd", _zstd))

IDS = [f"{c}-{f.__name__}" for c, f in CODINGS]


def decode(decoder: ContentDecoder, data: bytes, step: int) -> bytes:
    out = [decoder.decompress(data[i : i + step]) for i in range(0, len(data), step)]
    return b"".join(out) + decoder.flush()


def test_supported_decodings() -> None:
    assert {"gzip", "x-gzip", "deflate"} <= SUPPORTED_DECODINGS
    assert ("br" in SUPPORTED_DECODINGS) is HAVE_BROTLI
    assert ("zstd" in SUPPORTED_DECODINGS) is HAVE_ZSTD


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
@pytest.mark.parametrize("step", [1, 7, 1000, 10**9])
def test_round_trip_any_split(coding: str, compress: Compressor, step: int) -> None:
    data = compress(PAYLOAD)
    if step == 1 and len(data) > 3000:  # pragma: no cover - keep the test fast
        step = 3
    decoder = ContentDecoder(coding, max_size=None)
    assert decode(decoder, data, step) == PAYLOAD
    assert decoder.size == len(PAYLOAD)
    assert decoder.coding == coding


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
def test_cap_exactly_reached_is_fine(coding: str, compress: Compressor) -> None:
    decoder = ContentDecoder(coding, max_size=len(PAYLOAD))
    assert decode(decoder, compress(PAYLOAD), 512) == PAYLOAD


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
@pytest.mark.parametrize("step", [100, 10**9])
def test_cap_exceeded(coding: str, compress: Compressor, step: int) -> None:
    decoder = ContentDecoder(coding, max_size=len(PAYLOAD) - 1)
    with pytest.raises(PayloadTooLarge) as exc:
        decode(decoder, compress(PAYLOAD), step)
    assert exc.value.status == 413


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
@pytest.mark.parametrize("cap", [None, 3 * 2**20])
def test_high_ratio_body_decoded_whole(coding: str, compress: Compressor, cap: int | None) -> None:
    # One input piece that stands for many output steps: every step must come out
    # (brotli once stopped after the first, and the body then looked truncated).
    data = b"\0" * (3 * 2**20)
    decoder = ContentDecoder(coding, max_size=cap)
    assert decode(decoder, compress(data), 10**9) == data


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
def test_bomb_output_bounded(coding: str, compress: Compressor) -> None:
    bomb = compress(b"\0" * (16 * 2**20))
    decoder = ContentDecoder(coding, max_size=100_000)
    with pytest.raises(PayloadTooLarge):
        decode(decoder, bomb, len(bomb))
    # at most one decoder step beyond the cap was ever produced
    assert decoder.size <= 100_000 + 128 * 1024


@pytest.mark.parametrize(("coding", "compress"), CODINGS, ids=IDS)
def test_corrupt_data(coding: str, compress: Compressor) -> None:
    data = bytearray(compress(PAYLOAD))
    data[len(data) // 2 : len(data) // 2 + 16] = b"\xff" * 16
    decoder = ContentDecoder(coding, max_size=None)
    with pytest.raises(ContentEncodingError) as exc:
        decode(decoder, bytes(data), 4096)
    assert exc.value.status == 400


@pytest.mark.parametrize("coding", sorted(SUPPORTED_DECODINGS))
def test_garbage(coding: str) -> None:
    decoder = ContentDecoder(coding, max_size=None)
    with pytest.raises(ContentEncodingError):
        decode(decoder, b"this is not compressed at all, not even a little" * 3, 10)


@pytest.mark.parametrize(
    ("coding", "compress"),
    [c for c in CODINGS if c[0] != "zstd"],
    ids=[i for i in IDS if not i.startswith("zstd")],
)
def test_truncated_stream(coding: str, compress: Compressor) -> None:
    data = compress(PAYLOAD)
    decoder = ContentDecoder(coding, max_size=None)
    decoder.decompress(data[: len(data) // 2])
    with pytest.raises(ContentEncodingError):
        decoder.flush()


@pytest.mark.parametrize("coding", sorted(SUPPORTED_DECODINGS))
def test_empty_body(coding: str) -> None:
    decoder = ContentDecoder(coding, max_size=10)
    assert decoder.decompress(b"") == b""
    assert decoder.flush() == b""


def test_gzip_members_concatenated() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    for step in (1, 5, len(data)):
        assert decode(ContentDecoder("gzip", max_size=None), data, step) == b"first second"


def test_gzip_members_count_toward_cap() -> None:
    data = gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600)
    with pytest.raises(PayloadTooLarge):
        decode(ContentDecoder("gzip", max_size=1000), data, len(data))


def test_data_after_deflate_stream() -> None:
    data = zlib.compress(b"hello") + b"trailing"
    with pytest.raises(ContentEncodingError):
        decode(ContentDecoder("deflate", max_size=None), data, len(data))


def test_coding_is_case_insensitive() -> None:
    assert decode(ContentDecoder("GZip", max_size=None), gzip.compress(b"x"), 100) == b"x"


@pytest.mark.parametrize("coding", ["identity", "compress", "", "gzip, br", "chunked"])
def test_unsupported_coding(coding: str) -> None:
    with pytest.raises(ContentEncodingError):
        ContentDecoder(coding, max_size=None)
