"""Content encoders (zlib codings here; br and zstd in test_encoders_optional.py) and
Accept-Encoding negotiation."""

from __future__ import annotations

import gzip
import importlib.util
import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http import encoders
from aioweb.http.encoders import SUPPORTED_ENCODINGS, ContentEncoder, negotiate_encoding

_PAYLOAD = b"".join(b"line %d of a fairly repetitive response body\n" % i for i in range(2000))


def _decoder(coding: str) -> zlib._Decompress:
    return zlib.decompressobj(31 if coding == "gzip" else 15)


# -- SUPPORTED_ENCODINGS ---------------------------------------------------------------


def test_supported_encodings_matches_installed_packages() -> None:
    expected = []
    if importlib.util.find_spec("zstandard") is not None:
        expected.append("zstd")
    if importlib.util.find_spec("brotli") is not None:
        expected.append("br")
    expected += ["gzip", "deflate"]
    assert tuple(expected) == SUPPORTED_ENCODINGS


# -- zlib codings ----------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_one_shot_round_trip(coding: str) -> None:
    enc = ContentEncoder(coding)
    data = enc.compress(_PAYLOAD) + enc.flush()
    assert len(data) < len(_PAYLOAD) // 5
    assert _decoder(coding).decompress(data) == _PAYLOAD


def test_gzip_is_gzip_format() -> None:
    enc = ContentEncoder("gzip")
    data = enc.compress(b"hello") + enc.flush()
    assert data[:2] == b"\x1f\x8b"
    assert gzip.decompress(data) == b"hello"


def test_x_gzip_alias_and_case() -> None:
    for name in ("x-gzip", "GZIP", "Gzip"):
        enc = ContentEncoder(name)
        assert enc.coding == "gzip"
        assert gzip.decompress(enc.compress(b"abc") + enc.flush()) == b"abc"


def test_deflate_is_zlib_format() -> None:
    # RFC 9110 8.4.1.2: "deflate" is the zlib format (RFC 1950), not raw DEFLATE.
    enc = ContentEncoder("deflate")
    data = enc.compress(b"hello") + enc.flush()
    assert zlib.decompress(data) == b"hello"
    assert (data[0] * 256 + data[1]) % 31 == 0  # the zlib header check bits


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_many_small_writes(coding: str) -> None:
    enc = ContentEncoder(coding)
    pieces = [_PAYLOAD[i : i + 7] for i in range(0, len(_PAYLOAD), 7)]
    out = b"".join(enc.compress(p) for p in pieces) + enc.flush()
    assert _decoder(coding).decompress(out) == _PAYLOAD


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_flush_sync_makes_everything_so_far_decodable(coding: str) -> None:
    enc = ContentEncoder(coding)
    dec = _decoder(coding)
    received = b""
    for i in range(20):
        message = b"event: %d\n\n" % i
        received += dec.decompress(enc.compress(message) + enc.flush_sync())
        assert received.endswith(message)  # the client sees it now, not at the end
    received += dec.decompress(enc.flush())
    assert dec.eof
    assert received == b"".join(b"event: %d\n\n" % i for i in range(20))


def test_compress_empty_and_empty_body() -> None:
    enc = ContentEncoder("gzip")
    assert enc.compress(b"") == b""
    assert gzip.decompress(enc.flush()) == b""


def test_compress_returns_bytes() -> None:
    enc = ContentEncoder("deflate")
    assert type(enc.compress(os.urandom(100_000))) is bytes
    assert type(enc.flush_sync()) is bytes
    assert type(enc.flush()) is bytes


def test_use_after_flush_is_error() -> None:
    enc = ContentEncoder("gzip")
    enc.flush()
    for call in (lambda: enc.compress(b"x"), enc.flush_sync, enc.flush):
        with pytest.raises(RuntimeError):
            call()


@pytest.mark.parametrize("level", [0, 1, 9])
def test_zlib_levels(level: int) -> None:
    enc = ContentEncoder("gzip", level=level)
    assert gzip.decompress(enc.compress(_PAYLOAD) + enc.flush()) == _PAYLOAD


@pytest.mark.parametrize("level", [-2, 10, 100])
def test_zlib_bad_level(level: int) -> None:
    with pytest.raises(ValueError, match="level"):
        ContentEncoder("deflate", level=level)


@pytest.mark.parametrize("coding", ["", "identity", "compress", "lzma", "gzip;q=1", "*", "x-br"])
def test_unknown_coding(coding: str) -> None:
    with pytest.raises(ValueError, match="unknown content coding"):
        ContentEncoder(coding)


def test_unavailable_coding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoders, "_INSTALLED", frozenset({"gzip", "deflate"}))
    with pytest.raises(ValueError, match="not installed"):
        ContentEncoder("br")
    with pytest.raises(ValueError, match="not installed"):
        ContentEncoder("zstd")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=500), max_size=30), st.sampled_from(["gzip", "deflate"]))
def test_streaming_round_trip_property(pieces: list[bytes], coding: str) -> None:
    enc = ContentEncoder(coding)
    out = bytearray()
    for i, piece in enumerate(pieces):
        out += enc.compress(piece)
        if i % 5 == 4:
            out += enc.flush_sync()
    out += enc.flush()
    assert _decoder(coding).decompress(bytes(out)) == b"".join(pieces)


# -- negotiate_encoding ----------------------------------------------------------------

_ALL = ("zstd", "br", "gzip", "deflate")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # plain lists: the server's preference order decides among equals
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("gzip, deflate", "gzip"),
        ("deflate, gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate, br, zstd", "zstd"),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", "br"),
        # q-values
        ("gzip;q=0.5, deflate", "deflate"),
        ("gzip;q=1, deflate;q=0.999", "gzip"),
        ("gzip;q=0.001", "gzip"),
        ("zstd;q=0.1, gzip;q=0.2", "gzip"),
        ("GZIP;Q=0.5, Deflate;q=0.4", "gzip"),
        ("gzip ; q=0.5 , deflate ;q=0.6", "deflate"),
        ("gzip;q=1.000", "gzip"),
        ("gzip;q=0.", None),  # "0." is a valid qvalue: zero, with an empty fraction
        # q=0 excludes
        ("gzip;q=0", None),
        ("gzip;q=0.000, deflate", "deflate"),
        ("br;q=0, gzip;q=0.1", "gzip"),
        # *
        ("*", "zstd"),
        ("*;q=0.5, gzip", "gzip"),
        ("*, zstd;q=0", "br"),
        ("*;q=0", None),
        ("*;q=0, deflate", "deflate"),
        ("gzip;q=0.2, *;q=0.3", "zstd"),
        # identity
        ("identity", None),
        ("identity;q=0", None),
        ("identity;q=0, gzip", "gzip"),
        ("identity;q=0, *", "zstd"),
        ("gzip;q=0.5, identity", None),  # identity explicitly preferred
        ("gzip;q=0.5, identity;q=0.5", "gzip"),  # a tie goes to compression
        ("gzip;q=0.5, *;q=0.9", "zstd"),
        # x-gzip is gzip
        ("x-gzip", "gzip"),
        ("x-gzip;q=0.5, deflate;q=0.4", "gzip"),
        # nothing acceptable / unknown codings
        ("", None),
        ("   ", None),
        ("compress", None),
        ("lzma, compress;q=1", None),
        # malformed items are ignored, the rest still counts
        ("gzip;q=2, deflate", "deflate"),
        ("gzip;q=1.5", None),
        ("gzip;q=-1", None),
        ("gzip;q=0.1234", None),
        ("gzip;q=abc", None),
        ("gzip;q=", None),
        ("gzip;q", None),
        ("gzip;q=0.\u0665", None),  # an Arabic-Indic digit is not a DIGIT
        ("gzip;q=\u0661", None),
        ("gzip;q= 0.5", "gzip"),  # OWS around "=" is tolerated
        ("gz ip, deflate", "deflate"),
        ("gzip;level=9", "gzip"),  # unknown parameters ignored
        (",,, gzip ,,", "gzip"),
        ("gzip\t,\tdeflate", "gzip"),
        ("g\u00e9zip, deflate", "deflate"),
        ("gzip;q=0.5;q=0.9", "gzip"),
    ],
)
def test_negotiate(header: str, expected: str | None) -> None:
    assert negotiate_encoding(header, _ALL) == expected


@pytest.mark.parametrize(
    ("header", "available", "expected"),
    [
        ("br, gzip", ("gzip", "deflate"), "gzip"),
        ("br", ("gzip", "deflate"), None),
        ("*", ("deflate", "gzip"), "deflate"),
        ("gzip, deflate", ("deflate", "gzip"), "deflate"),
        ("gzip", (), None),
        ("*", (), None),
        ("gzip", ["GZIP"], "GZIP"),
    ],
)
def test_negotiate_available(
    header: str, available: tuple[str, ...] | list[str], expected: str | None
) -> None:
    assert negotiate_encoding(header, available) == expected


def test_negotiate_default_available_is_supported_encodings() -> None:
    assert negotiate_encoding("*") == SUPPORTED_ENCODINGS[0]
    assert negotiate_encoding("gzip, deflate") == "gzip"


def test_negotiate_result_is_encodable() -> None:
    coding = negotiate_encoding("gzip, deflate, br, zstd")
    assert coding is not None
    enc = ContentEncoder(coding)
    enc.compress(b"x")
    enc.flush()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_negotiate_never_raises(header: str) -> None:
    result = negotiate_encoding(header, _ALL)
    assert result is None or result in _ALL


_ITEM = st.tuples(
    st.sampled_from(["gzip", "deflate", "br", "zstd", "identity", "*", "x-gzip", "foo"]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=1000)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ITEM, max_size=6))
def test_negotiate_picks_a_highest_q(items: list[tuple[str, int | None]]) -> None:
    header = ", ".join(
        name if q is None else f"{name};q={q // 1000}.{q % 1000:03d}" for name, q in items
    )
    q_of: dict[str, int] = {}
    for name, q in items:
        key = "gzip" if name == "x-gzip" else name
        q_of[key] = max(q_of.get(key, 0), 1000 if q is None else q)
    result = negotiate_encoding(header, _ALL)
    star = q_of.get("*")
    best = max((q_of.get(c, star) or 0 for c in _ALL), default=0)
    if result is None:
        identity = q_of.get("identity", star)
        assert best == 0 or (identity is not None and identity > best)
    else:
        assert (q_of.get(result, star) or 0) == best > 0
