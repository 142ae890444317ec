"""RequestParser: events, message fields, bodies, pipelining, limits and every rejection."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDictProxy

from aioweb.http import (
    BadHttpMessage,
    BadStatusLine,
    EndOfMessage,
    HeaderFieldTooLarge,
    HttpProcessingError,
    HttpVersion10,
    HttpVersion11,
    InvalidHeader,
    LineTooLong,
    MethodNotImplemented,
    PayloadTooLarge,
    RequestHead,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedTransferCoding,
    UnsupportedVersion,
)
from aioweb.http.parser import MAX_CHUNK_LINE, MAX_EMPTY_LINES, RequestParser

Events = list[RequestHead | bytes | EndOfMessage]


def feed(data: bytes, **kwargs: Any) -> Events:
    return RequestParser(**kwargs).feed(data)


def feed_bytewise(data: bytes, **kwargs: Any) -> Events:
    parser = RequestParser(**kwargs)
    events: Events = []
    for i in range(len(data)):
        events += parser.feed(data[i : i + 1])
    return events


def head_of(data: bytes, **kwargs: Any) -> RequestHead:
    event = feed(data, **kwargs)[0]
    assert isinstance(event, RequestHead)
    return event


def summary(events: Events) -> list[Any]:
    """Events with adjacent body pieces joined (splits make different pieces)."""
    out: list[Any] = []
    for e in events:
        if isinstance(e, bytes):
            if out and isinstance(out[-1], bytes):
                out[-1] += e
            else:
                out.append(e)
        elif isinstance(e, RequestHead):
            out.append(("head", e.method, e.target, e.version, tuple(e.raw_headers)))
        else:
            out.append(("end", tuple(e.trailers.items())))
    return out


def feed_then_raise(parser: RequestParser, data: bytes) -> None:
    """Feed ``data``, then raise the error the parser recorded, if any."""
    parser.feed(data)
    parser.feed(b"")  # after a failure, every call raises


def rejects(data: bytes, cls: type[HttpProcessingError], status: int, **kwargs: Any) -> str:
    """``data`` is rejected with ``cls``/``status``, fed whole and byte by byte.

    Fed whole, an error after a complete head is recorded and raised by the next call.
    """
    with pytest.raises(cls) as whole:
        feed_then_raise(RequestParser(**kwargs), data)
    assert whole.value.status == status
    with pytest.raises(cls) as split:
        feed_bytewise(data, **kwargs)
    assert split.value.status == status
    return whole.value.reason


GET = b"GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"


# -- the basic shape ---------------------------------------------------------------------


def test_simple_get_events() -> None:
    events = feed(GET)
    assert len(events) == 2
    head, end = events
    assert isinstance(head, RequestHead)
    assert isinstance(end, EndOfMessage)
    assert end.trailers == {}
    assert head.method == "GET"
    assert head.target == "/path?q=1"
    assert head.version == HttpVersion11
    assert isinstance(head.headers, CIMultiDictProxy)
    assert head.headers["host"] == "example.com"
    assert head.raw_headers == ((b"Host", b"example.com"), (b"Accept", b"*/*"))
    assert head.should_close is False
    assert head.upgrade is False
    assert head.chunked is False
    assert head.content_length is None
    assert head.compression is None
    assert not head.has_body
    assert str(head.url) == "/path?q=1"
    assert head.url.query["q"] == "1"


def test_no_headers_at_all() -> None:
    head = head_of(b"GET / HTTP/1.1\r\n\r\n")
    assert len(head.headers) == 0
    assert head.raw_headers == ()


def test_headers_are_immutable() -> None:
    head = head_of(GET)
    with pytest.raises(TypeError):
        head.headers["X"] = "y"  # type: ignore[index]


def test_duplicate_fields_kept_in_order() -> None:
    head = head_of(b"GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nX-B: 3\r\n\r\n")
    assert head.headers.getall("X-A") == ["1", "2"]
    assert [n for n, _ in head.raw_headers] == [b"X-A", b"x-a", b"X-B"]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        (b"X: v", "v"),
        (b"X:v", "v"),
        (b"X: \t v \t ", "v"),
        (b"X:", ""),
        (b"X:   ", ""),
        (b"X: a  b", "a  b"),
        (b"X: a\tb", "a\tb"),
        (b'X: "quoted", \\x', '"quoted", \\x'),
    ],
)
def test_optional_whitespace_stripped(line: bytes, value: str) -> None:
    head = head_of(b"GET / HTTP/1.1\r\n" + line + b"\r\n\r\n")
    assert head.headers["X"] == value
    assert head.raw_headers[0][1] == value.encode()


@pytest.mark.parametrize("split", [False, True])
def test_obs_text_read_as_utf8_with_surrogates_as_aiohttp(split: bool) -> None:
    data = b"GET / HTTP/1.1\r\nX: caf\xc3\xa9 \xff\r\nY: plain\r\n\r\n"
    if split:  # the incremental path decodes the same way
        parser = RequestParser()
        events = [e for i in range(len(data)) for e in parser.feed(data[i : i + 1])]
        head = events[0]
        assert isinstance(head, RequestHead)
    else:
        head = head_of(data)
    # UTF-8 is read as text, other bytes become lone surrogates (aiohttp's headers)
    assert head.headers["X"] == "café \udcff"
    assert head.headers["Y"] == "plain"
    assert head.raw_headers[0][1] == b"caf\xc3\xa9 \xff"  # the bytes sent, back


@pytest.mark.parametrize(
    ("field", "cls"),
    [
        (b"Transfer-Encoding: \x80chunked", TransferEncodingError),
        (b"Transfer-Encoding: chunked\xc3\xa9", TransferEncodingError),
        (b"Content-Length: \xc2\xb2", BadHttpMessage),  # a superscript two, in UTF-8
        (b"Content-Length: 1\xff", BadHttpMessage),
    ],
)
def test_non_ascii_framing_values_are_400(field: bytes, cls: type[HttpProcessingError]) -> None:
    """Values read as UTF-8 (lone surrogates for other bytes) still fail the ABNF checks."""
    rejects(b"POST / HTTP/1.1\r\n" + field + b"\r\n\r\n", cls, 400)


@pytest.mark.parametrize(
    ("data", "version", "close"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", HttpVersion11, False),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", HttpVersion11, True),
        (b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", HttpVersion11, True),
        (b"GET / HTTP/1.1\r\nConnection: keep-alive, CLOSE\r\n\r\n", HttpVersion11, True),
        (b"GET / HTTP/1.1\r\nConnection: foo,  close ,bar\r\n\r\n", HttpVersion11, True),
        (b"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", HttpVersion11, False),
        (b"GET / HTTP/1.0\r\n\r\n", HttpVersion10, True),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", HttpVersion10, False),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", HttpVersion10, False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", HttpVersion10, True),
        # several Connection lines are one list (RFC 9110 5.3), as llhttp reads them
        (
            b"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
            HttpVersion11,
            True,
        ),
        (b"GET / HTTP/1.1\r\nConnection: foo\r\nConnection: close\r\n\r\n", HttpVersion11, True),
        (
            b"GET / HTTP/1.1\r\nConnection: close\r\nX: y\r\nConnection: foo\r\n\r\n",
            HttpVersion11,
            True,
        ),
        (b"GET / HTTP/1.1\r\nConnection: foo\r\nConnection: bar\r\n\r\n", HttpVersion11, False),
        (
            b"GET / HTTP/1.0\r\nConnection: foo\r\nConnection: keep-alive\r\n\r\n",
            HttpVersion10,
            False,
        ),
    ],
)
def test_should_close(data: bytes, version: Any, close: bool) -> None:
    head = head_of(data)
    assert head.version == version
    assert head.should_close is close
    # the same through the general path (a body follows) and byte by byte
    with_body = data[:-2] + b"Content-Length: 1\r\n\r\nx"
    assert head_of(with_body).should_close is close
    (split,) = [e for e in feed_bytewise(data) if isinstance(e, RequestHead)]
    assert split.should_close is close


@pytest.mark.parametrize(
    "fields",
    [
        b"Connection: upgrade\r\nUpgrade: websocket\r\n",
        b"Connection: keep-alive\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n",
        b"Connection: foo\r\nUpgrade: websocket\r\nConnection: upgrade\r\n",
    ],
)
def test_upgrade_asked_over_several_connection_lines(fields: bytes) -> None:
    head = head_of(b"GET / HTTP/1.1\r\nHost: h\r\n" + fields + b"\r\n")
    assert head.upgrade


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("x-gzip", "x-gzip"),
        ("deflate", "deflate"),
        ("br", "br"),
        ("zstd", "zstd"),
        (" gzip ", "gzip"),
        ("identity", None),
        ("compress", None),
        ("gzip, br", None),
    ],
)
def test_compression(value: str, expected: str | None) -> None:
    head = head_of(f"POST / HTTP/1.1\r\nContent-Encoding: {value}\r\n\r\n".encode())
    assert head.compression == expected


# -- request targets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/"),
        ("GET", "/a/b?c=d&e#frag"),
        ("GET", "/%20?x=%C3%A9"),
        ("GET", "http://example.com/x?y"),
        ("GET", "https://user@example.com:8443"),
        ("OPTIONS", "*"),
        ("OPTIONS", "/x"),
        ("CONNECT", "example.com:443"),
        ("CONNECT", "[::1]:8080"),
        ("CONNECT", "10.0.0.1:1"),
    ],
)
def test_target_forms_accepted(method: str, target: str) -> None:
    head = head_of(f"{method} {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert head.method == method
    assert head.target == target


def test_absolute_form_url() -> None:
    head = head_of(b"GET http://example.com:81/p?q=1 HTTP/1.1\r\n\r\n")
    assert head.url.host == "example.com"
    assert head.url.port == 81
    assert head.url.path == "/p"


@pytest.mark.parametrize(
    "line",
    [
        b"GET * HTTP/1.1",
        b"GET example.com:443 HTTP/1.1",
        b"GET example.com HTTP/1.1",
        b"GET ?x HTTP/1.1",
        b"CONNECT / HTTP/1.1",
        b"CONNECT example.com HTTP/1.1",
        b"CONNECT http://example.com:443 HTTP/1.1",
        b"CONNECT example.com:443x HTTP/1.1",
        b"GET /a\x7fb HTTP/1.1",
        b"GET /caf\xc3\xa9 HTTP/1.1",
        b"GET /a\x00 HTTP/1.1",
        b"GET /a\tb HTTP/1.1",
    ],
)
def test_bad_targets(line: bytes) -> None:
    rejects(line + b"\r\n\r\n", BadStatusLine, 400)


@pytest.mark.parametrize(
    "line",
    [
        # absolute-form authorities that could not form the request's URL (yarl raises)
        b"GET http://x:99999/ HTTP/1.1",
        b"GET http://x:65536/ HTTP/1.1",
        b"GET http://x:abc/ HTTP/1.1",
        b"GET http://[zz/ HTTP/1.1",
        b"GET http://[::1::2]/ HTTP/1.1",
        b"GET http://u@x:99999/ HTTP/1.1",
        # not a host at all, or an empty one (RFC 9110 4.2.1)
        b"GET http:///p HTTP/1.1",
        b"GET http://:80/p HTTP/1.1",
        b"GET http://a\\b/ HTTP/1.1",
        b"GET http://a%zz/ HTTP/1.1",
        b"CONNECT example.com:99999 HTTP/1.1",
        b"CONNECT [::1::2]:80 HTTP/1.1",
    ],
)
def test_bad_target_authorities(line: bytes) -> None:
    reason = rejects(line + b"\r\nHost: x\r\n\r\n", BadStatusLine, 400)
    assert "target" in reason


@pytest.mark.parametrize(
    "target",
    ["http://x:65535/", "http://[::1]:80/p", "http://u:p@x/", "http://xn--9ca.com/", "http://x:/"],
)
def test_absolute_form_authorities_accepted(target: str) -> None:
    head = head_of(f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert head.url.host is not None
    assert head.url.port is not None


# -- request line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        b"GET  / HTTP/1.1",
        b"GET /  HTTP/1.1",
        b" GET / HTTP/1.1",
        b"GET / HTTP/1.1 ",
        b"GET\t/ HTTP/1.1",
        b"GET /\tHTTP/1.1",
        b"GET / HTTP/1.1 extra",
        b"GET /",
        b"GET",
        b"G@T / HTTP/1.1",
        b"GE(T / HTTP/1.1",
        b"G\x00ET / HTTP/1.1",
        b"G\xc3\x89T / HTTP/1.1",
        b"GET / http/1.1",
        b"GET / HTTP/1",
        b"GET / HTTP/1.1.1",
        b"GET / HTTP/11",
        b"GET / HTTP/1.x",
        b"GET / HTTP/\xd9\xa1.\xd9\xa1",
        b"GET / HTTP/\xef\xbc\x91.1",
        b"GET / HTTPS/1.1",
        b"GET / HTTP/1.10",
    ],
)
def test_malformed_request_line(line: bytes) -> None:
    rejects(line + b"\r\n\r\n", BadStatusLine, 400)


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/1.2", b"HTTP/0.9", b"HTTP/3.0"])
def test_unsupported_version(version: bytes) -> None:
    rejects(b"GET / " + version + b"\r\n\r\n", UnsupportedVersion, 505)


@pytest.mark.parametrize(
    "method", ["PROPFIND", "M-SEARCH", "X_CUSTOM.1", "get", "A!#$%&'*+-.^_`|~"]
)
def test_any_token_method(method: str) -> None:
    assert head_of(f"{method} / HTTP/1.1\r\n\r\n".encode()).method == method


def test_methods_filter() -> None:
    allowed = {"GET", "POST"}
    assert head_of(GET, methods=allowed).method == "GET"
    rejects(b"PUT / HTTP/1.1\r\n\r\n", MethodNotImplemented, 501, methods=allowed)
    rejects(b"get / HTTP/1.1\r\n\r\n", MethodNotImplemented, 501, methods=allowed)


def test_empty_lines_before_request_ignored() -> None:
    data = b"\r\n" * MAX_EMPTY_LINES + GET
    assert summary(feed(data)) == summary(feed(GET))
    assert summary(feed_bytewise(data)) == summary(feed(GET))


def test_too_many_empty_lines() -> None:
    rejects(b"\r\n" * (MAX_EMPTY_LINES + 1) + GET, BadHttpMessage, 400)


def test_bare_lf_before_request_rejected() -> None:
    rejects(b"\n" + GET, BadHttpMessage, 400)
    rejects(b"\r\r\n" + GET, BadHttpMessage, 400)


# -- header fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        b"X : v",
        b"X\t: v",
        b" X: v",
        b"\tX: v",
        b": v",
        b"X v",
        b"X",
        b"X@: v",
        b"X(: v",
        b"X\x00: v",
        b"\xc3\x89: v",
        b"X: a\x00b",
        b"X: a\x01",
        b"X: a\x0bb",
        b"X: a\x0cb",
        b"X: a\x1fb",
        b"X: a\x7fb",
        b"X: a\rb",
        b"X: a\nb",
        b"X: a\r b",
    ],
)
def test_invalid_field_lines(line: bytes) -> None:
    rejects(b"GET / HTTP/1.1\r\nHost: h\r\n" + line + b"\r\nA: b\r\n\r\n", InvalidHeader, 400)


@pytest.mark.parametrize("fold", [b" folded", b"\tfolded", b"  ", b"\t"])
def test_obs_fold_rejected(fold: bytes) -> None:
    rejects(b"GET / HTTP/1.1\r\nX: a\r\n" + fold + b"\r\n\r\n", InvalidHeader, 400)


def test_duplicate_host_rejected() -> None:
    rejects(b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", InvalidHeader, 400)
    rejects(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", InvalidHeader, 400)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n\n",
        b"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
        b"GET / HTTP/1.1\rHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
        b"GET / HTTP/1.1\n\n",
    ],
)
def test_bare_cr_or_lf_rejected(data: bytes) -> None:
    with pytest.raises(BadHttpMessage):
        RequestParser().feed(data)
    with pytest.raises(BadHttpMessage):
        feed_bytewise(data)


# -- Content-Length ----------------------------------------------------------------------


def test_content_length_body() -> None:
    data = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
    events = feed(data)
    assert events[1:] == [b"hello", events[2]]
    assert isinstance(events[2], EndOfMessage)
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.content_length == 5
    assert head.has_body
    assert summary(feed_bytewise(data)) == summary(events)


def test_content_length_zero_has_no_body() -> None:
    events = feed(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    assert len(events) == 2
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.content_length == 0
    assert not head.has_body


def test_body_split_across_feeds() -> None:
    parser = RequestParser()
    events = parser.feed(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
    assert events[1:] == [b"abc"]
    assert parser.feed(b"defg") == [b"defg"]
    events = parser.feed(b"hij" + GET)
    assert events[0] == b"hij"
    assert isinstance(events[1], EndOfMessage)
    assert isinstance(events[2], RequestHead)
    assert isinstance(events[3], EndOfMessage)


@pytest.mark.parametrize(
    ("values", "length"),
    [
        ([b"0"], 0),
        ([b"007"], 7),
        ([b" 7 "], 7),
        ([b"7", b"7"], 7),
        ([b"7, 7"], 7),
        ([b"7,7", b"7"], 7),
        ([b"9223372036854775807"], 2**63 - 1),
    ],
)
def test_content_length_values(values: list[bytes], length: int) -> None:
    fields = b"".join(b"Content-Length: " + v + b"\r\n" for v in values)
    head = head_of(b"PUT / HTTP/1.1\r\n" + fields + b"\r\n")
    assert head.content_length == length


@pytest.mark.parametrize(
    "values",
    [
        [b""],
        [b"+5"],
        [b"-5"],
        [b"5 5"],
        [b"1_0"],
        [b"0x10"],
        [b"5.0"],
        [b"1e3"],
        [b"5", b"6"],
        [b"5, 6"],
        [b"5,"],
        [b",5"],
        [b"\xef\xbc\x91\xef\xbc\x92"],  # fullwidth digits
        [b"\xd9\xa3"],  # Arabic-Indic three
        [b"99999999999999999999"],
        [b"9223372036854775808"],
    ],
)
def test_bad_content_length(values: list[bytes]) -> None:
    fields = b"".join(b"Content-Length: " + v + b"\r\n" for v in values)
    rejects(b"PUT / HTTP/1.1\r\n" + fields + b"\r\n", BadHttpMessage, 400)


def test_max_body_size_content_length() -> None:
    ok = b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n" + b"x" * 10
    assert summary(feed(ok, max_body_size=10))[1] == b"x" * 10
    rejects(
        b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", PayloadTooLarge, 413, max_body_size=10
    )


# -- chunked -----------------------------------------------------------------------------

CHUNKED = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"


def test_chunked_body() -> None:
    data = CHUNKED + b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
    events = feed(data)
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.chunked
    assert head.has_body
    assert head.content_length is None
    assert events[1:3] == [b"hello", b" world"]
    end = events[3]
    assert isinstance(end, EndOfMessage)
    assert end.trailers == {}
    assert summary(feed_bytewise(data)) == summary(events)


def test_chunked_with_trailers() -> None:
    data = CHUNKED + b"3\r\nabc\r\n0\r\nX-Checksum: 42\r\nX-Other:  a b \r\n\r\n"
    events = feed(data)
    end = events[-1]
    assert isinstance(end, EndOfMessage)
    assert dict(end.trailers) == {"X-Checksum": "42", "X-Other": "a b"}
    assert summary(feed_bytewise(data)) == summary(events)


@pytest.mark.parametrize(
    "size_line",
    [b"a", b"A", b"00000000000000a", b"10;name", b"10 ; name = value", b'10;n="q \\" ;x";m=v'],
)
def test_chunk_size_lines(size_line: bytes) -> None:
    size = int(size_line.split(b";")[0], 16)
    data = CHUNKED + size_line + b"\r\n" + b"x" * size + b"\r\n0\r\n\r\n"
    assert summary(feed(data))[1] == b"x" * size


def test_last_chunk_with_extension() -> None:
    events = feed(CHUNKED + b"0;last=yes\r\n\r\n")
    assert isinstance(events[-1], EndOfMessage)


@pytest.mark.parametrize(
    "size_line",
    [
        b"",
        b" 5",
        b"5 ",
        b"+5",
        b"-5",
        b"0x5",
        b"5;",
        b"5;=v",
        b"5;n=",
        b'5;n="unterminated',
        b"5;n=a b",
        b"5;n=\x00",
        b"5;n=\x7f",
        b"5;n\rx",
        b"5;n=\xc3\xa9",  # not a token, and not quoted
        b"\xd9\xa5",  # Arabic-Indic five
        b"\xef\xbc\x95",  # fullwidth five
        b"g",
        b"12345678901234567",  # 17 hex digits
        b"8000000000000000",  # 2**63
    ],
)
def test_bad_chunk_size_lines(size_line: bytes) -> None:
    rejects(CHUNKED + size_line + b"\r\nhello\r\n0\r\n\r\n", TransferEncodingError, 400)


@pytest.mark.parametrize(
    "body",
    [
        b"5\r\nhelloX\r\n0\r\n\r\n",  # more data than the size says
        b"5\r\nhell\r\n0\r\n\r\n",  # less (the CRLF is eaten as data, then garbage)
        b"5\r\nhello\n0\r\n\r\n",
        b"5\r\nhello\r0\r\n\r\n",
        b"5\nhello\r\n0\r\n\r\n",
        b"5\r\nhello\r\n0\n\r\n",
    ],
)
def test_chunk_framing_errors(body: bytes) -> None:
    rejects(CHUNKED + body, TransferEncodingError, 400)


@pytest.mark.parametrize(
    "trailer",
    [b" X: y", b"X : y", b"X", b"X: a\x00", b"X: a\rb", b"@: y", b"X: y\n"],
)
def test_bad_trailers(trailer: bytes) -> None:
    rejects(CHUNKED + b"0\r\n" + trailer + b"\r\n\r\n", InvalidHeader, 400)


def test_chunk_line_too_long() -> None:
    rejects(
        CHUNKED + b"5;" + b"a" * MAX_CHUNK_LINE + b"\r\nhello\r\n0\r\n\r\n",
        TransferEncodingError,
        400,
    )


def test_max_body_size_chunked() -> None:
    body = b"5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"
    assert summary(feed(CHUNKED + body, max_body_size=10))[1] == b"helloworld"
    rejects(CHUNKED + body, PayloadTooLarge, 413, max_body_size=9)


# -- Transfer-Encoding -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        [b"chunked"],
        [b"Chunked"],
        [b"CHUNKED"],
        [b" chunked "],
        [b", chunked"],
        [b"chunked,"],
    ],
)
def test_transfer_encoding_chunked_accepted(fields: list[bytes]) -> None:
    te = b"".join(b"Transfer-Encoding: " + f + b"\r\n" for f in fields)
    events = feed(b"POST / HTTP/1.1\r\n" + te + b"\r\n0\r\n\r\n")
    assert isinstance(events[0], RequestHead)
    assert events[0].chunked


@pytest.mark.parametrize(
    ("fields", "cls", "status"),
    [
        ([b"chunked, chunked"], TransferEncodingError, 400),
        ([b"chunked", b"chunked"], TransferEncodingError, 400),
        ([b"chunked, gzip"], TransferEncodingError, 400),
        ([b"chunked", b"gzip"], TransferEncodingError, 400),
        ([b"chunked;q=1"], TransferEncodingError, 400),
        ([b""], TransferEncodingError, 400),
        ([b"chun ked"], TransferEncodingError, 400),
        ([b"gzip"], UnsupportedTransferCoding, 501),
        ([b"identity"], UnsupportedTransferCoding, 501),
        ([b"gzip, chunked"], UnsupportedTransferCoding, 501),
        ([b"pigeons"], UnsupportedTransferCoding, 501),
        ([b"chunkedchunked"], UnsupportedTransferCoding, 501),
    ],
)
def test_transfer_encoding_rejected(
    fields: list[bytes], cls: type[HttpProcessingError], status: int
) -> None:
    te = b"".join(b"Transfer-Encoding: " + f + b"\r\n" for f in fields)
    rejects(b"POST / HTTP/1.1\r\n" + te + b"\r\n0\r\n\r\n", cls, status)


def test_transfer_encoding_on_http10_rejected() -> None:
    rejects(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", BadHttpMessage, 400)


def test_transfer_encoding_with_content_length_rejected() -> None:
    rejects(
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        BadHttpMessage,
        400,
    )


# -- pipelining, upgrade, CONNECT --------------------------------------------------------


def test_pipelined_requests_in_order() -> None:
    data = (
        GET
        + b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        + CHUNKED
        + b"2\r\nhi\r\n0\r\n\r\n"
        + b"GET /last HTTP/1.0\r\n\r\n"
    )
    events = feed(data)
    heads = [e for e in events if isinstance(e, RequestHead)]
    assert [h.target for h in heads] == ["/path?q=1", "/a", "/", "/last"]
    assert sum(isinstance(e, EndOfMessage) for e in events) == 4
    assert summary(feed_bytewise(data)) == summary(events)


def test_websocket_upgrade_switches_to_passthrough() -> None:
    parser = RequestParser()
    data = (
        b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
        b"Upgrade: websocket\r\n\r\n\x81\x05hello"
    )
    events = parser.feed(data)
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.upgrade
    assert isinstance(events[1], EndOfMessage)
    assert events[2:] == [b"\x81\x05hello"]
    assert parser.upgraded
    assert parser.feed(b"GET / HTTP/1.1\r\n\r\n") == [b"GET / HTTP/1.1\r\n\r\n"]
    assert parser.feed(b"") == []
    assert parser.feed_eof() == []


@pytest.mark.parametrize(
    "first",
    [
        b"GET /a HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        b"POST /a HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nhi",
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    ],
    ids=["h2c", "with-body", "connect"],
)
@pytest.mark.parametrize("bytewise", [False, True])
def test_declined_upgrade_parses_what_followed_as_requests(first: bytes, bytewise: bool) -> None:
    parser = RequestParser()
    rest = b"GET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HT"
    held = [e for e in parser.feed(first + rest) if type(e) is bytes and e != b"hi"]
    assert parser.upgraded
    assert b"".join(held) == rest
    parser.decline_upgrade()
    assert not parser.upgraded
    if bytewise:
        events = [e for i in range(len(rest)) for e in parser.feed(rest[i : i + 1])]
    else:
        events = parser.feed(rest)
    assert summary(events) == summary(feed(b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"))
    events = parser.feed(b"TP/1.1\r\n\r\n")
    assert isinstance(events[0], RequestHead)
    assert events[0].target == "/c"


def test_decline_upgrade_needs_an_upgrade() -> None:
    parser = RequestParser()
    parser.feed(GET)
    with pytest.raises(RuntimeError):
        parser.decline_upgrade()


def test_upgrade_needs_both_headers() -> None:
    assert not head_of(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n").upgrade
    assert not head_of(b"GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n").upgrade
    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
    assert not parser.upgraded


def test_upgrade_after_body() -> None:
    parser = RequestParser()
    events = parser.feed(
        b"POST / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 3\r\n\r\nabcRAW"
    )
    assert events[1:] == [b"abc", events[2], b"RAW"]
    assert parser.upgraded


def test_connect_tunnel() -> None:
    parser = RequestParser()
    events = parser.feed(b"CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nTLS..")
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.method == "CONNECT"
    assert not head.has_body  # a CONNECT request has no content
    assert isinstance(events[1], EndOfMessage)
    assert events[2:] == [b"TLS.."]
    assert parser.upgraded


# -- limits ------------------------------------------------------------------------------


def test_request_line_limit() -> None:
    line = b"GET /" + b"a" * 8185 + b" HTTP/1.1\r\n\r\n"  # 8199 bytes with CRLF
    rejects(line, LineTooLong, 414)
    ok = b"GET /" + b"a" * 20 + b" HTTP/1.1\r\n\r\n"
    assert head_of(ok, max_line_size=len(ok) - 4).target == "/" + "a" * 20
    rejects(ok, LineTooLong, 414, max_line_size=len(ok) - 5)


def test_field_size_limit() -> None:
    line = b"X: " + b"v" * 97  # 100 bytes
    data = b"GET / HTTP/1.1\r\n" + line + b"\r\n\r\n"
    assert head_of(data, max_field_size=100).headers["X"] == "v" * 97
    rejects(data, HeaderFieldTooLarge, 431, max_field_size=99)


def test_field_size_limit_with_many_small_fields() -> None:
    fields = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 50) for i in range(100))
    assert len(head_of(b"GET / HTTP/1.1\r\n" + fields + b"\r\n", max_field_size=60).headers) == 100
    big = fields + b"Y: " + b"v" * 60 + b"\r\n"
    rejects(b"GET / HTTP/1.1\r\n" + big + b"\r\n", HeaderFieldTooLarge, 431, max_field_size=60)


def test_header_count_limit() -> None:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(10))
    assert len(head_of(b"GET / HTTP/1.1\r\n" + fields + b"\r\n", max_headers=10).headers) == 10
    rejects(b"GET / HTTP/1.1\r\n" + fields + b"\r\n", TooManyHeaders, 431, max_headers=9)


def test_trailers_count_toward_max_headers() -> None:
    data = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nA: 1\r\n\r\n0\r\nB: 2\r\n\r\n"
    assert isinstance(feed(data, max_headers=3)[-1], EndOfMessage)
    rejects(data, TooManyHeaders, 431, max_headers=2)


def test_trailer_field_size_limit() -> None:
    data = CHUNKED + b"0\r\nX: " + b"v" * 100 + b"\r\n\r\n"
    rejects(data, HeaderFieldTooLarge, 431, max_field_size=100)


# -- end of stream and the failed state ----------------------------------------------------


def test_feed_eof_idle() -> None:
    parser = RequestParser()
    assert parser.feed_eof() == []
    parser = RequestParser()
    parser.feed(GET + b"\r\n")
    assert parser.feed_eof() == []


@pytest.mark.parametrize(
    "data",
    [
        b"G",
        b"GET / HTTP/1.1\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc",
        CHUNKED + b"5\r\nab",
        CHUNKED + b"5\r\nhello\r\n",
        CHUNKED + b"0\r\n",
        CHUNKED + b"0\r\nX: y\r\n",
    ],
)
def test_feed_eof_incomplete(data: bytes) -> None:
    parser = RequestParser()
    parser.feed(data)
    with pytest.raises(BadHttpMessage) as exc:
        parser.feed_eof()
    assert exc.value.status == 400


def test_unusable_after_error() -> None:
    parser = RequestParser()
    with pytest.raises(InvalidHeader):
        parser.feed(b"GET / HTTP/1.1\r\nX : y\r\n\r\n")
    with pytest.raises(InvalidHeader):
        parser.feed(GET)
    with pytest.raises(InvalidHeader):
        parser.feed_eof()
    assert parser.buffered == 0


def test_buffered_is_released() -> None:
    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHost:")
    assert parser.buffered == len(b"GET / HTTP/1.1\r\nHost:")
    parser.feed(b" a\r\n\r\n")
    assert parser.buffered == 0


def test_feed_accepts_bytearray_and_memoryview() -> None:
    expected = summary(feed(GET))
    assert summary(RequestParser().feed(bytearray(GET))) == expected
    assert summary(RequestParser().feed(memoryview(GET))) == expected
    events = RequestParser().feed(bytearray(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"))
    assert type(events[1]) is bytes
