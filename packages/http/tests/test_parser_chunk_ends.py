"""RequestParser(chunk_boundaries=True): a ChunkEnd event after each chunk's data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http import CHUNK_END, ChunkEnd, EndOfMessage, RequestHead, RequestParser

HEAD = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%b\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def shape(events: list[object]) -> list[object]:
    """Events with adjacent bytes merged: what any split of the input must give."""
    out: list[object] = []
    for event in events:
        if isinstance(event, bytes) and out and isinstance(out[-1], bytes):
            out[-1] += event
        elif isinstance(event, RequestHead):
            out.append("head")
        elif isinstance(event, EndOfMessage):
            out.append("end")
        else:
            out.append(event)
    return out


def test_no_chunk_events_by_default() -> None:
    events = RequestParser().feed(HEAD + chunked(b"abc", b"de"))
    assert shape(events) == ["head", b"abcde", "end"]


def test_chunk_end_after_each_chunk() -> None:
    events = RequestParser(chunk_boundaries=True).feed(HEAD + chunked(b"abc", b"de"))
    assert shape(events) == ["head", b"abc", CHUNK_END, b"de", CHUNK_END, "end"]
    assert isinstance(CHUNK_END, ChunkEnd)
    assert repr(CHUNK_END) == "<ChunkEnd>"


def test_no_chunk_events_for_content_length_bodies() -> None:
    data = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    assert shape(RequestParser(chunk_boundaries=True).feed(data)) == ["head", b"abc", "end"]


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(st.binary(min_size=1, max_size=40), max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_chunk_ends_do_not_depend_on_the_split(pieces: list[bytes], cuts: list[int]) -> None:
    data = HEAD + chunked(*pieces)
    expected = ["head"]
    for piece in pieces:
        expected += [piece, CHUNK_END]
    expected.append("end")
    parser = RequestParser(chunk_boundaries=True)
    events: list[object] = []
    start = 0
    for cut in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        events += parser.feed(data[start:cut])
        start = cut
    assert shape(events) == expected
