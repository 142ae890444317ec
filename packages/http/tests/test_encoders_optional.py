"""br and zstd encoders, checked with the brotli and zstandard decompressors.

Skipped where those packages are not installed (the solo environment has neither).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http.encoders import SUPPORTED_ENCODINGS, ContentEncoder

brotli = pytest.importorskip("brotli")
zstandard = pytest.importorskip("zstandard")

_PAYLOAD = b"".join(b"line %d of a fairly repetitive response body\n" % i for i in range(2000))


def _streaming_decoder(coding: str) -> Callable[[bytes], bytes]:
    if coding == "br":
        return brotli.Decompressor().process  # type: ignore[no-any-return]
    return zstandard.ZstdDecompressor().decompressobj().decompress  # type: ignore[no-any-return]


def test_both_are_supported_and_preferred() -> None:
    assert SUPPORTED_ENCODINGS == ("zstd", "br", "gzip", "deflate")


def test_brotli_one_shot() -> None:
    enc = ContentEncoder("br")
    data = enc.compress(_PAYLOAD) + enc.flush()
    assert len(data) < len(_PAYLOAD) // 5
    assert brotli.decompress(data) == _PAYLOAD


def test_zstd_one_shot() -> None:
    enc = ContentEncoder("zstd")
    data = enc.compress(_PAYLOAD) + enc.flush()
    assert len(data) < len(_PAYLOAD) // 5
    # A finished frame: the one-shot decompressor reads it (with streaming input).
    dctx = zstandard.ZstdDecompressor()
    assert dctx.decompressobj().decompress(data) == _PAYLOAD


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_many_small_writes(coding: str) -> None:
    enc = ContentEncoder(coding)
    out = b"".join(enc.compress(_PAYLOAD[i : i + 5]) for i in range(0, len(_PAYLOAD), 5))
    out += enc.flush()
    assert _streaming_decoder(coding)(out) == _PAYLOAD


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_flush_sync_makes_everything_so_far_decodable(coding: str) -> None:
    enc = ContentEncoder(coding)
    decode = _streaming_decoder(coding)
    received = b""
    for i in range(20):
        message = b"data: %d\n\n" % i
        received += decode(enc.compress(message) + enc.flush_sync())
        assert received.endswith(message)
    received += decode(enc.flush())
    assert received == b"".join(b"data: %d\n\n" % i for i in range(20))


@pytest.mark.parametrize(("coding", "level"), [("br", 0), ("br", 11), ("zstd", 1), ("zstd", 19)])
def test_levels(coding: str, level: int) -> None:
    enc = ContentEncoder(coding, level=level)
    assert _streaming_decoder(coding)(enc.compress(_PAYLOAD) + enc.flush()) == _PAYLOAD


@pytest.mark.parametrize(("coding", "level"), [("br", -1), ("br", 12), ("zstd", 23)])
def test_bad_levels(coding: str, level: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        ContentEncoder(coding, level=level)


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_use_after_flush_is_error(coding: str) -> None:
    enc = ContentEncoder(coding)
    enc.flush()
    with pytest.raises(RuntimeError):
        enc.compress(b"x")


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_empty_body(coding: str) -> None:
    enc = ContentEncoder(coding)
    assert enc.compress(b"") == b""
    assert _streaming_decoder(coding)(enc.flush()) == b""


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=500), max_size=30), st.sampled_from(["br", "zstd"]))
def test_streaming_round_trip_property(pieces: list[bytes], coding: str) -> None:
    enc = ContentEncoder(coding)
    out = bytearray()
    for i, piece in enumerate(pieces):
        out += enc.compress(piece)
        if i % 7 == 6:
            out += enc.flush_sync()
    out += enc.flush()
    assert _streaming_decoder(coding)(bytes(out)) == b"".join(pieces)
