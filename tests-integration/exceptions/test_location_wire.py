"""Location and Link headers over a real socket, read by aiohttp's client, httpx and raw bytes.

aioweb.exceptions encodes them without yarl; the value a client receives must be what
aiohttp's server sends (``str(yarl.URL(location))``): run with ``AIOWEB_IMPL=aiohttp``
to see the same assertions pass against aiohttp.
"""

from __future__ import annotations

import aiohttp
import httpx
import pytest
from yarl import URL

TIMEOUT = aiohttp.ClientTimeout(total=10)

CASES = [
    # (what the handler raises with, the Location that must arrive)
    ("/ünïcode path?q=ä", "/%C3%BCn%C3%AFcode%20path?q=%C3%A4"),
    (
        "http://bücher.example:80/ä/../b c#frag ü",
        "http://xn--bcher-kva.example/b%20c#frag%20%C3%BC",
    ),
    ("https://[2001:DB8::1]:8443/x?a=b c&d=%zz", "https://[2001:db8::1]:8443/x?a=b+c&d=%25zz"),
    ("//cdn.example/😀", "//cdn.example/%F0%9F%98%80"),
    ("../up/中文", "../up/%E4%B8%AD%E6%96%87"),
]
IDS = [f"case{i}" for i in range(len(CASES))]


@pytest.fixture(params=["str", "yarl.URL"])
def as_given(request: pytest.FixtureRequest):
    return str if request.param == "str" else URL


async def start(serve, web, location):
    async def handler(request):
        raise web.HTTPFound(location)

    return await serve(handler)


@pytest.mark.parametrize(("location", "expected"), CASES, ids=IDS)
async def test_aiohttp_client_reads_location(serve, web, as_given, location, expected):
    srv = await start(serve, web, as_given(location))
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(srv.url, allow_redirects=False) as resp,
    ):
        assert resp.status == 302
        assert resp.headers.getall("Location") == [expected]
        assert await resp.read() == b"302: Found"


@pytest.mark.parametrize(("location", "expected"), CASES, ids=IDS)
async def test_httpx_reads_location(serve, web, as_given, location, expected):
    srv = await start(serve, web, as_given(location))
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        resp = await client.get(srv.url)
    assert resp.status_code == 302
    assert resp.headers.get_list("location") == [expected]
    # httpx resolves it against the request URL as a browser would.
    assert resp.next_request is not None


async def test_raw_bytes_of_location(serve, web, wire):
    srv = await start(serve, web, "/ünïcode path?q=ä")
    data = await wire.exchange(
        srv.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    (resp,) = wire.parse_responses(data)
    assert resp.status == 302
    assert b"\r\nLocation: /%C3%BCn%C3%AFcode%20path?q=%C3%A4\r\n" in resp.head


async def test_link_of_451(serve, web, as_given):
    async def handler(request):
        raise web.HTTPUnavailableForLegalReasons(as_given("https://gericht.example/urteil über"))

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(srv.url)
    assert resp.status_code == 451
    assert resp.headers["link"] == '<https://gericht.example/urteil%20%C3%BCber>; rel="blocked-by"'
    assert resp.links["blocked-by"]["url"] == "https://gericht.example/urteil%20%C3%BCber"
