"""Unit tests for the request-body stream (``aioweb.server.streams``), without sockets.

Each test builds a :class:`StreamReader`, feeds it as the connection would and reads
it as a handler would. Behaviour follows aiohttp's "Streaming API" documentation;
where aioweb differs on purpose the test says so.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aioweb.http.errors import (
    ContentEncodingError,
    HttpProcessingError,
    LineTooLong,
    PayloadTooLarge,
)
from aioweb.server._stream_protocol import AsyncByteStream
from aioweb.server.streams import EMPTY_PAYLOAD, EmptyStreamReader, StreamReader


def fed(*pieces: bytes, eof: bool = True, **kwargs: Any) -> StreamReader:
    """A reader that has received ``pieces`` (and the end of the body if ``eof``)."""
    stream = StreamReader(**kwargs)
    for piece in pieces:
        stream.feed_data(piece)
    if eof:
        stream.feed_eof()
    return stream


async def later(action: Callable[[], None], delay: int = 3) -> None:
    """Run ``action`` after ``delay`` loop iterations (so that a reader is waiting)."""
    for _ in range(delay):
        await asyncio.sleep(0)
    action()


async def pending(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Start ``coro`` and let it run until it blocks."""
    task = asyncio.ensure_future(coro)
    for _ in range(3):
        await asyncio.sleep(0)
    assert not task.done()
    return task


# -- read(n) ---------------------------------------------------------------------


async def test_read_all_joins_every_piece() -> None:
    assert await fed(b"ab", b"cd", b"e").read() == b"abcde"


@pytest.mark.parametrize("n", [-1, -2, -100])
async def test_read_negative_reads_to_end(n: int) -> None:
    assert await fed(b"ab", b"cd").read(n) == b"abcd"


async def test_read_zero_returns_empty_and_consumes_nothing() -> None:
    stream = fed(b"abc")
    assert await stream.read(0) == b""
    assert await stream.read() == b"abc"


async def test_read_zero_does_not_wait_on_an_open_body() -> None:
    stream = fed(eof=False)
    assert await asyncio.wait_for(stream.read(0), 1) == b""


async def test_read_n_smaller_than_buffer() -> None:
    stream = fed(b"abcdef")
    assert await stream.read(2) == b"ab"
    assert await stream.read(3) == b"cde"
    assert await stream.read(5) == b"f"
    assert await stream.read(5) == b""


async def test_read_n_gathers_buffered_pieces() -> None:
    stream = fed(b"ab", b"cd", b"ef")
    assert await stream.read(5) == b"abcde"
    assert await stream.read(5) == b"f"


async def test_read_n_larger_than_buffer_returns_what_is_there_without_waiting() -> None:
    stream = fed(b"abc", eof=False)
    assert await asyncio.wait_for(stream.read(100), 1) == b"abc"


async def test_read_n_waits_for_data() -> None:
    stream = StreamReader()
    task = await pending(stream.read(10))
    stream.feed_data(b"xy")
    assert await task == b"xy"


async def test_read_all_waits_for_eof() -> None:
    stream = fed(b"a", eof=False)
    task = await pending(stream.read())
    stream.feed_data(b"b")
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_eof()
    assert await task == b"ab"


async def test_read_at_eof_is_empty_every_time() -> None:
    stream = fed()
    for _ in range(3):
        assert await stream.read() == b""
        assert await stream.read(5) == b""


# -- readany ---------------------------------------------------------------------


async def test_readany_returns_data_then_empty_at_eof() -> None:
    stream = fed(b"ab", b"cd")
    got = b""
    while data := await stream.readany():
        got += data
    assert got == b"abcd"
    assert await stream.readany() == b""


async def test_readany_waits_for_at_least_one_byte() -> None:
    stream = StreamReader()
    task = await pending(stream.readany())
    stream.feed_data(b"z")
    assert await task == b"z"


async def test_readany_wakes_at_eof() -> None:
    stream = StreamReader()
    task = await pending(stream.readany())
    stream.feed_eof()
    assert await task == b""


# -- readexactly -----------------------------------------------------------------


async def test_readexactly_across_pieces() -> None:
    stream = fed(b"ab", b"cde", b"f")
    assert await stream.readexactly(4) == b"abcd"
    assert await stream.readexactly(2) == b"ef"


async def test_readexactly_zero_and_negative() -> None:
    stream = fed(b"ab")
    assert await stream.readexactly(0) == b""
    assert await stream.readexactly(-1) == b""
    assert await stream.read() == b"ab"


async def test_readexactly_early_eof_raises_with_partial() -> None:
    stream = fed(b"ab", b"c")
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await stream.readexactly(5)
    assert info.value.partial == b"abc"
    assert info.value.expected == 5


async def test_readexactly_at_eof_raises_with_empty_partial() -> None:
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await fed().readexactly(1)
    assert info.value.partial == b""


async def test_readexactly_waits_for_the_rest() -> None:
    stream = fed(b"ab", eof=False)
    task = await pending(stream.readexactly(4))
    stream.feed_data(b"c")
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_data(b"de")
    assert await task == b"abcd"
    assert await stream.read(10) == b"e"


# -- readline / readuntil --------------------------------------------------------


async def test_readline_over_piece_boundaries() -> None:
    stream = fed(b"ab", b"c\nde", b"f", b"\n", b"tail")
    assert await stream.readline() == b"abc\n"
    assert await stream.readline() == b"def\n"
    assert await stream.readline() == b"tail"
    assert await stream.readline() == b""


async def test_readline_waits_for_the_newline() -> None:
    stream = fed(b"abc", eof=False)
    task = await pending(stream.readline())
    stream.feed_data(b"d\nrest")
    assert await task == b"abcd\n"
    assert await stream.read(10) == b"rest"


async def test_readline_empty_lines() -> None:
    stream = fed(b"\n\n", b"\n")
    assert [await stream.readline() for _ in range(4)] == [b"\n", b"\n", b"\n", b""]


async def test_async_for_iterates_lines() -> None:
    stream = fed(b"one\ntw", b"o\n", b"three")
    assert [line async for line in stream] == [b"one\n", b"two\n", b"three"]


@pytest.mark.parametrize("piece", [1, 3, 7, 100])
async def test_readline_too_long_raises_value_error_for_every_split(piece: int) -> None:
    data = b"x" * 30 + b"\n"
    stream = fed(*[data[i : i + piece] for i in range(0, len(data), piece)])
    with pytest.raises(ValueError, match="too long"):
        await stream.readline(max_line_length=20)


async def test_readline_too_long_is_a_400_line_too_long_and_keeps_the_bytes() -> None:
    stream = fed(b"x" * 30 + b"\n")
    with pytest.raises(LineTooLong) as exc:
        await stream.readuntil(b"\n", max_size=20)
    assert exc.value.status == 400
    assert await stream.read() == b"x" * 30 + b"\n"


async def test_readline_exactly_at_the_limit_is_accepted() -> None:
    stream = fed(b"x" * 19 + b"\n", b"next\n")
    assert await stream.readline(max_line_length=20) == b"x" * 19 + b"\n"
    assert await stream.readline() == b"next\n"


async def test_readline_default_limit_is_twice_the_buffer_limit() -> None:
    # aiohttp caps a line at its high-water mark (2 * limit) by default.
    assert await fed(b"y" * 15 + b"\n", limit=8).readline() == b"y" * 15 + b"\n"
    with pytest.raises(ValueError):
        await fed(b"y" * 16 + b"\n", limit=8).readline()


async def test_readline_too_long_without_newline_stops_before_eof() -> None:
    # The limit holds while the line is still arriving: no unbounded buffering.
    stream = StreamReader(limit=4)
    task = asyncio.ensure_future(stream.readline())
    for _ in range(20):
        if task.done():
            break
        stream.feed_data(b"abc")
        await asyncio.sleep(0)
    with pytest.raises(ValueError):
        await task
    assert stream.total_bytes <= 12


async def test_readuntil_multibyte_separator_split_everywhere() -> None:
    data = b"head--SEP--tail"
    for cut1 in range(len(data) + 1):
        for cut2 in range(cut1, len(data) + 1):
            stream = fed(data[:cut1], data[cut1:cut2], data[cut2:])
            assert await stream.readuntil(b"--SEP--") == b"head--SEP--", (cut1, cut2)
            assert await stream.read() == b"tail"


async def test_readuntil_separator_missing_returns_rest() -> None:
    stream = fed(b"abc", b"def")
    assert await stream.readuntil(b"\r\n") == b"abcdef"
    assert await stream.readuntil(b"\r\n") == b""


async def test_readuntil_false_start_of_separator() -> None:
    stream = fed(b"a\r", b"b\r", b"\n", b"c")
    assert await stream.readuntil(b"\r\n") == b"a\rb\r\n"


async def test_readuntil_empty_separator_is_rejected() -> None:
    with pytest.raises(ValueError):
        await fed(b"abc").readuntil(b"")


async def test_readuntil_max_size_counts_the_separator() -> None:
    assert await fed(b"abcd\r\n").readuntil(b"\r\n", max_size=6) == b"abcd\r\n"
    with pytest.raises(ValueError):
        await fed(b"abcd\r\n").readuntil(b"\r\n", max_size=5)


# -- readchunk / iter_chunks -----------------------------------------------------


async def test_readchunk_without_http_chunks_is_never_end_of_chunk() -> None:
    # aiohttp: end_of_HTTP_chunk is "always False" unless chunked coding marked it.
    stream = fed(b"ab", b"cd")
    assert await stream.readchunk() == (b"ab", False)
    assert await stream.readchunk() == (b"cd", False)
    assert await stream.readchunk() == (b"", False)
    assert await stream.readchunk() == (b"", False)


def chunked(*chunks: list[bytes]) -> StreamReader:
    """A reader fed HTTP chunks, each given as the pieces it arrived in."""
    stream = StreamReader()
    for pieces in chunks:
        for piece in pieces:
            stream.feed_data(piece)
        stream.end_http_chunk_receiving()
    stream.feed_eof()
    return stream


async def test_readchunk_reports_http_chunk_ends() -> None:
    stream = chunked([b"ab"], [b"cd", b"ef"], [b"g"])
    assert await stream.readchunk() == (b"ab", True)
    assert await stream.readchunk() == (b"cd", False)
    assert await stream.readchunk() == (b"ef", True)
    assert await stream.readchunk() == (b"g", True)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_after_a_partial_read_ends_at_the_chunk_end() -> None:
    stream = chunked([b"abc"], [b"de"])
    assert await stream.read(1) == b"a"
    assert await stream.readchunk() == (b"bc", True)
    assert await stream.readchunk() == (b"de", True)


async def test_chunk_end_consumed_by_another_read_is_dropped() -> None:
    stream = chunked([b"ab"], [b"cd"], [b"ef"])
    assert await stream.read(3) == b"abc"
    # "ab"'s end was passed; the next boundary is after "cd".
    assert await stream.readchunk() == (b"d", True)
    assert await stream.readexactly(2) == b"ef"
    assert await stream.readchunk() == (b"", False)


async def test_empty_http_chunk_adds_no_boundary() -> None:
    stream = StreamReader()
    stream.end_http_chunk_receiving()
    stream.feed_data(b"ab")
    stream.end_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.feed_data(b"cd")
    stream.feed_eof()
    assert [c async for c in stream.iter_chunks()] == [(b"ab", True), (b"cd", False)]


async def test_a_chunk_end_after_its_data_was_taken_is_reported_alone() -> None:
    stream = StreamReader()
    stream.feed_data(b"ab")
    assert await stream.readchunk() == (b"ab", False)
    stream.end_http_chunk_receiving()
    stream.feed_data(b"cd")
    assert await stream.readchunk() == (b"", True)
    assert await stream.readchunk() == (b"cd", False)
    task = await pending(stream.readchunk())
    stream.end_http_chunk_receiving()
    stream.end_http_chunk_receiving()  # an empty chunk: no second boundary
    stream.feed_eof()
    assert await task == (b"", True)
    assert await stream.readchunk() == (b"", False)


async def test_iter_chunks_goes_on_past_a_lone_chunk_end() -> None:
    stream = StreamReader()
    stream.feed_data(b"ab")
    assert await stream.readchunk() == (b"ab", False)
    stream.end_http_chunk_receiving()
    stream.feed_data(b"cd")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert [c async for c in stream.iter_chunks()] == [(b"", True), (b"cd", True)]


async def test_readchunk_waits_and_sees_the_boundary() -> None:
    stream = StreamReader()
    task = await pending(stream.readchunk())
    stream.feed_data(b"xy")
    stream.end_http_chunk_receiving()
    assert await task == (b"xy", True)


async def test_iter_chunks_terminates_at_eof() -> None:
    stream = chunked([b"a", b"b"], [b"c"])
    assert [c async for c in stream.iter_chunks()] == [(b"a", False), (b"b", True), (b"c", True)]


async def test_chunk_ends_are_ignored_for_decoded_bodies() -> None:
    body = gzip.compress(b"hello")
    stream = StreamReader(compression="gzip")
    stream.feed_data(body[:5])
    stream.end_http_chunk_receiving()
    stream.feed_data(body[5:])
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    got = [c async for c in stream.iter_chunks()]
    assert b"".join(data for data, _ in got) == b"hello"
    assert all(end is False for _, end in got)


async def test_unread_data_keeps_chunk_ends_in_place() -> None:
    stream = chunked([b"abc"], [b"de"])
    first = await stream.read(2)
    with pytest.deprecated_call():
        stream.unread_data(first)
    # The pushed-back bytes are their own piece; the boundary after "c" still holds.
    assert await stream.readchunk() == (b"ab", False)
    assert await stream.readchunk() == (b"c", True)
    assert await stream.readchunk() == (b"de", True)


# -- iterators -------------------------------------------------------------------


async def test_iter_chunked_gives_pieces_of_at_most_n() -> None:
    stream = fed(b"abcde", b"fg", b"hijklmn")
    pieces = [piece async for piece in stream.iter_chunked(3)]
    assert b"".join(pieces) == b"abcdefghijklmn"
    assert all(0 < len(piece) <= 3 for piece in pieces)
    # Buffered data is gathered across pieces, so the sizes are exact here.
    assert [len(piece) for piece in pieces] == [3, 3, 3, 3, 2]


async def test_iter_any_yields_until_eof() -> None:
    stream = fed(b"ab", eof=False)

    async def produce() -> None:
        await later(lambda: stream.feed_data(b"cd"))
        await later(stream.feed_eof)

    producer = asyncio.ensure_future(produce())
    pieces = [piece async for piece in stream.iter_any()]
    await producer
    assert b"".join(pieces) == b"abcd"


async def test_iterators_on_an_empty_body() -> None:
    assert [p async for p in fed().iter_any()] == []
    assert [p async for p in fed().iter_chunked(4)] == []
    assert [p async for p in fed().iter_chunks()] == []
    assert [p async for p in fed()] == []


# -- eof state -------------------------------------------------------------------


async def test_is_eof_and_at_eof() -> None:
    stream = fed(b"ab", eof=False)
    assert not stream.is_eof()
    assert not stream.at_eof()
    stream.feed_eof()
    assert stream.is_eof()
    assert not stream.at_eof()  # still buffered
    await stream.read(1)
    assert not stream.at_eof()
    await stream.read(1)
    assert stream.at_eof()


async def test_at_eof_counts_undecoded_bytes() -> None:
    stream = fed(gzip.compress(b"x"), compression="gzip")
    assert stream.is_eof()
    assert not stream.at_eof()
    assert await stream.read() == b"x"
    assert stream.at_eof()


async def test_feed_after_eof_is_an_error() -> None:
    stream = fed(b"ab")
    with pytest.raises(RuntimeError):
        stream.feed_data(b"more")
    assert await stream.read() == b"ab"
    assert stream.total_bytes == 2


async def test_feed_empty_bytes_is_a_no_op() -> None:
    stream = StreamReader()
    stream.feed_data(b"")
    assert repr(stream) == "<StreamReader open buffered=0>"
    stream.feed_eof()
    assert await stream.read() == b""


async def test_trailers_arrive_with_eof() -> None:
    stream = StreamReader()
    assert len(stream.trailers) == 0
    trailers = CIMultiDictProxy(CIMultiDict({"Checksum": "abc"}))
    stream.feed_data(b"body")
    stream.feed_eof(trailers)
    assert stream.trailers["checksum"] == "abc"


async def test_total_bytes_counts_received_bytes() -> None:
    stream = fed(b"abc", b"de", eof=False)
    assert stream.total_bytes == 5
    await stream.read(4)
    assert stream.total_bytes == 5
    with pytest.deprecated_call():
        stream.unread_data(b"zz")
    assert stream.total_bytes == 5


async def test_repr() -> None:
    stream = fed(b"abc", eof=False)
    assert repr(stream) == "<StreamReader open buffered=3>"
    stream.feed_eof()
    assert repr(stream) == "<StreamReader eof buffered=3>"


async def test_wait_eof_keeps_the_data_readable() -> None:
    stream = fed(b"ab")
    await asyncio.wait_for(stream.wait_eof(), 1)
    assert await stream.read() == b"ab"


async def test_wait_eof_waits_for_every_waiter() -> None:
    stream = fed(b"a", eof=False)
    first = await pending(stream.wait_eof())
    second = await pending(stream.wait_eof())
    stream.feed_data(b"b")
    await asyncio.sleep(0)
    assert not first.done()
    stream.feed_eof()
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert await stream.read() == b"ab"


async def test_wait_eof_cancelled_waiter_leaves_the_others() -> None:
    stream = StreamReader()
    first = await pending(stream.wait_eof())
    second = await pending(stream.wait_eof())
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    stream.feed_eof()
    await asyncio.wait_for(second, 1)


async def test_wait_eof_fails_with_the_stream() -> None:
    stream = StreamReader()
    task = await pending(stream.wait_eof())
    stream.set_exception(ConnectionResetError("lost"))
    with pytest.raises(ConnectionResetError):
        await task
    with pytest.raises(ConnectionResetError):
        await stream.wait_eof()


async def test_wait_eof_counts_as_a_first_read() -> None:
    calls: list[int] = []
    stream = StreamReader(on_first_read=lambda: calls.append(1))
    task = await pending(stream.wait_eof())
    assert calls == [1]
    stream.feed_eof()
    await task


# -- exceptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        lambda s: s.read(),
        lambda s: s.read(3),
        lambda s: s.readany(),
        lambda s: s.readline(),
        lambda s: s.readexactly(2),
        lambda s: s.readchunk(),
        lambda s: s.readuntil(b"--"),
    ],
)
async def test_exception_set_while_a_reader_waits(read: Any) -> None:
    stream = StreamReader()
    task = await pending(read(stream))
    error = ConnectionResetError("Connection lost")
    stream.set_exception(error)
    with pytest.raises(ConnectionResetError) as info:
        await task
    assert info.value is error
    assert stream.exception() is error
    # Later reads fail the same way.
    with pytest.raises(ConnectionResetError):
        await read(stream)


async def test_buffered_data_is_delivered_before_the_exception() -> None:
    # aioweb hands out bytes received before the failure; aiohttp raises at once.
    stream = fed(b"ab", eof=False)
    stream.set_exception(ValueError("bad chunk"))
    assert await stream.read(10) == b"ab"
    with pytest.raises(ValueError, match="bad chunk"):
        await stream.read(10)


async def test_read_nowait() -> None:
    stream = fed(b"ab", b"cd", eof=False)
    assert stream.read_nowait(3) == b"abc"
    assert stream.read_nowait() == b"d"
    assert stream.read_nowait() == b""
    task = await pending(stream.read())
    with pytest.raises(RuntimeError):
        stream.read_nowait()
    stream.feed_eof()
    assert await task == b""
    stream.set_exception(OSError("gone"))
    with pytest.raises(OSError):
        stream.read_nowait()


async def test_read_nowait_decodes_what_has_arrived() -> None:
    stream = fed(gzip.compress(b"hello world"), compression="gzip", eof=False)
    assert stream.read_nowait(5) == b"hello"
    assert stream.read_nowait() == b" world"
    assert stream.read_nowait() == b""
    stream.feed_eof()
    assert stream.read_nowait() == b""
    assert stream.at_eof()


async def test_wait_eof_keeps_reading_past_the_buffer_limit() -> None:
    calls: list[str] = []
    stream = StreamReader(
        limit=4, on_pause=lambda: calls.append("pause"), on_resume=lambda: calls.append("resume")
    )
    stream.feed_data(b"123456789")
    assert calls == ["pause"]
    task = await pending(stream.wait_eof())
    assert calls == ["pause", "resume"]
    stream.feed_data(b"abcdefghi")  # over the limit, but the body is awaited whole
    assert calls == ["pause", "resume"]
    stream.feed_eof()
    await task
    assert await stream.read() == b"123456789abcdefghi"


async def test_two_concurrent_readers_are_refused() -> None:
    stream = StreamReader()
    first = await pending(stream.read())
    with pytest.raises(RuntimeError, match="already waiting"):
        await stream.read()
    stream.feed_eof()
    assert await first == b""


async def test_exception_is_none_by_default() -> None:
    assert StreamReader().exception() is None


async def test_on_first_read_runs_once_when_a_reader_first_waits() -> None:
    calls: list[int] = []
    stream = StreamReader(on_first_read=lambda: calls.append(1))
    stream.feed_data(b"buffered")
    assert await stream.read(100) == b"buffered"
    assert calls == []  # no wait happened
    task = await pending(stream.read(100))
    assert calls == [1]
    stream.feed_data(b"x")
    await task
    task = await pending(stream.read(100))
    stream.feed_eof()
    await task
    assert calls == [1]


# -- flow control ----------------------------------------------------------------


class Flow:
    def __init__(self) -> None:
        self.events: list[str] = []

    def pause(self) -> None:
        self.events.append("pause")

    def resume(self) -> None:
        self.events.append("resume")


def flow_stream(limit: int, **kwargs: Any) -> tuple[StreamReader, Flow]:
    flow = Flow()
    stream = StreamReader(limit=limit, on_pause=flow.pause, on_resume=flow.resume, **kwargs)
    return stream, flow


async def test_pause_above_high_water_and_resume_at_low_water() -> None:
    stream, flow = flow_stream(4)  # high water 8, low water 4
    stream.feed_data(b"x" * 8)
    assert flow.events == []
    stream.feed_data(b"y")
    assert flow.events == ["pause"]
    stream.feed_data(b"z" * 5)
    assert flow.events == ["pause"]  # paused once only
    assert await stream.read(9) == b"x" * 8 + b"y"  # 5 left: above low water
    assert flow.events == ["pause"]
    assert await stream.read(1) == b"z"  # 4 left
    assert flow.events == ["pause", "resume"]
    stream.feed_data(b"w" * 6)  # 10: pause again
    assert flow.events == ["pause", "resume", "pause"]


async def test_discard_resumes_reading() -> None:
    stream, flow = flow_stream(2)
    stream.feed_data(b"x" * 10)
    assert flow.events == ["pause"]
    assert stream.discard() == 10
    assert flow.events == ["pause", "resume"]


async def test_flow_control_counts_compressed_bytes() -> None:
    body = zlib.compress(b"a" * 1000)
    stream, flow = flow_stream(4, compression="deflate")
    stream.feed_data(body)
    assert len(body) > 8
    assert flow.events == ["pause"]
    stream.feed_eof()
    assert await stream.read() == b"a" * 1000
    assert flow.events == ["pause", "resume"]


async def test_no_callbacks_needed() -> None:
    stream = StreamReader(limit=1)
    stream.feed_data(b"abc")
    stream.feed_eof()
    assert await stream.read() == b"abc"


# -- decompression ---------------------------------------------------------------


PAYLOAD = b"The quick brown fox jumps over the lazy dog. " * 50


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("GZIP", gzip.compress),
    ],
)
async def test_decompression_on_read(coding: str, encode: Callable[[bytes], bytes]) -> None:
    body = encode(PAYLOAD)
    stream = fed(*[body[i : i + 7] for i in range(0, len(body), 7)], compression=coding)
    assert stream.total_bytes == len(body)
    assert await stream.read() == PAYLOAD


async def test_decompression_with_partial_reads_and_lines() -> None:
    text = b"".join(b"line %d\n" % i for i in range(200))
    body = gzip.compress(text)
    stream = fed(body[:10], body[10:], compression="gzip")
    lines = [line async for line in stream]
    assert b"".join(lines) == text
    assert len(lines) == 200


async def test_decompression_is_lazy() -> None:
    # Nothing is decoded before a read asks for it (unread bodies cost nothing).
    stream = fed(b"not gzip at all", compression="gzip")
    assert stream.discard() == len(b"not gzip at all")
    assert await stream.read() == b""


async def test_corrupt_compressed_body_raises_content_encoding_error() -> None:
    stream = fed(b"definitely not gzip", compression="gzip")
    with pytest.raises(ContentEncodingError):
        await stream.read()
    # The stream stays failed.
    with pytest.raises(ContentEncodingError):
        await stream.read()


async def test_truncated_compressed_body_raises_at_end() -> None:
    body = gzip.compress(PAYLOAD)
    stream = fed(body[: len(body) // 2], compression="gzip")
    with pytest.raises(ContentEncodingError):
        await stream.read()


async def test_decompressed_size_is_capped() -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)
    stream = fed(bomb, compression="gzip", max_decoded_size=10_000)
    got = 0

    async def drain() -> None:
        nonlocal got
        while data := await stream.readany():
            got += len(data)

    with pytest.raises(PayloadTooLarge) as info:
        await drain()
    assert info.value.status == 413
    assert got <= 10_000
    with pytest.raises(PayloadTooLarge):
        await stream.read()
    assert stream.exception() is info.value


async def test_decompressed_size_exactly_at_the_cap() -> None:
    stream = fed(gzip.compress(b"a" * 100), compression="gzip", max_decoded_size=100)
    assert await stream.read() == b"a" * 100


async def test_unknown_coding_fails_on_read() -> None:
    stream = fed(b"abc", compression="compress")
    with pytest.raises(HttpProcessingError):
        await stream.read()


# -- discard, unread, empty ------------------------------------------------------


async def test_discard_drops_buffer_and_future_data() -> None:
    stream = fed(b"abc", b"de", eof=False)
    assert stream.discard() == 5
    stream.feed_data(b"later")
    assert stream.total_bytes == 10  # still counted (the connection bounds discards)
    stream.feed_eof()
    assert await stream.read() == b""
    assert stream.at_eof()


async def test_unread_data_goes_first() -> None:
    stream = fed(b"world")
    with pytest.deprecated_call():
        stream.unread_data(b"hello ")
    with pytest.deprecated_call():
        stream.unread_data(b"")
    assert await stream.read() == b"hello world"


async def test_empty_stream_reader() -> None:
    for stream in (EMPTY_PAYLOAD, EmptyStreamReader()):
        assert stream.is_eof()
        assert stream.at_eof()
        stream.feed_data(b"ignored")
        with pytest.deprecated_call():
            stream.unread_data(b"ignored")
        assert await stream.read() == b""
        assert await stream.readany() == b""
        assert await stream.readline() == b""
        assert await stream.readchunk() == (b"", False)
        with pytest.raises(asyncio.IncompleteReadError):
            await stream.readexactly(1)
        assert repr(stream) == "<EmptyStreamReader>"


def test_satisfies_the_byte_stream_protocol() -> None:
    assert isinstance(StreamReader(), AsyncByteStream)
    assert isinstance(EMPTY_PAYLOAD, AsyncByteStream)


async def test_take_complete_hands_over_a_whole_body_without_copying() -> None:
    piece = b"x" * 4096
    stream = StreamReader()
    stream.feed_data(piece)
    assert stream.take_complete() is None  # not complete yet: read the usual way
    stream.feed_eof()
    assert stream.take_complete() is piece
    assert stream.at_eof()
    assert await stream.read() == b""

    stream = StreamReader()
    for part in (b"ab", b"cd", b"ef"):
        stream.feed_data(part)
    stream.feed_eof()
    assert await stream.read(1) == b"a"
    assert stream.take_complete() == b"bcdef"
    assert stream.total_bytes == 6


async def test_take_complete_declines_what_needs_decoding_or_failed() -> None:
    compressed = StreamReader(compression="gzip")
    compressed.feed_data(gzip.compress(b"data"))
    compressed.feed_eof()
    assert compressed.take_complete() is None
    assert await compressed.read() == b"data"

    failed = StreamReader()
    failed.feed_data(b"abc")
    failed.feed_eof()
    failed.set_exception(ValueError("boom"))
    assert failed.take_complete() is None
