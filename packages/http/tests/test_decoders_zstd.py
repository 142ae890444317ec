"""zstd bodies: truncation is detected like gzip's, complete streams of any shape pass."""

from __future__ import annotations

import pytest

from aioweb.http import ContentEncodingError
from aioweb.http.decoders import ContentDecoder

zstandard = pytest.importorskip("zstandard")

PAYLOAD = b"".join(b"line %d of a compressible body\n" % i for i in range(20000))


def compress(data: bytes, **kwargs: object) -> bytes:
    out: bytes = zstandard.ZstdCompressor(**kwargs).compress(data)
    return out


def decode(data: bytes, step: int) -> bytes:
    decoder = ContentDecoder("zstd", max_size=None)
    out = [decoder.decompress(data[i : i + step]) for i in range(0, len(data), step)]
    return b"".join(out) + decoder.flush()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"write_checksum": True}, {"write_content_size": False}, {"level": 19}],
    ids=["plain", "checksum", "no-size", "level19"],
)
@pytest.mark.parametrize("step", [1, 7, 4096, 10**7])
def test_complete_streams_decode(kwargs: dict[str, object], step: int) -> None:
    data = compress(PAYLOAD, **kwargs)
    if step == 1:
        data = compress(PAYLOAD[:3000], **kwargs)  # keep the byte-wise case fast
        assert decode(data, step) == PAYLOAD[:3000]
    else:
        assert decode(data, step) == PAYLOAD


def test_rle_and_raw_blocks() -> None:
    # one byte repeated compresses to RLE blocks; random bytes stay raw
    rle = b"\0" * 300_000
    raw = bytes(range(256)) * 4
    for body in (rle, raw, rle + raw):
        assert decode(compress(body, write_checksum=True), 1000) == body


def test_frames_back_to_back_and_skippable_frames() -> None:
    skippable = (0x184D2A5E).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"abc"
    data = compress(b"first ") + skippable + compress(b"second", write_checksum=True)
    for step in (1, 5, len(data)):
        assert decode(data, step) == b"first second"


@pytest.mark.parametrize("kwargs", [{}, {"write_checksum": True}], ids=["plain", "checksum"])
def test_truncated_stream(kwargs: dict[str, object]) -> None:
    data = compress(PAYLOAD[:5000], **kwargs)
    # every cut: inside the magic, the frame header, a block header, a block, the checksum
    for cut in range(1, len(data)):
        decoder = ContentDecoder("zstd", max_size=None)
        decoder.decompress(data[:cut])
        with pytest.raises(ContentEncodingError):
            decoder.flush()


def test_truncated_second_frame() -> None:
    data = compress(b"first ") + compress(b"second")
    decoder = ContentDecoder("zstd", max_size=None)
    decoder.decompress(data[:-3])
    with pytest.raises(ContentEncodingError):
        decoder.flush()


def test_not_a_zstd_frame() -> None:
    decoder = ContentDecoder("zstd", max_size=None)
    with pytest.raises(ContentEncodingError):
        decoder.decompress(b"\x00\x01\x02\x03 not zstd")
