"""Response helpers, cookies and conditional headers over a real socket.

Each test is a difference the side-by-side probe of aiohttp.web and aioweb.web
found (compression, cookies, request and response helpers); both
implementations must pass it (AIOWEB_IMPL=aiohttp).
"""

from __future__ import annotations

import email.utils
import time

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def _get(url: str) -> tuple[int, list[str], str]:
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(url) as resp,
    ):
        return resp.status, resp.headers.getall("Set-Cookie", []), await resp.text()


async def test_set_cookie_attributes_that_are_not_str(serve, web):
    # aiohttp hands the values to http.cookies.Morsel, which formats them:
    # an int expires is seconds from now, other values go through str().
    async def handler(request):
        resp = web.Response(text="ok")
        resp.set_cookie("a", "1", version=1)
        resp.set_cookie("b", "2", expires=3600)
        resp.set_cookie("c", "3", domain=5, path=7)
        return resp

    srv = await serve(handler)
    status, cookies, _ = await _get(f"{srv.url}/")
    assert status == 200
    assert cookies[0] == "a=1; Path=/; Version=1"
    assert cookies[2] == "c=3; Domain=5; Path=7"
    name, expires, path = cookies[1].split("; ")
    assert (name, path) == ("b=2", "Path=/")
    assert expires.startswith("expires=")
    when = email.utils.parsedate_to_datetime(expires.removeprefix("expires="))
    assert abs(when.timestamp() - (time.time() + 3600)) < 120


async def test_set_cookie_non_str_attribute_still_refuses_injection(serve, web, impl):
    class Sneaky:
        def __str__(self) -> str:
            return "x.com; Secure"

    async def handler(request):
        resp = web.Response(text="ok")
        try:
            resp.set_cookie("a", "1", domain=Sneaky())
        except ValueError:
            return web.Response(text="refused")
        return resp

    srv = await serve(handler)
    status, cookies, text = await _get(f"{srv.url}/")
    assert status == 200
    if impl == "aiohttp":  # aiohttp writes the injected attribute (see docs/server.md)
        assert cookies == ["a=1; Domain=x.com; Secure; Path=/"]
    else:
        assert (cookies, text) == ([], "refused")


async def test_response_content_type_without_a_slash_reads_as_octet_stream(serve, web):
    async def handler(request):
        seen: list[object] = []
        resp = web.StreamResponse()
        for value in ("html", "a/b/c", 123):
            resp.content_type = value
            seen.append([resp.headers["Content-Type"], resp.content_type])
        resp.content_type = "html"
        try:
            resp.charset = "utf-8"
        except RuntimeError:
            seen.append("RuntimeError")
        # The text setter replaces a type it cannot read with text/plain.
        text = web.Response(text="x", headers={"Content-Type": "weird"})
        seen.append([text.headers["Content-Type"], text.content_type, text.charset])
        return web.json_response(seen)

    srv = await serve(handler)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(f"{srv.url}/") as resp,
    ):
        assert resp.status == 200
        seen = await resp.json()
    assert seen == [
        ["html", "application/octet-stream"],
        ["a/b/c", "application/octet-stream"],
        ["123", "application/octet-stream"],
        "RuntimeError",
        ["text/plain; charset=utf-8", "text/plain", "utf-8"],
    ]
