"""RequestParser: the error contract (events before an error are kept), forbidden trailer
fields, and the one-whole-head fast path agreeing with the general path."""

from __future__ import annotations

import pytest

from aioweb.http import (
    BadHttpMessage,
    BadStatusLine,
    EndOfMessage,
    HttpProcessingError,
    InvalidHeader,
    RequestHead,
    TooManyHeaders,
    TransferEncodingError,
)
from aioweb.http.parser import FORBIDDEN_TRAILERS, Event, RequestParser

GET_A = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
GET_B = b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
GARBAGE = b"GET /c HTTP/1.1\r\nBad Header: y\r\n\r\n"
POST_CL = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


def shape(events: list[Event]) -> list[object]:
    out: list[object] = []
    for e in events:
        if isinstance(e, RequestHead):
            out.append(e.target)
        elif isinstance(e, EndOfMessage):
            out.append("end")
        else:
            out.append(e)
    return out


def assert_failed(parser: RequestParser, cls: type[HttpProcessingError]) -> None:
    """The parser recorded ``cls`` and raises it again on every later call."""
    assert isinstance(parser.error, cls)
    with pytest.raises(cls) as again:
        parser.feed(b"GET / HTTP/1.1\r\n\r\n")
    assert again.value.status == parser.error.status
    assert again.value.reason == parser.error.reason
    with pytest.raises(cls):
        parser.feed_eof()
    with pytest.raises(cls):
        parser.feed(b"")


# -- feed() keeps what came before an error ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected", "cls"),
    [
        (GET_A + GET_B + GARBAGE, ["/a", "end", "/b", "end"], InvalidHeader),
        (GET_A + GET_B + b"\x00\r\n\r\n", ["/a", "end", "/b", "end"], BadStatusLine),
        (GET_A + b"GET /b HTTP/1.1\r\nX: \x01\r\n", ["/a", "end"], InvalidHeader),
        (POST_CL + b"garbage\r\n\r\n", ["/p", b"hello", "end"], BadStatusLine),
        (POST_CL + b"GET / HTTP/2.0\r\n\r\n", ["/p", b"hello", "end"], HttpProcessingError),
        (CHUNKED + b"5\r\nhello\r\nzz\r\n", ["/c", b"hello"], TransferEncodingError),
        (CHUNKED + b"5\r\nhelloXX", ["/c", b"hello"], TransferEncodingError),
        (CHUNKED + b"0\r\n\r\n" + GARBAGE, ["/c", "end"], InvalidHeader),
        (CHUNKED + b"0\r\nBad Trailer: 1\r\n\r\n", ["/c"], InvalidHeader),
    ],
    ids=[
        "heads-bad-field",
        "heads-bad-request-line",
        "heads-incomplete-bad",
        "length-body-then-garbage",
        "length-body-then-505",
        "chunked-bad-size",
        "chunked-missing-crlf",
        "chunked-then-garbage",
        "chunked-bad-trailer",
    ],
)
def test_events_before_an_error_are_returned(
    data: bytes, expected: list[object], cls: type[HttpProcessingError]
) -> None:
    parser = RequestParser()
    assert parser.error is None
    assert shape(parser.feed(data)) == expected
    assert_failed(parser, cls)


@pytest.mark.parametrize(
    ("first", "second", "expected_first", "expected_second"),
    [
        (GET_A[:10], GET_A[10:] + GET_B + GARBAGE, [], ["/a", "end", "/b", "end"]),
        (POST_CL[:-2], b"lo" + GARBAGE, ["/p", b"hel"], [b"lo", "end"]),
        (CHUNKED + b"5\r\nhel", b"lo\r\n0\r\n\r\n\x00\r\n", ["/c", b"hel"], [b"lo", "end"]),
        (CHUNKED + b"5\r\nhel", b"lo\r\nq\r\n", ["/c", b"hel"], [b"lo"]),
    ],
    ids=["head-split", "length-body-split", "chunked-split", "chunked-split-bad-size"],
)
def test_split_error_after_events_in_the_second_piece(
    first: bytes, second: bytes, expected_first: list[object], expected_second: list[object]
) -> None:
    parser = RequestParser()
    assert shape(parser.feed(first)) == expected_first
    assert parser.error is None
    assert shape(parser.feed(second)) == expected_second
    assert_failed(parser, BadHttpMessage)


@pytest.mark.parametrize(
    "data",
    [
        GARBAGE,
        b"\x00\r\n",
        CHUNKED[:-4] + b"\r\nContent-Length: 1\r\n\r\n",
        b"GET / HTTP/1.1\r\n\n",
    ],
)
def test_error_before_any_event_raises_at_once(data: bytes) -> None:
    parser = RequestParser()
    with pytest.raises(BadHttpMessage) as exc:
        parser.feed(data)
    assert parser.error is exc.value
    assert_failed(parser, BadHttpMessage)


def test_error_in_a_later_call_with_no_new_event_raises() -> None:
    parser = RequestParser()
    assert shape(parser.feed(CHUNKED + b"5\r\nhello")) == ["/c", b"hello"]
    with pytest.raises(TransferEncodingError):
        parser.feed(b"\r\nzz\r\n")
    assert_failed(parser, TransferEncodingError)


def test_feed_eof_after_recorded_error() -> None:
    parser = RequestParser()
    parser.feed(GET_A + GARBAGE)
    assert isinstance(parser.error, InvalidHeader)
    with pytest.raises(InvalidHeader):
        parser.feed_eof()


# -- trailers ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORBIDDEN_TRAILERS))
@pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
def test_forbidden_trailer_fields_rejected(name: str, spelling: object) -> None:
    assert callable(spelling)
    field = f"{spelling(name)}: 1\r\n".encode()
    data = CHUNKED + b"3\r\nabc\r\n0\r\n" + field + b"\r\n" + GET_A
    whole = RequestParser()
    assert shape(whole.feed(data)) == ["/c", b"abc"]  # the body, then the error
    assert_failed(whole, InvalidHeader)
    assert whole.error is not None
    assert whole.error.status == 400
    with pytest.raises(InvalidHeader):
        feed_bytewise(RequestParser(), data)


def feed_bytewise(parser: RequestParser, data: bytes) -> list[Event]:
    events: list[Event] = []
    for i in range(len(data)):
        events += parser.feed(data[i : i + 1])
    return events


def test_framing_fields_are_forbidden_in_trailers() -> None:
    assert {"content-length", "transfer-encoding", "host", "trailer"} <= FORBIDDEN_TRAILERS


def test_other_trailer_fields_are_kept_apart() -> None:
    data = CHUNKED + b"0\r\nX-Checksum: 42\r\nContent-Type: text/plain\r\nVary: *\r\n\r\n"
    events = RequestParser().feed(data)
    head, end = events
    assert isinstance(head, RequestHead)
    assert isinstance(end, EndOfMessage)
    assert dict(end.trailers) == {"X-Checksum": "42", "Content-Type": "text/plain", "Vary": "*"}
    assert "X-Checksum" not in head.headers


def test_end_of_message_is_immutable() -> None:
    end = RequestParser().feed(GET_A)[1]
    assert isinstance(end, EndOfMessage)
    with pytest.raises(AttributeError):
        end.trailers = end.trailers  # type: ignore[misc]


# -- one whole head per buffer (the fast path) agrees with the general path -----------------


def whole_and_bytewise(data: bytes, **kwargs: int) -> list[Event]:
    whole = RequestParser(**kwargs).feed(data)
    pieces = feed_bytewise(RequestParser(**kwargs), data)

    def key(events: list[Event]) -> list[object]:
        out: list[object] = []
        for e in events:
            if isinstance(e, RequestHead):
                out.append((e.method, e.target, e.raw_headers, e.content_length, e.chunked))
            elif isinstance(e, EndOfMessage):
                out.append(("end", tuple(e.trailers.items())))
            elif out and isinstance(out[-1], bytes):
                out[-1] += e
            else:
                out.append(e)
        return out

    assert key(whole) == key(pieces)
    return whole


def test_trailing_whitespace_in_a_lone_head() -> None:
    [head, _] = whole_and_bytewise(b"GET / HTTP/1.1\r\nA: 1 \t\r\nB:\t\r\nC:2\r\n\r\n")
    assert isinstance(head, RequestHead)
    assert head.raw_headers == ((b"A", b"1"), (b"B", b""), (b"C", b"2"))


def test_body_that_looks_like_a_head() -> None:
    body = b"X-Evil: 1\r\n\r\n"
    data = b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    head, got, end = whole_and_bytewise(data)
    assert isinstance(head, RequestHead)
    assert "X-Evil" not in head.headers
    assert got == body
    assert isinstance(end, EndOfMessage)


def test_body_of_empty_lines() -> None:
    data = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n\r\n"
    assert [type(e) for e in whole_and_bytewise(data)] == [RequestHead, bytes, EndOfMessage]


def test_two_heads_in_one_buffer() -> None:
    events = whole_and_bytewise(GET_A + b"\r\n" + GET_B)  # and an empty line between
    assert shape(events) == ["/a", "end", "/b", "end"]


def test_lone_head_at_the_limits() -> None:
    fields = b"".join(b"F%d: v\r\n" % i for i in range(10))
    data = b"GET / HTTP/1.1\r\n" + fields + b"\r\n"
    head = whole_and_bytewise(data, max_headers=10)[0]
    assert isinstance(head, RequestHead)
    assert len(head.headers) == 10
    with pytest.raises(TooManyHeaders):
        RequestParser(max_headers=9).feed(data)
    long = b"GET / HTTP/1.1\r\nX: " + b"v" * 97 + b"\r\n\r\n"
    assert len(whole_and_bytewise(long, max_field_size=100)) == 2


def test_empty_lines_before_a_lone_head() -> None:
    parser = RequestParser()
    assert parser.feed(b"\r\n\r\n") == []
    assert shape(parser.feed(GET_A)) == ["/a", "end"]
    assert shape(parser.feed(GET_B)) == ["/b", "end"]


def test_raw_headers_built_on_access_match_headers() -> None:
    head = RequestParser().feed(b"GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\nx-a: \xff\r\n\r\n")[0]
    assert isinstance(head, RequestHead)
    assert head.raw_headers == ((b"X-A", b"caf\xc3\xa9"), (b"x-a", b"\xff"))
    assert head.raw_headers is head.raw_headers  # built once
    assert head.headers.getall("X-A") == ["café", "\udcff"]


def test_request_head_public_constructor() -> None:
    src = RequestParser().feed(GET_A)[0]
    assert isinstance(src, RequestHead)
    copy = RequestHead(
        src.method,
        src.target,
        src.version,
        src.headers,
        src.raw_headers,
        should_close=src.should_close,
        upgrade=src.upgrade,
        chunked=src.chunked,
        content_length=src.content_length,
        compression=src.compression,
    )
    assert copy.raw_headers == ((b"Host", b"x"),)
    assert str(copy.url) == "/a"


@pytest.mark.parametrize(
    "data",
    [
        GET_A,  # the one-head path
        GET_A + GET_B,  # the general path
        b"GET / HTTP/1.1\r\n\r\n",  # no fields
        POST_CL,
        CHUNKED,
    ],
)
def test_parsed_heads_set_every_slot(data: bytes) -> None:
    for event in RequestParser().feed(data) + RequestParser().feed(bytearray(data)):
        if isinstance(event, RequestHead):
            for slot in RequestHead.__slots__:
                assert hasattr(event, slot), slot
