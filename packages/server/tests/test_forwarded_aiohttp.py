"""aioweb.server.forwarded against aiohttp's BaseRequest.forwarded."""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")

from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from aioweb.server.forwarded import parse_forwarded

CASES = [
    ["for=192.0.2.60;proto=http;by=203.0.113.43"],
    ['for="_gazonk"'],
    ['For="[2001:db8:cafe::17]:4711"'],
    ["for=192.0.2.43, for=198.51.100.17"],
    ["for=a", "for=b, for=c"],
    ["FOR=a;For=b"],
    ['for="a\\"b"'],
    ['host="a,b";proto=https'],
    ["for=1.2.3.4:80;proto=https"],
    ["for=a ; proto=http ,\tfor=b"],
    ["for=a;garbage;proto=http, for=b"],
    ["for=a proto=http, for=b"],
    ["bad syntax"],
    [""],
    [",,"],
]


@pytest.mark.parametrize("values", CASES)
def test_like_aiohttp(values: list[str]) -> None:
    headers = CIMultiDict([("Forwarded", value) for value in values])
    expected = make_mocked_request("GET", "/", headers=headers).forwarded
    assert [dict(e) for e in parse_forwarded(values)] == [dict(e) for e in expected]


def test_five_digit_port_differs_on_purpose() -> None:
    # aiohttp allows 4 port digits, so "for=1.2.3.4:65535" loses its last digit.
    headers = CIMultiDict({"Forwarded": "for=1.2.3.4:65535"})
    aiohttp_value = make_mocked_request("GET", "/", headers=headers).forwarded
    assert dict(aiohttp_value[0]) == {"for": "1.2.3.4:6553"}
    assert dict(parse_forwarded(["for=1.2.3.4:65535"])[0]) == {"for": "1.2.3.4:65535"}
