"""aioweb.server.forms against what aiohttp's post() uses for urlencoded bodies."""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")

from yarl import query_to_pairs

from aioweb.server.forms import parse_urlencoded

BODIES = [
    "a=1",
    "a=1&b=2&a=3",
    "a",
    "a=",
    "a=1&&b=2&",
    "a+b=c+d",
    "a%20b=%E2%82%AC",
    "a=b=c",
    "a=%zz",
    "a=1;b=2",
    "%2B=%26",
]


@pytest.mark.parametrize("body", BODIES)
def test_like_aiohttp(body: str) -> None:
    assert list(parse_urlencoded(body.encode()).items()) == query_to_pairs(body)
