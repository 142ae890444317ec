"""One regression test (or more) per parser row of the security checklist (SECURITY.md).

Each hostile input is fed whole and one byte at a time; the outcome must be the same
typed error (or, for limits, an error before unbounded data is buffered).
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest

from aioweb.http import (
    BadHttpMessage,
    BadStatusLine,
    EndOfMessage,
    HeaderFieldTooLarge,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    PayloadTooLarge,
    RequestHead,
    TooManyHeaders,
    TransferEncodingError,
)
from aioweb.http.decoders import ContentDecoder
from aioweb.http.parser import RequestParser


class Feeder:
    """Feeds a parser in fixed-size pieces, remembering how far it got."""

    def __init__(self, parser: RequestParser, *, max_buffered: int | None = None) -> None:
        self.parser = parser
        self.max_buffered = max_buffered
        self.fed = 0

    def feed(self, data: bytes, step: int) -> None:
        for i in range(0, len(data), step):
            self.fed = i
            self.parser.feed(data[i : i + step])
            if self.max_buffered is not None:
                assert self.parser.buffered <= self.max_buffered
            # an error after events in the same piece is recorded; the next call raises it
            self.parser.feed(b"")


def reject_both_ways(data: bytes, cls: type[HttpProcessingError], status: int) -> None:
    with pytest.raises(cls) as whole:
        Feeder(RequestParser()).feed(data, len(data))
    assert whole.value.status == status
    with pytest.raises(cls) as split:
        Feeder(RequestParser()).feed(data, 1)
    assert split.value.status == status


CHUNKED = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


# CVE-2023-47641: Content-Length and Transfer-Encoding together (request smuggling)
@pytest.mark.parametrize(
    "fields",
    [
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding: identity\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding:\r\n",
    ],
)
def test_cve_2023_47641_cl_and_te_rejected(fields: bytes) -> None:
    reject_both_ways(b"POST / HTTP/1.1\r\nHost: a\r\n" + fields + b"\r\n", BadHttpMessage, 400)


# CVE-2023-37276: CR, LF or NUL accepted inside header values
@pytest.mark.parametrize("bad", [b"\r", b"\n", b"\x00", b"\r\x00", b"\n\n"])
def test_cve_2023_37276_cr_lf_nul_in_values(bad: bytes) -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\nX-Evil: a" + bad + b"Transfer-Encoding: chunked\r\n\r\n"
    reject_both_ways(data, BadHttpMessage, 400)


# GHSA-pjjw-qhg8-p2p9: smuggling through the lenient C parser. One strict parser, the
# same verdict for every split: these classic desync payloads are all refused.
@pytest.mark.parametrize(
    "data",
    [
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\x0b5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\x00\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\r\n : chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello",
    ],
)
def test_ghsa_pjjw_qhg8_p2p9_desync_payloads(data: bytes) -> None:
    errors: list[type[HttpProcessingError]] = []
    for step in (len(data), 1, 2, 3, 7):
        with pytest.raises(HttpProcessingError) as exc:
            Feeder(RequestParser()).feed(data, step)
        errors.append(type(exc.value))
    assert len(set(errors)) == 1


# CVE-2023-47627 / CVE-2024-23829: obs-fold, whitespace before the colon, bad characters
# in the method or the version
@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", InvalidHeader),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", InvalidHeader),
        (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", InvalidHeader),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", InvalidHeader),
        (b"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", InvalidHeader),
        (b"G\x00T / HTTP/1.1\r\n\r\n", BadStatusLine),
        (b"GE T / HTTP/1.1\r\n\r\n", BadStatusLine),
        (b"G:T / HTTP/1.1\r\n\r\n", BadStatusLine),
        (b"GET / HTTP/1.\x001\r\n\r\n", BadStatusLine),
        (b"GET / HTTP/1.\xd9\xa1\r\n\r\n", BadStatusLine),
        (b"GET / HTTP/1.1\x00\r\n\r\n", BadStatusLine),
        (b"GET / hTTP/1.1\r\n\r\n", BadStatusLine),
    ],
)
def test_cve_2023_47627_cve_2024_23829_lenient_parsing(
    data: bytes, cls: type[HttpProcessingError]
) -> None:
    reject_both_ways(data, cls, 400)


# CVE-2024-52304: newlines (and other controls) inside chunk extensions
@pytest.mark.parametrize(
    "line",
    [b"5;a=b\nc", b"5;a\n", b"5;a=\r", b'5;a="x\ny"', b"5;a=\x00", b'5;a="\x00"', b"5;\n"],
)
def test_cve_2024_52304_newline_in_chunk_extension(line: bytes) -> None:
    data = CHUNKED + line + b"\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"
    reject_both_ways(data, TransferEncodingError, 400)


# CVE-2025-53643: the trailer section parsed strictly, and bounded
@pytest.mark.parametrize(
    "trailers",
    [
        b"X: a\nGET /smuggled HTTP/1.1\r\n",
        b"X\r\n",
        b"X : a\r\n",
        b" X: a\r\n",
        b"X: a\x00\r\n",
        b"GET /smuggled HTTP/1.1\r\n",
    ],
)
def test_cve_2025_53643_trailers_strict(trailers: bytes) -> None:
    reject_both_ways(CHUNKED + b"0\r\n" + trailers + b"\r\n", BadHttpMessage, 400)


def test_cve_2025_53643_trailers_bounded() -> None:
    many = b"".join(b"T-%d: v\r\n" % i for i in range(200))
    reject_both_ways(CHUNKED + b"0\r\n" + many + b"\r\n", TooManyHeaders, 431)
    huge = b"T: " + b"v" * 9000 + b"\r\n"
    reject_both_ways(CHUNKED + b"0\r\n" + huge + b"\r\n", HeaderFieldTooLarge, 431)


# CVE-2025-69224..: Unicode digits matched by \d (Content-Length, chunk size)
@pytest.mark.parametrize(
    "digits",
    # fullwidth, Arabic-Indic, extended Arabic-Indic, Devanagari, Tamil, mathematical
    # bold, superscripts, and an ASCII digit followed by an Arabic-Indic one
    [
        "\uff11\uff12",
        "\u0663",
        "\u06f3",
        "\u0969",
        "\u0be9",
        "\U0001d7d1",
        "\u00b9",
        "\u00b2",
        "1\u0661",
    ],
)
def test_cve_2025_69224_unicode_digits_in_content_length(digits: str) -> None:
    data = b"POST / HTTP/1.1\r\nContent-Length: " + digits.encode() + b"\r\n\r\nabc"
    reject_both_ways(data, BadHttpMessage, 400)


@pytest.mark.parametrize("digits", ["\uff11\uff12", "\u0663", "\u0969", "\U0001d7d1", "a\u0661"])
def test_cve_2025_69224_unicode_digits_in_chunk_size(digits: str) -> None:
    data = CHUNKED + digits.encode() + b"\r\nabc\r\n0\r\n\r\n"
    reject_both_ways(data, TransferEncodingError, 400)


def _decompress_all(decoder: ContentDecoder, data: bytes, step: int) -> None:
    for i in range(0, len(data), step):
        decoder.decompress(data[i : i + step])


# CVE-2025-69223: zip-bomb request bodies: decompressed size capped, memory bounded
def test_cve_2025_69223_zip_bomb_capped() -> None:
    bomb = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)  # 64 MiB in ~64 KiB
    decoder = ContentDecoder("gzip", max_size=2**20)
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge) as exc:
            _decompress_all(decoder, bomb, 4096)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.status == 413
    assert peak < 8 * 2**20  # never inflated anywhere near the 64 MiB
    assert decoder.size <= 2**20 + 1


def test_cve_2025_69223_zip_bomb_in_one_piece() -> None:
    bomb = zlib.compress(b"\0" * (32 * 2**20), 9)
    decoder = ContentDecoder("deflate", max_size=1000)
    with pytest.raises(PayloadTooLarge):
        decoder.decompress(bomb)


# CVE-2025-69229-like: linear time on many small chunks / a head trickling in
def test_cve_2025_69229_many_small_chunks_linear() -> None:
    def parse(n: int) -> float:
        body = b"1\r\nx\r\n" * n + b"0\r\n\r\n"
        parser = RequestParser()
        start = time.perf_counter()
        events = parser.feed(CHUNKED + body)
        elapsed = time.perf_counter() - start
        assert len(events) == n + 2
        return elapsed

    parse(1000)  # warm up
    small, big = parse(20_000), parse(80_000)
    assert big < small * 12  # 4x the input: linear is ~4x, quadratic would be ~16x


def test_cve_2025_69229_head_fed_byte_by_byte_is_linear() -> None:
    def parse(n: int) -> float:
        fields = b"".join(b"X-%04d: %s\r\n" % (i, b"v" * 50) for i in range(n))
        parser = RequestParser(max_headers=1000)
        start = time.perf_counter()
        Feeder(parser).feed(b"GET / HTTP/1.1\r\n" + fields, 1)
        assert isinstance(parser.feed(b"\r\n")[0], RequestHead)
        return time.perf_counter() - start

    parse(10)
    small, big = parse(100), parse(400)
    assert big < small * 12


# CVE-2026-22815: unbounded headers
def test_cve_2026_22815_unbounded_header_count() -> None:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(129))
    reject_both_ways(b"GET / HTTP/1.1\r\n" + fields + b"\r\n", TooManyHeaders, 431)


def test_cve_2026_22815_never_ending_header_section() -> None:
    """Endless short header lines: rejected once the count passes the limit, not buffered."""
    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\r\n")
    feeder = Feeder(parser)
    with pytest.raises(TooManyHeaders):
        feeder.feed(b"X-0123: v\r\n" * 10_000, 11)
    assert feeder.fed < 200 * 11


def test_cve_2026_22815_huge_header_value() -> None:
    reject_both_ways(b"GET / HTTP/1.1\r\nX: " + b"v" * 8190 + b"\r\n\r\n", HeaderFieldTooLarge, 431)


# CVE-2026-34525: duplicate Host header bypassing add_domain
@pytest.mark.parametrize(
    "hosts",
    [
        b"Host: good.example\r\nHost: evil.example\r\n",
        b"Host: good.example\r\nhost: good.example\r\n",
        b"HOST: a\r\nX: y\r\nHost: b\r\n",
    ],
)
def test_cve_2026_34525_duplicate_host(hosts: bytes) -> None:
    reject_both_ways(b"GET / HTTP/1.1\r\n" + hosts + b"\r\n", InvalidHeader, 400)


# CVE-2026-34520: NUL and control bytes in headers
_CONTROLS = [bytes([c]) for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)]


@pytest.mark.parametrize("ctl", _CONTROLS)
def test_cve_2026_34520_control_bytes_in_headers(ctl: bytes) -> None:
    reject_both_ways(b"GET / HTTP/1.1\r\nX: a" + ctl + b"b\r\n\r\n", BadHttpMessage, 400)
    reject_both_ways(b"GET / HTTP/1.1\r\nX" + ctl + b": ab\r\n\r\n", BadHttpMessage, 400)


# (no ID, 3.13.4): hang on a chunk-size mismatch: an error, or a wait that feed_eof ends
def test_chunk_size_mismatch_more_data_is_an_error() -> None:
    reject_both_ways(CHUNKED + b"3\r\nabcdef\r\n0\r\n\r\n", TransferEncodingError, 400)


def test_chunk_size_mismatch_less_data_never_hangs() -> None:
    parser = RequestParser()
    events = parser.feed(CHUNKED + b"ffff\r\nabc\r\n0\r\n\r\n")
    assert not any(isinstance(e, EndOfMessage) for e in events)  # still waiting for data
    with pytest.raises(BadHttpMessage):
        parser.feed_eof()


# CVE-2026-54277: max_line_size bypassed when a line is split across TCP segments
@pytest.mark.parametrize("step", [1, 2, 100, 4096, 8191])
def test_cve_2026_54277_line_limit_split_across_feeds(step: int) -> None:
    feeder = Feeder(RequestParser(), max_buffered=8190 + 1)
    with pytest.raises(LineTooLong):
        feeder.feed(b"GET /" + b"a" * 20_000, step)
    assert feeder.fed <= 8192


@pytest.mark.parametrize("step", [1, 3, 1000, 8191])
def test_cve_2026_54277_field_limit_split_across_feeds(step: int) -> None:
    feeder = Feeder(RequestParser(), max_buffered=16 + 8190 + 1)
    with pytest.raises(HeaderFieldTooLarge):
        feeder.feed(b"GET / HTTP/1.1\r\nX: " + b"v" * 20_000, step)
    assert feeder.fed <= 16 + 8192


@pytest.mark.parametrize("step", [1, 5, 4096])
def test_cve_2026_54277_trailer_and_chunk_line_limits_split(step: int) -> None:
    for data, cls in [
        (CHUNKED + b"0\r\nT: " + b"v" * 20_000, HeaderFieldTooLarge),
        (CHUNKED + b"5;" + b"e" * 20_000, TransferEncodingError),
    ]:
        with pytest.raises(cls):
            Feeder(RequestParser(), max_buffered=8192).feed(data, step)
