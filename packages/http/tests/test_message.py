"""RequestHead.build: a head made by hand, without the parser."""

from __future__ import annotations

from aioweb.http import HttpVersion10, HttpVersion11, RequestHead


def test_build_defaults() -> None:
    head = RequestHead.build("GET", "/a?b=1")
    assert (head.method, head.target, head.version) == ("GET", "/a?b=1", HttpVersion11)
    assert dict(head.headers) == {}
    assert head.raw_headers == ()
    assert not (head.should_close)
    assert not (head.upgrade)
    assert not (head.chunked)
    assert not (head.has_body)
    assert head.content_length is None
    assert head.compression is None
    assert str(head.url) == "/a?b=1"


def test_build_keeps_field_order_and_encodes_raw_as_utf8() -> None:
    head = RequestHead.build(
        "POST",
        "/",
        [("Host", "x"), ("X-Ünï", "v"), ("host", "y")],
        version=HttpVersion10,
        content_length=3,
        should_close=True,
    )
    assert head.headers.getall("HOST") == ["x", "y"]
    assert head.raw_headers == ((b"Host", b"x"), ("X-Ünï".encode(), b"v"), (b"host", b"y"))
    assert head.version == HttpVersion10
    assert head.has_body
    assert head.should_close
    assert head.headers is not RequestHead.build("GET", "/").headers
