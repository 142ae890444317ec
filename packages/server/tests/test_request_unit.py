"""Unit tests for :class:`BaseRequest` built from a parsed head, without a socket.

The request is constructed directly from a :class:`RequestHead` over a fake
transport; expected values follow aiohttp's ``BaseRequest`` documentation (and
RFC 9110 where aioweb is deliberately stricter, as noted).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import ssl
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from aioweb.http import HttpVersion, HttpVersion10, HttpVersion11
from aioweb.http.message import RequestHead
from aioweb.server import BaseRequest, RequestKey
from aioweb.server._testing import FakeTransport
from aioweb.server.headers import ETag
from aioweb.server.streams import EMPTY_PAYLOAD, StreamReader


class _Transport(FakeTransport):
    def __init__(self, peername: Any, extra: Mapping[str, Any]) -> None:
        super().__init__(peername=peername)
        self.extra = dict(extra)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name in self.extra:
            return self.extra[name]
        return super().get_extra_info(name, default)


class _Protocol:
    def __init__(self, transport: FakeTransport | None) -> None:
        self.transport = transport


def make_request(
    target: str = "/",
    headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
    *,
    method: str = "GET",
    version: HttpVersion = HttpVersion11,
    peername: Any = ("127.0.0.1", 5555),
    extra: Mapping[str, Any] | None = None,
    body: StreamReader | None = None,
    should_close: bool = False,
    content_length: int | None = None,
    transport: bool = True,
    **kwargs: Any,
) -> BaseRequest:
    head = RequestHead.build(
        method,
        target,
        headers,
        version=version,
        should_close=should_close,
        content_length=content_length,
    )
    protocol = _Protocol(_Transport(peername, extra or {}) if transport else None)
    none: Any = None  # no test here touches the writer or the task
    payload = EMPTY_PAYLOAD if body is None else body
    return BaseRequest(head, payload, protocol, none, none, **kwargs)  # type: ignore[arg-type]


def body_of(data: bytes, *pieces: bytes) -> StreamReader:
    stream = StreamReader()
    for piece in (data, *pieces):
        stream.feed_data(piece)
    stream.feed_eof()
    return stream


# -- request line, URL ------------------------------------------------------------


def test_request_line_properties() -> None:
    request = make_request("/a%20b/c?x=1&y=%C3%A9", method="PATCH", version=HttpVersion10)
    assert request.method == "PATCH"
    assert request.version == HttpVersion10
    assert request.version == (1, 0)
    assert request.raw_path == "/a%20b/c?x=1&y=%C3%A9"
    assert request.path == "/a b/c"
    assert request.query_string == "x=1&y=é"
    assert request.path_qs == "/a%20b/c?x=1&y=%C3%A9"
    assert request.rel_url == URL("/a%20b/c?x=1&y=%C3%A9")
    assert not request.rel_url.absolute


def test_url_combines_scheme_host_and_target() -> None:
    request = make_request("/p?q=1", {"Host": "example.com:8080"})
    assert request.url == URL("http://example.com:8080/p?q=1")
    assert str(request.url) == "http://example.com:8080/p?q=1"


def test_query_with_repeated_keys_and_percent_encoding() -> None:
    request = make_request("/p?a=1&a=2&b=%20x+y&c=%26%3D&empty=&flag")
    query = request.query
    assert query.getall("a") == ["1", "2"]
    assert query["a"] == "1"
    assert query["b"] == " x y"
    assert query["c"] == "&="
    assert query["empty"] == ""
    assert query["flag"] == ""
    assert [key for key, _ in query.items()] == ["a", "a", "b", "c", "empty", "flag"]
    with pytest.raises(TypeError):
        query["a"] = "x"  # type: ignore[index]


def test_query_is_empty_without_question_mark() -> None:
    request = make_request("/plain")
    assert len(request.query) == 0
    assert request.query_string == ""
    assert request.path_qs == "/plain"


def test_absolute_form_target() -> None:
    request = make_request("http://other.example:81/abs/../x?x=1", {"Host": "ignored"})
    # RFC 9112 3.2.2: the target's authority replaces Host (its host part, as aiohttp)
    assert request.host == "other.example"
    assert request.path == "/abs/../x"
    assert request.rel_url == URL("/abs/../x?x=1", encoded=True)
    assert request.query["x"] == "1"
    assert request.scheme == "http"
    # the URL is the target as sent, port and path included (as aiohttp)
    assert str(request.url) == "http://other.example:81/abs/../x?x=1"


def test_absolute_form_https_target_does_not_make_a_plain_connection_secure() -> None:
    """The target's scheme is the peer's word; the connection decides (aiohttp 3.14.5)."""
    request = make_request("https://secure.example/p", {"Host": "secure.example"})
    assert request.scheme == "http"
    assert not request.secure
    assert str(request.url) == "http://secure.example/p"


# -- host, remote, scheme --------------------------------------------------------


def test_host_from_header() -> None:
    assert make_request(headers={"Host": "Example.COM:80"}).host == "Example.COM:80"


@pytest.mark.parametrize(
    ("peername", "remote"),
    [
        (("10.0.0.1", 1234), "10.0.0.1"),
        (("::1", 1234, 0, 0), "::1"),
        ("/run/app.sock", "/run/app.sock"),
        (None, None),
    ],
)
def test_remote(peername: Any, remote: str | None) -> None:
    assert make_request(peername=peername).remote == remote


def test_remote_without_transport() -> None:
    request = make_request(transport=False)
    assert request.remote is None
    assert request.transport is None
    assert request.get_extra_info("peername", "dflt") == "dflt"


def test_scheme_from_tls() -> None:
    plain = make_request()
    assert plain.scheme == "http"
    assert not plain.secure
    context = ssl.create_default_context()
    tls = make_request(extra={"sslcontext": context})
    assert tls.scheme == "https"
    assert tls.secure
    assert tls.get_extra_info("sslcontext") is context


def test_forwarded_headers_do_not_change_host_scheme_or_remote() -> None:
    request = make_request(
        headers={
            "Host": "real",
            "Forwarded": "for=1.2.3.4;proto=https;host=fake",
            "X-Forwarded-For": "5.6.7.8",
            "X-Forwarded-Proto": "https",
        }
    )
    assert (request.host, request.scheme, request.remote) == ("real", "http", "127.0.0.1")


def test_constructor_overrides() -> None:
    request = make_request(scheme="https", host="over.example", remote="9.9.9.9")
    assert (request.scheme, request.host, request.remote) == ("https", "over.example", "9.9.9.9")
    assert request.url == URL("https://over.example/")


# -- forwarded -------------------------------------------------------------------


def fwd(*values: str) -> list[dict[str, str]]:
    headers = [("Forwarded", value) for value in values]
    return [dict(element) for element in make_request(headers=headers).forwarded]


def test_forwarded_absent() -> None:
    assert make_request().forwarded == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("for=1.2.3.4", [{"for": "1.2.3.4"}]),
        (
            'for="[::1]:80";proto=https, for=5.6.7.8',
            [{"for": "[::1]:80", "proto": "https"}, {"for": "5.6.7.8"}],
        ),
        ("For=X;BY=y", [{"for": "X", "by": "y"}]),
        ("for=1.2.3.4:80", [{"for": "1.2.3.4:80"}]),
        ('host="a\\"b"', [{"host": 'a"b'}]),
        ("for=1.2.3.4;;proto=http", [{"for": "1.2.3.4", "proto": "http"}]),
        ("for=a,,for=b", [{"for": "a"}, {}, {"for": "b"}]),
        ("for=a, bad pair, for=b", [{"for": "a"}, {}, {"for": "b"}]),
        ("bad", [{}]),
        ('for="unterminated', [{}]),
        ("for=a;proto=http;bad, for=b", [{"for": "a", "proto": "http"}, {"for": "b"}]),
        ("a=b=c", [{"a": "b"}]),
        (",", [{}, {}]),
    ],
)
def test_forwarded_odd_input(value: str, expected: list[dict[str, str]]) -> None:
    assert fwd(value) == expected


def test_forwarded_several_headers_in_order() -> None:
    assert fwd("for=a", "for=b;proto=https") == [{"for": "a"}, {"for": "b", "proto": "https"}]


def test_forwarded_elements_are_read_only() -> None:
    element = make_request(headers={"Forwarded": "for=a"}).forwarded[0]
    with pytest.raises(TypeError):
        element["for"] = "b"  # type: ignore[index]


# -- headers ---------------------------------------------------------------------


def test_headers_are_case_insensitive_and_read_only() -> None:
    request = make_request(headers=[("X-A", "1"), ("x-a", "2"), ("Host", "h")])
    assert request.headers.getall("X-A") == ["1", "2"]
    assert request.headers["host"] == "h"
    with pytest.raises(TypeError):
        request.headers["X-B"] = "3"  # type: ignore[index]
    assert request.raw_headers == ((b"X-A", b"1"), (b"x-a", b"2"), (b"Host", b"h"))


def test_keep_alive_and_content_length() -> None:
    assert make_request().keep_alive
    assert not make_request(should_close=True).keep_alive
    assert make_request().content_length is None
    assert make_request(content_length=12).content_length == 12


def test_cookies() -> None:
    request = make_request(headers={"Cookie": 'a=1; b="two"; c; a=3; =x; bad name=4'})
    # As aiohttp: the last of a repeated name wins, a bare name has an empty value.
    assert dict(request.cookies) == {"a": "3", "b": "two", "c": ""}
    with pytest.raises(TypeError):
        request.cookies["a"] = "x"  # type: ignore[index]
    assert dict(make_request().cookies) == {}


@pytest.mark.parametrize(
    ("value", "content_type", "charset"),
    [
        (None, "application/octet-stream", None),
        ("", "application/octet-stream", None),
        ("text/html; charset=UTF-8", "text/html", "UTF-8"),
        ('TEXT/Plain; Charset="latin-1"', "text/plain", "latin-1"),
        ("application/json", "application/json", None),
        ("application/json;charset", "application/json", ""),
        ("text/html; charset=utf-8; charset=latin1", "text/html", "utf-8"),
        ("text", "application/octet-stream", None),
        ("a/b/c", "application/octet-stream", None),
        (" text/html ", "text/html", None),
        ("multipart/form-data; boundary=x", "multipart/form-data", None),
    ],
)
def test_content_type_and_charset(
    value: str | None, content_type: str, charset: str | None
) -> None:
    request = make_request(headers={} if value is None else {"Content-Type": value})
    assert request.content_type == content_type
    assert request.charset == charset


# -- conditional headers ---------------------------------------------------------

NOV_6 = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.UTC)


@pytest.mark.parametrize("name", ["if_modified_since", "if_unmodified_since", "if_range"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", NOV_6),  # IMF-fixdate
        ("Sunday, 06-Nov-94 08:49:37 GMT", NOV_6),  # obsolete RFC 850
        ("Sun Nov  6 08:49:37 1994", NOV_6),  # asctime
        ("garbage", None),
        ("", None),
        ("0", None),
        ("Sun, 31 Feb 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),
        ("Sun, 06 Nov 10000 08:49:37 GMT", None),
    ],
)
def test_date_headers(name: str, value: str, expected: datetime.datetime | None) -> None:
    header = {
        "if_modified_since": "If-Modified-Since",
        "if_unmodified_since": "If-Unmodified-Since",
    }
    request = make_request(headers={header.get(name, "If-Range"): value})
    got = getattr(request, name)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None
        assert got.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("name", ["if_modified_since", "if_unmodified_since", "if_range"])
def test_date_headers_absent(name: str) -> None:
    assert getattr(make_request(), name) is None


def test_date_with_numeric_offset_is_not_taken_as_utc() -> None:
    # aiohttp reads "+0100" as UTC (an hour off); RFC 9110 dates are always GMT.
    request = make_request(headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 +0100"})
    assert request.if_modified_since != NOV_6


@pytest.mark.parametrize("name", ["if_match", "if_none_match"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", (ETag("*"),)),
        (' "*" ', (ETag("*"),)),
        ('"a"', (ETag("a"),)),
        ('W/"a", "b"', (ETag("a", is_weak=True), ETag("b"))),
        ('"a", bad, "c"', (ETag("a"),)),
        ("bad", ()),
        ('w/"a"', ()),
        ('"a" "b"', ()),
        ("", None),
    ],
)
def test_etag_headers(name: str, value: str, expected: tuple[ETag, ...] | None) -> None:
    header = "If-Match" if name == "if_match" else "If-None-Match"
    assert getattr(make_request(headers={header: value}), name) == expected


def test_etag_list_with_empty_elements() -> None:
    # RFC 9110 5.6.1: recipients accept empty list elements (aiohttp returns ()).
    request = make_request(headers={"If-None-Match": ' "a" ,, "b" '})
    assert request.if_none_match == (ETag("a"), ETag("b"))


@pytest.mark.parametrize("name", ["if_match", "if_none_match"])
def test_etag_headers_absent(name: str) -> None:
    assert getattr(make_request(), name) is None


# -- Range -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes=0-499", slice(0, 500, 1)),
        ("bytes=500-", slice(500, None, 1)),
        ("bytes=-500", slice(-500, None, 1)),
        ("bytes=0-0", slice(0, 1, 1)),
        ("bytes=5-5", slice(5, 6, 1)),
        ("BYTES=0-1", slice(0, 2, 1)),
        ("bytes=00-01", slice(0, 2, 1)),
    ],
)
def test_http_range(value: str, expected: slice) -> None:
    assert make_request(headers={"Range": value}).http_range == expected


def test_http_range_absent_is_everything() -> None:
    assert make_request().http_range == slice(None, None, 1)


@pytest.mark.parametrize(
    "value",
    [
        "bytes=5-4",
        "bytes=-",
        "bytes=1-2,3-4",
        "items=0-1",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits: ASCII digits only
        " bytes=0-1",
        "bytes= 0-1",
        "bytes=0--1",
        "",
        "bytes=-0",  # a zero-length suffix is unsatisfiable (aiohttp: whole body)
    ],
)
def test_http_range_invalid_raises_value_error(value: str) -> None:
    request = make_request(headers={"Range": value})
    with pytest.raises(ValueError):
        request.http_range  # noqa: B018


# -- body ------------------------------------------------------------------------


async def test_no_body() -> None:
    request = make_request()
    assert not request.body_exists
    assert not request.can_read_body
    assert request.content is EMPTY_PAYLOAD
    assert await request.read() == b""
    assert await request.text() == ""


def readable(request: BaseRequest) -> bool:
    # A call, so that mypy does not narrow the property between two checks.
    return request.can_read_body


async def test_read_text_json() -> None:
    payload = {"k": ["v", 1]}
    raw = json.dumps(payload).encode()
    request = make_request(
        method="POST",
        headers={"Content-Type": "application/json"},
        body=body_of(raw[:3], raw[3:]),
    )
    assert request.body_exists
    assert readable(request)
    assert await request.json() == payload
    assert not readable(request)
    assert await request.read() == raw  # cached
    assert await request.text() == raw.decode()


async def test_text_uses_the_charset() -> None:
    request = make_request(
        headers={"Content-Type": "text/plain; charset=latin-1"}, body=body_of("é".encode("latin-1"))
    )
    assert await request.text() == "é"


@pytest.mark.parametrize(("charset", "data"), [("no-such-codec", b"abc"), ("utf-8", b"\xff\xfe")])
async def test_text_bad_charset_or_bytes_is_400(charset: str, data: bytes) -> None:
    request = make_request(
        headers={"Content-Type": f"text/plain; charset={charset}"}, body=body_of(data)
    )
    with pytest.raises(HTTPBadRequest):
        await request.text()


async def test_read_past_client_max_size_is_413() -> None:
    request = make_request(body=body_of(b"x" * 6, b"y" * 6), client_max_size=10)
    assert request.client_max_size == 10
    with pytest.raises(HTTPRequestEntityTooLarge):
        await request.read()


async def test_content_length_alone_triggers_413() -> None:
    stream = StreamReader()  # nothing ever arrives: the check comes first
    request = make_request(body=stream, content_length=100, client_max_size=10)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await asyncio.wait_for(request.read(), 1)


async def test_client_max_size_zero_is_unlimited() -> None:
    request = make_request(body=body_of(b"z" * 5000), client_max_size=0)
    assert len(await request.read()) == 5000


async def test_post_for_non_form_is_empty() -> None:
    request = make_request(
        method="POST", headers={"Content-Type": "application/json"}, body=body_of(b"{}")
    )
    assert dict(await request.post()) == {}
    get = make_request(headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert dict(await get.post()) == {}


async def test_post_urlencoded() -> None:
    request = make_request(
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=body_of(b"a=1&a=2&b=%20x+y"),
    )
    form = await request.post()
    assert form.getall("a") == ["1", "2"]
    assert form["b"] == " x y"
    assert await request.post() is form


async def test_release_discards_the_body() -> None:
    stream = StreamReader()
    stream.feed_data(b"unread")
    request = make_request(body=stream)
    await request.release()
    stream.feed_eof()
    assert await request.content.read() == b""


def test_has_body_is_deprecated() -> None:
    request = make_request(body=body_of(b"x"))
    with pytest.warns(DeprecationWarning, match="can_read_body"):
        assert request.has_body


# -- clone -----------------------------------------------------------------------


def test_clone_replaces_fields() -> None:
    request = make_request("/old?x=1", {"Host": "h", "X-A": "1"}, method="GET")
    request["state"] = 1
    clone = request.clone(
        method="POST",
        rel_url="/new?y=2",
        headers={"X-B": "2"},
        scheme="https",
        host="other",
        remote="1.1.1.1",
        client_max_size=5,
    )
    assert clone is not request
    assert clone.method == "POST"
    assert clone.path == "/new"
    assert clone.query["y"] == "2"
    assert clone.path_qs == "/new?y=2"
    assert dict(clone.headers) == {"X-B": "2"}
    assert (clone.scheme, clone.host, clone.remote) == ("https", "other", "1.1.1.1")
    assert clone.url == URL("https://other/new?y=2")
    assert clone.client_max_size == 5
    assert clone["state"] == 1
    # The original is unchanged.
    assert (request.method, request.path, request.host) == ("GET", "/old", "h")
    assert request.headers["X-A"] == "1"


def test_clone_without_arguments_keeps_everything() -> None:
    request = make_request("/p?q=1", {"Host": "h"}, method="PUT", scheme="https")
    clone = request.clone()
    assert (clone.method, clone.path_qs, clone.host, clone.scheme, clone.remote) == (
        "PUT",
        "/p?q=1",
        "h",
        "https",
        "127.0.0.1",
    )
    assert clone.headers == request.headers
    assert clone.content is request.content


def test_clone_state_is_a_copy() -> None:
    request = make_request()
    request["a"] = 1
    clone = request.clone()
    clone["b"] = 2
    del clone["a"]
    assert dict(request.items()) == {"a": 1}
    assert dict(clone.items()) == {"b": 2}


def test_clone_accepts_a_url_object() -> None:
    request = make_request()
    assert request.clone(rel_url=URL("/u?v=1")).query["v"] == "1"


async def test_clone_after_read_is_refused() -> None:
    request = make_request(body=body_of(b"data"))
    await request.read()
    with pytest.raises(RuntimeError):
        request.clone()


# -- mapping and identity --------------------------------------------------------


def test_mapping_behaviour() -> None:
    request = make_request()
    assert len(request) == 0
    assert bool(request)  # true even when empty
    request["a"] = 1
    request["b"] = 2
    assert request["a"] == 1
    assert "a" in request
    assert list(request) == ["a", "b"]
    assert request.get("missing", "d") == "d"
    del request["a"]
    assert dict(request.items()) == {"b": 2}
    with pytest.raises(KeyError):
        request["a"]
    request.update(c=3)
    assert request.pop("c") == 3


def test_request_key() -> None:
    user: RequestKey[str] = RequestKey("user", str)
    count = RequestKey("count", int)
    request = make_request()
    request[user] = "alice"
    request[count] = 3
    request["user"] = "plain string key"
    assert request[user] == "alice"
    assert request[count] == 3
    assert request["user"] == "plain string key"
    assert len(request) == 3
    assert repr(user) == "<RequestKey(user, type=str)>"
    assert repr(RequestKey("x")) == "<RequestKey(x, type=<<unknown>>)>"
    assert sorted([RequestKey("b"), RequestKey("a")], key=lambda k: k.__name__)[0].__name__ == "a"


def test_identity_hash_and_repr() -> None:
    one = make_request("/p?q=1", method="POST")
    two = make_request("/p?q=1", method="POST")
    assert one == one
    assert one != two
    assert len({one, two, one}) == 2
    assert repr(one) == "<BaseRequest POST /p?q=1 >"


def test_cached_properties_are_read_only() -> None:
    request = make_request(headers={"Host": "h"})
    with pytest.raises(AttributeError):
        request.host = "other"
    with pytest.raises(AttributeError):
        request.forwarded = ()


def test_clone_with_new_headers_recomputes_host() -> None:
    request = make_request(headers={"Host": "old"})
    assert request.host == "old"  # computed and cached on the original
    assert request.clone(headers={"Host": "new"}).host == "new"


def test_clone_keeps_explicit_overrides_across_clones() -> None:
    request = make_request(headers={"Host": "old"}).clone(host="proxy.example", scheme="https")
    again = request.clone(headers={"Host": "other"})
    assert (again.host, again.scheme) == ("proxy.example", "https")


def test_clone_with_new_headers_updates_raw_headers() -> None:
    request = make_request(headers={"Host": "old"})
    clone = request.clone(headers={"Host": "new", "X-Ünï": "v"})
    assert clone.raw_headers == ((b"Host", b"new"), ("X-Ünï".encode(), b"v"))
    assert clone.headers["Host"] == "new"


@pytest.mark.parametrize(
    ("sockname", "host"),
    [
        (("192.0.2.7", 8080), "192.0.2.7"),
        (("2001:db8::1", 8080, 0, 0), "[2001:db8::1]"),
        ("/run/app.sock", "/run/app.sock"),
        (None, ""),
    ],
)
def test_host_without_header_is_the_local_address_not_a_dns_lookup(
    sockname: Any, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def no_dns(*args: object) -> str:
        raise AssertionError("request.host must not resolve names")

    monkeypatch.setattr(socket, "getfqdn", no_dns)
    request = make_request(headers={}, extra={"sockname": sockname})
    assert request.host == host


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/plain/path",
        "/with?query=1&b=2",
        "/a%2Fb/c%20d",
        "/a%25b",
        "//double/slash",
        "/dots/../x/./y",
        "/semi;colon",
        "http://example.com/abs?x=1",
    ],
)
def test_path_and_path_safe_agree_with_rel_url(target: str) -> None:
    request = make_request(target)
    assert request.path_safe == request.rel_url.path_safe
    assert request.path == request.rel_url.path


def test_path_safe_follows_a_cloned_rel_url() -> None:
    request = make_request("/old?x=1")
    assert request.path_safe == "/old"
    clone = request.clone(rel_url="/new/a%2Fb")
    assert clone.path_safe == "/new/a%2Fb"
    assert clone.path == "/new/a/b"


_TARGET_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/?%#"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_TARGET_CHARS, max_size=30))
def test_path_qs_without_building_the_url_matches_the_url(tail: str) -> None:
    target = "/" + tail
    fast = make_request(target).path_qs  # may take the shortcut
    request = make_request(target)
    _ = request.rel_url  # builds the URL: path_qs is then str(rel_url)
    assert fast == request.path_qs == str(request.rel_url)
