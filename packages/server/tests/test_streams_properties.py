"""Property tests for the request-body stream: any split of the body reads the same.

The body is fed one piece per loop iteration while the reader reads, so reads and
arrivals interleave at every possible point.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.server.streams import StreamReader

PROPS = settings(max_examples=150, deadline=None)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted(min(c, len(data)) for c in cuts)
    out = []
    last = 0
    for point in points:
        out.append(data[last:point])
        last = point
    out.append(data[last:])
    return out


async def feed_slowly(stream: StreamReader, pieces: list[bytes]) -> None:
    """Feed pieces one per loop iteration, so reads interleave with arrivals."""
    for piece in pieces:
        stream.feed_data(piece)
        await asyncio.sleep(0)
    stream.feed_eof()


def run_split(
    pieces: list[bytes], consume: Callable[[StreamReader], Coroutine[Any, Any, Any]]
) -> Any:
    async def main() -> Any:
        stream = StreamReader(limit=8)
        producer = asyncio.ensure_future(feed_slowly(stream, pieces))
        try:
            return await asyncio.wait_for(consume(stream), 5)
        finally:
            await producer

    return asyncio.run(main())


body_bytes = st.binary(max_size=200) | st.lists(
    st.sampled_from([b"a", b"\n", b"\r\n", b"xyz"]), max_size=40
).map(b"".join)
cut_lists = st.lists(st.integers(0, 200), max_size=10)


@PROPS
@given(data=body_bytes, cuts=cut_lists)
def test_read_all_is_split_independent(data: bytes, cuts: list[int]) -> None:
    assert run_split(split_at(data, cuts), lambda s: s.read()) == data


@PROPS
@given(data=body_bytes, cuts=cut_lists, n=st.integers(1, 20))
def test_iter_chunked_is_split_independent(data: bytes, cuts: list[int], n: int) -> None:
    async def consume(stream: StreamReader) -> list[bytes]:
        return [piece async for piece in stream.iter_chunked(n)]

    pieces = run_split(split_at(data, cuts), consume)
    assert b"".join(pieces) == data
    assert all(0 < len(piece) <= n for piece in pieces)


@PROPS
@given(data=body_bytes, cuts=cut_lists)
def test_readline_is_split_independent(data: bytes, cuts: list[int]) -> None:
    async def consume(stream: StreamReader) -> list[bytes]:
        lines = []
        while line := await stream.readline(max_line_length=1000):
            lines.append(line)
        return lines

    *complete, last = data.split(b"\n")
    expected = [line + b"\n" for line in complete] + ([last] if last else [])
    assert run_split(split_at(data, cuts), consume) == expected


@PROPS
@given(data=body_bytes, cuts=cut_lists, sizes=st.lists(st.integers(0, 30), max_size=10))
def test_readexactly_is_split_independent(data: bytes, cuts: list[int], sizes: list[int]) -> None:
    async def consume(stream: StreamReader) -> list[bytes | tuple[bytes, int | None]]:
        out: list[bytes | tuple[bytes, int | None]] = []
        for size in sizes:
            try:
                out.append(await stream.readexactly(size))
            except asyncio.IncompleteReadError as exc:
                out.append((exc.partial, exc.expected))
                break
        return out

    expected: list[bytes | tuple[bytes, int | None]] = []
    pos = 0
    for size in sizes:
        if pos + size > len(data):
            expected.append((data[pos:], size))
            break
        expected.append(data[pos : pos + size])
        pos += size
    assert run_split(split_at(data, cuts), consume) == expected


@PROPS
@given(data=body_bytes, cuts=cut_lists, sep=st.sampled_from([b"\r\n", b"xyz", b"a\na"]))
def test_readuntil_is_split_independent(data: bytes, cuts: list[int], sep: bytes) -> None:
    async def consume(stream: StreamReader) -> list[bytes]:
        out = []
        while part := await stream.readuntil(sep, max_size=1000):
            out.append(part)
        return out

    parts = run_split(split_at(data, cuts), consume)
    assert b"".join(parts) == data
    for part in parts[:-1]:
        assert part.find(sep) == len(part) - len(sep)


@PROPS
@given(data=st.binary(max_size=300), cuts=cut_lists, coding=st.sampled_from(["gzip", "deflate"]))
def test_decompression_is_split_independent(data: bytes, cuts: list[int], coding: str) -> None:
    body = gzip.compress(data) if coding == "gzip" else zlib.compress(data)

    async def main() -> bytes:
        stream = StreamReader(compression=coding, limit=8)
        producer = asyncio.ensure_future(feed_slowly(stream, split_at(body, cuts)))
        try:
            return await asyncio.wait_for(stream.read(), 5)
        finally:
            await producer

    assert asyncio.run(main()) == data


@PROPS
@given(
    chunks=st.lists(st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=3), max_size=6)
)
def test_readchunk_rebuilds_the_http_chunks(chunks: list[list[bytes]]) -> None:
    async def main() -> list[bytes]:
        stream = StreamReader()
        for pieces in chunks:
            for piece in pieces:
                stream.feed_data(piece)
            stream.end_http_chunk_receiving()
        stream.feed_eof()
        rebuilt = []
        buffer = b""
        async for data, end in stream.iter_chunks():
            buffer += data
            if end:
                rebuilt.append(buffer)
                buffer = b""
        assert buffer == b""
        return rebuilt

    assert asyncio.run(main()) == [b"".join(pieces) for pieces in chunks]
