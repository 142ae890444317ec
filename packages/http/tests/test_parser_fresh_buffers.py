"""The parser's fresh-buffer fast paths, case by case and as a property.

A ``bytes`` buffer that starts a head takes a fast path: one that ends with CRLF CRLF
(one head, or several pipelined ones) goes through ``parse_heads``, which guesses that
the first head fills the buffer; one that holds a head and (part of) its Content-Length
body skips the general loop. Every outcome must equal the general path's: the same
bytes as a ``bytearray`` always take the general path, and so does a feed byte by byte.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead
from aioweb.http.parser import RequestParser


def outcome(
    pieces: list[bytes | bytearray], eof: bool = False, **kwargs: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None, bool]:
    """Events (heads as plain tuples, body bytes merged), the error, and ``upgraded``.

    With ``eof``, the peer closes after the last piece (``feed_eof``).
    """
    parser = RequestParser(**kwargs)
    events: list[Any] = []
    error: HttpProcessingError | None = None
    try:
        for piece in pieces:
            events += parser.feed(piece)
        if eof:
            events += parser.feed_eof()
    except HttpProcessingError as exc:
        error = exc
        assert parser.error is not None
    else:
        error = parser.error  # recorded after events, raised by the next call
    out: list[Any] = []
    for e in events:
        if isinstance(e, RequestHead):
            out.append(
                (
                    e.method,
                    e.target,
                    e.version,
                    e.raw_headers,
                    tuple(e.headers.items()),
                    e.should_close,
                    e.upgrade,
                    e.chunked,
                    e.content_length,
                    e.compression,
                )
            )
        elif isinstance(e, EndOfMessage):
            out.append(("end", tuple(e.trailers.items())))
        elif out and isinstance(out[-1], bytes):
            out[-1] += e
        else:
            out.append(bytes(e))
    failure = None if error is None else (type(error), error.status, error.reason)
    return tuple(out), failure, parser.upgraded


def check_same(data: bytes, **kwargs: Any) -> tuple[tuple[Any, ...], tuple[Any, ...] | None, bool]:
    """The fast outcome of ``data``; assert the general path and a bytewise feed agree."""
    fast = outcome([data], **kwargs)
    assert fast == outcome([bytearray(data)], **kwargs)
    failure = fast[1]
    split = outcome([data[i : i + 1] for i in range(len(data))], **kwargs)
    if failure is None:
        assert split == fast
    else:
        assert split[1] is not None
        assert split[1][1] == failure[1]
    return fast


def heads(events: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(e[0], e[1]) for e in events if len(e) == 10]


END = ("end", ())
GET = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
POST = b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"


# -- a head and its Content-Length body in one buffer --------------------------------------


def test_head_and_whole_body() -> None:
    parser = RequestParser()
    events = parser.feed(POST + b"hello")
    assert isinstance(events[0], RequestHead)
    assert events[0].content_length == 5
    assert events[1:] == [b"hello", events[2]]
    assert isinstance(events[2], EndOfMessage)
    assert parser.feed(GET)[0].target == "/a"  # ready for the next request
    check_same(POST + b"hello")


def test_head_and_part_of_body_then_the_rest() -> None:
    parser = RequestParser()
    events = parser.feed(POST + b"he")
    assert events[1:] == [b"he"]
    rest = parser.feed(b"llo")
    assert rest[0] == b"llo"
    assert isinstance(rest[1], EndOfMessage)
    assert outcome([POST + b"he", b"llo"]) == outcome([bytearray(POST + b"hello")])


def test_head_only_then_body() -> None:
    parser = RequestParser()
    events = parser.feed(POST)
    assert len(events) == 1
    assert isinstance(events[0], RequestHead)
    assert parser.feed(b"hello")[0] == b"hello"
    check_same(POST)


@pytest.mark.parametrize("tail", [GET, GET[:10], GET[:-2], POST + b"hel"])
def test_head_body_and_a_pipelined_request(tail: bytes) -> None:
    data = POST + b"hello" + tail
    events, failure, _ = check_same(data)
    assert failure is None
    assert events[:3] == (events[0], b"hello", END)
    if tail == GET:
        assert heads(events) == [("POST", "/p"), ("GET", "/a")]
        assert events[-1] == END
    if tail[:4] == b"POST":
        assert heads(events) == [("POST", "/p"), ("POST", "/p")]
        assert events[-1] == b"hel"
    # a partial next head is kept for the next feed
    parser = RequestParser()
    parser.feed(data)
    assert parser.buffered == (len(tail) if tail in (GET[:10], GET[:-2]) else 0)


def test_content_length_zero() -> None:
    data = b"POST /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
    events, failure, _ = check_same(data)
    assert failure is None
    assert events[1:] == (END,)
    events, failure, _ = check_same(data + GET)
    assert heads(events) == [("POST", "/p"), ("GET", "/a")]
    events, failure, _ = check_same(data + b"xyz\r\n")  # a bad request line after it
    assert heads(events) == [("POST", "/p")]
    assert failure is not None


def test_upgrade_with_a_body() -> None:
    head = (
        b"POST /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: x\r\n"
        b"Content-Length: 3\r\n\r\n"
    )
    for data in (head + b"abc", head + b"abcRAW", head + b"ab"):
        events, failure, upgraded = check_same(data)
        assert failure is None
        assert events[0][6] is True  # upgrade
        body = data[len(head) :]
        assert events[1] == body[:3]
        if len(body) >= 3:
            assert upgraded
            assert events[2] == END
            assert events[3:] == ((body[3:],) if body[3:] else ())
        else:
            assert not upgraded


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"POST /p HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 5\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\nContent-Length : 5\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\nX: a\x00b\r\nContent-Length: 5\r\n\r\n", 400),
        (b"POST /p HTTP/1.1\r\n Content-Length: 5\r\n\r\n", 400),
        (b"POST /p HTTP/3.0\r\nContent-Length: 5\r\n\r\n", 505),
        (b"POST /p HTTP/1.1\r\nContent-Length: 99999\r\n\r\n", 413),
    ],
)
def test_errors_in_a_head_with_a_body(head: bytes, status: int) -> None:
    for data in (head + b"hello", head + b"he", head):
        _, failure, _ = check_same(data, max_body_size=1000)
        assert failure is not None
        assert failure[1] == status


# -- pipelined heads in one buffer (parse_heads) --------------------------------------------


def test_pipelined_plain_heads() -> None:
    data = GET + b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + b"GET /c HTTP/1.1\r\n\r\n"
    events, failure, _ = check_same(data)
    assert failure is None
    assert heads(events) == [("GET", "/a"), ("GET", "/b"), ("GET", "/c")]
    assert [e[5] for e in events if len(e) == 10] == [False, False, False]  # should_close


@pytest.mark.parametrize(
    "first",
    [
        b"GET / HTTP/1.1\r\n\r\n",  # no fields
        b"GET / HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nConnection: Keep-Alive, Upgrade\r\n\r\n",  # no Upgrade field
        b"GET / HTTP/1.1\r\nContent-Encoding: GZIP\r\n\r\n",
        b"GET / HTTP/1.1\r\nA: 1 \r\n\r\n",  # trailing whitespace: the slow field path
        b"GET / HTTP/1.1\r\nB:\r\n\r\n",
        b"OPTIONS * HTTP/1.1\r\n\r\n",
        b"GET http://x/y HTTP/1.1\r\n\r\n",
        b"CONNECT a:1 HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n\r\n",  # an empty line between requests
    ],
)
@pytest.mark.parametrize("second", [GET, GET + GET, b"GET /b HTTP/1.1\r\n\r\n"])
def test_first_head_of_many(first: bytes, second: bytes) -> None:
    events, failure, upgraded = check_same(first + second)
    assert failure is None
    if not upgraded:
        assert events[-1] == END


@pytest.mark.parametrize(
    ("later", "status"),
    [
        (b"GET /b HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"GET /b HTTP/1.1\r\nX : 1\r\n\r\n", 400),
        (b"GET /b HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),
        (b"GET /b HTTP/1.1\r\nX: a\nb\r\n\r\n", 400),
        (b"GET /b HTTP/1.1\r\n folded\r\n\r\n", 400),
        (b"GET /b HTTP/9.9\r\n\r\n", 505),
        (b"GET /b HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"FOO /b HTTP/1.1\r\n\r\n", 501),
        (b"GET /b HTTP/1.1\r\n" + b"X: y\r\n" * 6 + b"\r\n", 431),
        (b"GET /" + b"b" * 100 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_error_in_a_later_head(later: bytes, status: int) -> None:
    """Earlier requests are returned; the error waits for the next call."""
    kwargs: dict[str, Any] = {"methods": {"GET", "POST"}, "max_headers": 5, "max_line_size": 64}
    data = GET + GET + later + GET
    parser = RequestParser(**kwargs)
    events = parser.feed(data)
    assert [e.target for e in events if isinstance(e, RequestHead)] == ["/a", "/a"]
    assert parser.error is not None
    assert parser.error.status == status
    _, failure, _ = check_same(data, **kwargs)
    assert failure is not None
    assert failure[1] == status


@pytest.mark.parametrize(
    ("first", "status"),
    [
        (b"GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"GET /a HTTP/1.1\r\nX: a\x7fb\r\n\r\n", 400),
        (b"GET /a HTTP/1.1\r\nX\r\n\r\n", 400),
        (b"FOO /a HTTP/1.1\r\n\r\n", 501),
        (b"GET /a HTTP/1.1\r\n" + b"X: y\r\n" * 6 + b"\r\n", 431),
    ],
)
def test_error_in_the_first_head_of_many(first: bytes, status: int) -> None:
    kwargs: dict[str, Any] = {"methods": {"GET"}, "max_headers": 5}
    with pytest.raises(HttpProcessingError) as info:
        RequestParser(**kwargs).feed(first + GET)
    assert info.value.status == status
    _, failure, _ = check_same(first + GET, **kwargs)
    assert failure is not None
    assert failure[1] == status


def test_long_pipelined_buffer() -> None:
    """More bytes than a line limit: the first head is searched for, not guessed."""
    data = GET * 50
    kwargs: dict[str, Any] = {"max_line_size": 100, "max_field_size": 100}
    events, failure, _ = check_same(data, **kwargs)
    assert failure is None
    assert len(heads(events)) == 50


def test_empty_lines_before_a_fresh_head() -> None:
    parser = RequestParser()
    assert parser.feed(b"\r\n") == []
    events = parser.feed(GET + GET)
    assert len(events) == 4
    # the empty line was counted for the first request only
    for _ in range(20):
        assert parser.feed(b"\r\n") == []
        assert len(parser.feed(GET)) == 2


# -- the property -----------------------------------------------------------------------------

REQUEST_LINES = [
    b"GET / HTTP/1.1",
    b"GET /x?y=1 HTTP/1.0",
    b"POST /p HTTP/1.1",
    b"OPTIONS * HTTP/1.1",
    b"CONNECT a:1 HTTP/1.1",
    b"GET http://a/b HTTP/1.1",
    b"FOO / HTTP/1.1",
    b"GET / HTTP/2.0",
    b"GET  / HTTP/1.1",
]
FIELDS = [
    b"Host: a",
    b"Host: b",
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
    b"Connection: keep-alive",
    b"Connection: close",
    b"Connection: Upgrade",
    b"Upgrade: websocket",
    b"Content-Length: 3",
    b"Content-Length: 0",
    b"Transfer-Encoding: chunked",
    b"Content-Encoding: br",
    b"A: 1 ",
    b"B:",
    b"C: \xe9\t",
    b"D : 1",
    b" folded",
    b"E: a\rb",
    b"F: \x01",
    b"G",
]
BODIES = [b"", b"abc", b"0\r\n\r\n", b"3\r\nabc\r\n0\r\n\r\n", b"\r\n"]


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        line = draw(st.sampled_from(REQUEST_LINES))
        fields = draw(st.lists(st.sampled_from(FIELDS), max_size=6))
        body = draw(st.sampled_from(BODIES))
        parts.append(b"".join(x + b"\r\n" for x in [line, *fields]) + b"\r\n" + body)
    return b"".join(parts)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(requests(), st.booleans())
def test_fresh_buffers_match_the_general_path(data: bytes, limited: bool) -> None:
    kwargs: dict[str, Any] = (
        {"max_line_size": 60, "max_field_size": 60, "max_headers": 4, "methods": {"GET", "POST"}}
        if limited
        else {}
    )
    check_same(data, **kwargs)


# --- hostile streams: any mix of valid and broken lines ------------------------------------
# The fast paths must give exactly the general path's outcome (the same bytes as a
# bytearray) for any input, and a byte-by-byte feed an error of the same status.

FRAGMENTS = [
    b"GET / HTTP/1.1\r\n",
    b"POST /p HTTP/1.0\r\n",
    b"CONNECT a:1 HTTP/1.1\r\n",
    b"OPTIONS * HTTP/1.1\r\n",
    b"GET http://a/b HTTP/1.1\r\n",
    b"Host: a\r\n",
    b"Host: b\r\n",
    b"X-Long: " + b"v" * 40 + b"\r\n",
    b"Content-Length: 3\r\n",
    b"Content-Length: 0\r\n",
    b"Content-Length: 3, 3\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive, Upgrade\r\n",
    b"Upgrade: websocket\r\n",
    b"Content-Encoding: GZIP\r\n",
    b"A: 1 \r\n",
    b"B:\t\r\n",
    b"C : 1\r\n",
    b" folded\r\n",
    b"D: \x00\r\n",
    b"E: \xe9\r\n",
    b"\xe9: x\r\n",
    b"F: a\rb\r\n",
    b"G: a\nb\r\n",
    b"\r\n",
    b"\n",
    b"\r",
    b"abc",
    b"3\r\nabc\r\n0\r\n\r\n",
    b"0\r\nT: 1\r\n\r\n",
    b"0\r\nHost: x\r\n\r\n",
    b"GET / HTTP/2.0\r\n",
    b"GET  / HTTP/1.1\r\n",
]

TIGHT_LIMITS = {"max_line_size": 40, "max_field_size": 40, "max_headers": 5}


streams = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10).map(b"".join)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(streams, st.booleans(), st.booleans())
def test_fast_paths_match_the_general_path(data: bytes, end_head: bool, limited: bool) -> None:
    if end_head:
        data += b"\r\n\r\n"  # so that the one-whole-head guess is tried
    kwargs: dict[str, Any] = TIGHT_LIMITS if limited else {}
    fast = outcome([data], eof=True, **kwargs)
    general = outcome([bytearray(data)], eof=True, **kwargs)
    assert fast == general
    events, failure, upgraded = fast
    bytewise = [data[i : i + 1] for i in range(len(data))]
    split_events, split_failure, split_upgraded = outcome(bytewise, eof=True, **kwargs)
    if failure is None:
        assert split_failure is None
        assert split_events == events
        assert split_upgraded == upgraded
    else:
        # fed byte by byte, a limit may be noticed on an incomplete line, or a bad byte
        # before the line is complete: the same status, maybe an earlier event list
        assert split_failure is not None
        assert split_failure[1] == failure[1]
