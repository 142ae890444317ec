"""aioweb.server.forms: application/x-www-form-urlencoded bodies."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDict

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from aioweb.server.forms import parse_urlencoded


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", []),
        (b"   \r\n", []),
        (b"a=1", [("a", "1")]),
        (b"a=1&b=2&a=3", [("a", "1"), ("b", "2"), ("a", "3")]),
        (b"a", [("a", "")]),
        (b"a=", [("a", "")]),
        (b"a=1&&b=2&", [("a", "1"), ("b", "2")]),
        (b"a+b=c+d", [("a b", "c d")]),
        (b"a%20b=%E2%82%AC", [("a b", "\u20ac")]),
        (b"a=b=c", [("a", "b=c")]),
        (b"a=1\r\n", [("a", "1")]),
        (b"a=%zz", [("a", "%zz")]),
        (b"a=1;b=2", [("a", "1;b=2")]),
    ],
)
def test_parse_urlencoded(body: bytes, expected: list[tuple[str, str]]) -> None:
    result = parse_urlencoded(body)
    assert isinstance(result, MultiDict)
    assert list(result.items()) == expected


def test_charset() -> None:
    assert parse_urlencoded(b"a=%E9", charset="latin-1") == MultiDict([("a", "\xe9")])
    assert parse_urlencoded("a=\xe9".encode("latin-1"), charset="latin-1")["a"] == "\xe9"


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        (b"a=%E9", "utf-8"),  # percent-decoded bytes are not UTF-8
        (b"a=\xe9", "utf-8"),  # raw body is not UTF-8
        (b"%ff=1", "utf-8"),
        (b"a=1", "no-such-charset"),
        (b"a=\xff", "ascii"),
    ],
)
def test_bad_charset_data_is_400(body: bytes, charset: str) -> None:
    with pytest.raises(HTTPBadRequest) as info:
        parse_urlencoded(body, charset=charset)
    assert info.value.status == 400


def test_max_fields() -> None:
    body = b"&".join(b"f%d=1" % i for i in range(10))
    assert len(parse_urlencoded(body, max_fields=10)) == 10
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        parse_urlencoded(body, max_fields=9)
    assert info.value.status == 413
    assert "Maximum number of form fields 9 exceeded." in (info.value.text or "")
    assert len(parse_urlencoded(body, max_fields=0)) == 10


def test_max_fields_counts_before_decoding() -> None:
    body = b"&" * 100_000
    start = time.perf_counter()
    with pytest.raises(HTTPRequestEntityTooLarge):
        parse_urlencoded(body)
    assert time.perf_counter() - start < 0.5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=10))
def test_round_trip_like_parse_qsl(pairs: list[tuple[str, str]]) -> None:
    body = urlencode(pairs).encode()
    expected = parse_qsl(body.decode(), keep_blank_values=True)
    assert list(parse_urlencoded(body).items()) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_parse_or_400(body: bytes) -> None:
    try:
        parse_urlencoded(body)
    except HTTPBadRequest:
        pass
