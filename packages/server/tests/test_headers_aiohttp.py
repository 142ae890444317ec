"""aioweb.server.headers against aiohttp's BaseRequest properties, input by input."""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")

from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from aioweb.server.headers import (
    parse_content_type,
    parse_etag_list,
    parse_http_date_header,
    parse_range,
)


def aiohttp_request(name: str, value: str) -> object:
    return make_mocked_request("GET", "/", headers=CIMultiDict({name: value}))


RANGES = [
    "bytes=0-499",
    "bytes=0-0",
    "bytes=500-",
    "bytes=-500",
    "BYTES=1-2",
    "bytes=5-4",
    "bytes=",
    "bytes=-",
    "bytes=0-1,3-4",
    "items=0-1",
    "bytes=\u0661-\u0662",
    "bytes=+1-2",
    "bytes = 1-2",
]


@pytest.mark.parametrize("value", RANGES)
def test_range_like_aiohttp(value: str) -> None:
    try:
        expected: object = aiohttp_request("Range", value).http_range  # type: ignore[attr-defined]
    except ValueError:
        expected = ValueError
    try:
        got: object = parse_range(value)
    except ValueError:
        got = ValueError
    assert got == expected


def test_range_suffix_zero_differs_on_purpose() -> None:
    # aiohttp turns "bytes=-0" into the whole body; RFC 9110 says it selects nothing.
    assert aiohttp_request("Range", "bytes=-0").http_range == slice(0, None, 1)  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        parse_range("bytes=-0")


ETAG_LISTS = [
    "*",
    '"a"',
    'W/"a"',
    '"a", W/"b" ,"c"',
    '"a",W/"b"',
    '"a", garbage, "b"',
    "unquoted",
    'w/"x"',
    '*, "a"',
    '"\x80"',
]


@pytest.mark.parametrize("value", ETAG_LISTS)
def test_etag_lists_like_aiohttp(value: str) -> None:
    request = aiohttp_request("If-None-Match", value)
    expected = request.if_none_match  # type: ignore[attr-defined]
    got = parse_etag_list(value)
    assert got is not None
    assert expected is not None
    assert [(tag.value, tag.is_weak) for tag in got] == [
        (tag.value, tag.is_weak) for tag in expected
    ]


CONTENT_TYPES = [
    "text/html",
    "TEXT/HTML; Charset=UTF-8",
    'text/html;charset="utf-8"',
    "application/json ; charset = utf-8",
    'multipart/form-data; boundary="a;b"',
    'text/plain; x="a\\"b"',
    "text/html;;;charset=x",
    "text/html; a=b; a=c",
    "text/html; a",
    "text/html; title*=UTF-8''%E2%82%AC",
    "text/html; title*0=a; title*1=b",
    "*/*",
    "garbage",
    "text/html,text/plain",
    " ",
    "text/",
]


@pytest.mark.parametrize("value", CONTENT_TYPES)
def test_content_type_like_aiohttp(value: str) -> None:
    request = aiohttp_request("Content-Type", value)
    mimetype, params = parse_content_type(value)
    assert mimetype == request.content_type  # type: ignore[attr-defined]
    assert params.get("charset") == request.charset  # type: ignore[attr-defined]
    from aiohttp.helpers import parse_content_type as aiohttp_parse

    assert dict(params) == dict(aiohttp_parse(value)[1])


DATES = [
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "garbage",
]


@pytest.mark.parametrize("value", DATES)
def test_dates_like_aiohttp(value: str) -> None:
    request = aiohttp_request("If-Modified-Since", value)
    assert parse_http_date_header(value) == request.if_modified_since  # type: ignore[attr-defined]
