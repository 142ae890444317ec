"""aioweb.server.cookies against aiohttp: request cookies and Set-Cookie output."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import pytest

pytest.importorskip("aiohttp")

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from aioweb.server.cookies import (
    cookie_header_values,
    del_cookie,
    parse_cookie_header,
    set_cookie,
)

SAME = [
    "a=b",
    "a=b; c=d",
    " a = b ; c=d ",
    ";;;a=1;;",
    "a",
    "a=b; c",
    'a=""',
    "a=b=c",
    "a=b,c=d",
    'a="x;y"; b=2',
    'a="x\\"y"',
    'a="\\073"',
    'a="unterminated; b=2',
    'a="q"junk; b=2',
    "a=1; a=2",
    "=x; b=1",
    "$Version=1; a=b",
    "path=1; secure",
    "a=\xe9; b=1",
]


@pytest.mark.parametrize("header", SAME)
def test_request_cookies_like_aiohttp(header: str) -> None:
    request = make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": header}))
    assert parse_cookie_header(header) == dict(request.cookies)


@pytest.mark.parametrize(
    ("header", "aiohttp_value", "ours"),
    [
        # aiohttp splits at whitespace like SimpleCookie; browsers only split at ";"
        ("a=b c=d", {"a": "b", "c": "d"}, {"a": "b c=d"}),
        # aiohttp salvages part of a bad pair; a bad name skips the whole pair here
        ("bad name=1; ok=2", {"bad": "", "name": "1", "ok": "2"}, {"ok": "2"}),
    ],
)
def test_request_cookie_differences(header: str, aiohttp_value: Any, ours: Any) -> None:
    request = make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": header}))
    assert dict(request.cookies) == aiohttp_value
    assert parse_cookie_header(header) == ours


SET_COOKIE_CASES: list[dict[str, Any]] = [
    {},
    {"max_age": 10},
    {"max_age": "10"},
    {"expires": "Thu, 01 Jan 2030 00:00:00 GMT"},
    {"domain": "example.com", "path": "/x"},
    {"secure": True, "httponly": True},
    {"secure": False, "httponly": False},
    {"samesite": "Strict"},
    {"version": "1"},
]


@pytest.mark.parametrize("kwargs", SET_COOKIE_CASES)
@pytest.mark.parametrize("value", ["v", "a b;c", ""])
def test_set_cookie_like_aiohttp(kwargs: dict[str, Any], value: str) -> None:
    response = web.StreamResponse()
    response.set_cookie("name", value, **kwargs)
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "name", value, **kwargs)
    expected = [m.OutputString() for m in response.cookies.values()]
    assert cookie_header_values(jar) == expected


def test_update_and_delete_like_aiohttp() -> None:
    response = web.StreamResponse()
    jar: SimpleCookie = SimpleCookie()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("set", {"value": "1", "domain": "a.example", "httponly": True, "max_age": 5}),
        ("set", {"value": "2"}),
        ("del", {}),
        ("set", {"value": "3", "samesite": "Lax"}),
        ("del", {"path": "/p", "domain": "d"}),
    ]
    for action, kwargs in steps:
        if action == "set":
            response.set_cookie("n", **kwargs)
            set_cookie(jar, "n", **kwargs)
        else:
            response.del_cookie("n", **kwargs)
            del_cookie(jar, "n", **kwargs)
        expected = [m.OutputString() for m in response.cookies.values()]
        assert cookie_header_values(jar) == expected
