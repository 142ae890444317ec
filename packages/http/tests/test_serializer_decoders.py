"""What the serialiser writes, read back by parsers nobody here wrote (h11, httptools).

Skipped where those are not installed (the solo environment has only aioweb-http).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http.serializer import ChunkedEncoder, build_head

h11 = pytest.importorskip("h11")
httptools = pytest.importorskip("httptools")


def _h11_read_response(wire: bytes, method: bytes = b"GET") -> list[Any]:
    """Feed a whole response to an h11 client connection; return its events."""
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method=method, target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(wire)
    conn.receive_data(b"")
    events = []
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA or isinstance(event, h11.ConnectionClosed):
            break
        events.append(event)
        if isinstance(event, h11.EndOfMessage):
            break
    return events


class _Collector:
    """httptools callbacks, recorded the way a client would."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


def test_head_parsed_by_h11() -> None:
    wire = build_head(201, None, [("Content-Length", "2"), ("X-A", "b c")]) + b"ok"
    response, data, end = _h11_read_response(wire)
    assert response.status_code == 201
    assert response.reason == b"Created"
    assert response.headers == [(b"content-length", b"2"), (b"x-a", b"b c")]
    assert data.data == b"ok"
    assert isinstance(end, h11.EndOfMessage)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz", min_size=1),
            # Values without controls; h11 (like any parser) strips surrounding whitespace.
            st.text(
                alphabet=st.characters(
                    min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"
                ),
                max_size=40,
            ),
        ),
        max_size=8,
    )
)
def test_any_valid_header_round_trips_through_h11(fields: list[tuple[str, str]]) -> None:
    # Framing headers would change how h11 reads the body; they are not the point here.
    fields = [
        (n, v)
        for n, v in fields
        if n.lower() not in {"content-length", "transfer-encoding", "connection"}
    ]
    wire = build_head(200, None, [*fields, ("Content-Length", "0")])
    response, end = _h11_read_response(wire)
    expected = [(n.lower().encode(), v.strip(" ").encode()) for n, v in fields]
    assert list(response.headers)[:-1] == expected
    assert isinstance(end, h11.EndOfMessage)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20), st.booleans())
def test_chunked_round_trips_through_h11(pieces: list[bytes], trailers: bool) -> None:
    enc = ChunkedEncoder()
    wire = build_head(200, None, [("Transfer-Encoding", "chunked")])
    wire += b"".join(enc.encode(p) for p in pieces)
    wire += enc.end([("X-Trailer", "done")] if trailers else None)
    events = _h11_read_response(wire)
    body = b"".join(e.data for e in events if isinstance(e, h11.Data))
    assert body == b"".join(pieces)
    end = events[-1]
    assert isinstance(end, h11.EndOfMessage)
    assert list(end.headers) == ([(b"x-trailer", b"done")] if trailers else [])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20), st.integers(min_value=1, max_value=64))
def test_chunked_round_trips_through_httptools(pieces: list[bytes], split: int) -> None:
    enc = ChunkedEncoder()
    wire = build_head(200, None, [("Transfer-Encoding", "chunked")])
    wire += b"".join(enc.encode(p) for p in pieces) + enc.end()
    collector = _Collector()
    parser = httptools.HttpResponseParser(collector)
    for i in range(0, len(wire), split):  # any split of the stream
        parser.feed_data(wire[i : i + split])
    assert collector.complete
    assert bytes(collector.body) == b"".join(pieces)
    assert parser.get_status_code() == 200


def test_empty_write_does_not_end_body_for_httptools() -> None:
    enc = ChunkedEncoder()
    wire = build_head(200, None, [("Transfer-Encoding", "chunked")])
    wire += enc.encode(b"a") + enc.encode(b"") + enc.encode(b"b")
    collector = _Collector()
    parser = httptools.HttpResponseParser(collector)
    parser.feed_data(wire)
    assert not collector.complete
    parser.feed_data(enc.end())
    assert collector.complete
    assert bytes(collector.body) == b"ab"
