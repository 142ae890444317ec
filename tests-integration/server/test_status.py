"""Every way a handler produces a status: Response, raised/returned HTTPException, crashes."""

from __future__ import annotations

import logging

import aiohttp
import httpx
import pytest

TIMEOUT = aiohttp.ClientTimeout(total=10)
SECRET = "secret-detail-<script>"


@pytest.fixture
def quiet_server_logs(caplog):
    # The servers log handler crashes at ERROR on purpose; keep them captured.
    caplog.set_level(logging.CRITICAL + 1)
    return caplog


async def fetch(url, **kwargs):
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(url, allow_redirects=False, **kwargs) as resp,
    ):
        return resp.status, resp.reason, resp.headers.copy(), await resp.read()


@pytest.mark.parametrize(("status", "body"), [(200, b"ok"), (201, b"made"), (418, b"tea")])
async def test_returned_response_status(serve, web, status, body):
    async def handler(request):
        return web.Response(status=status, body=body, headers={"X-Custom": "1"})

    srv = await serve(handler)
    got_status, _, headers, got_body = await fetch(srv.url)
    assert (got_status, got_body, headers["X-Custom"]) == (status, body, "1")


async def test_custom_reason(serve, web, wire):
    async def handler(request):
        return web.Response(status=299, reason="Fine Indeed", text="x")

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 299 Fine Indeed\r\n")


async def test_raise_redirect_with_headers_and_body(serve, web):
    async def handler(request):
        raise web.HTTPFound(location="/elsewhere", headers={"X-Why": "moved"}, text="go away")

    srv = await serve(handler)
    status, _, headers, body = await fetch(srv.url)
    assert status == 302
    assert headers["Location"] == "/elsewhere"
    assert headers["X-Why"] == "moved"
    assert body == b"go away"


async def test_raise_404_default_body(serve, web):
    async def handler(request):
        raise web.HTTPNotFound()

    srv = await serve(handler)
    status, reason, headers, body = await fetch(srv.url)
    assert (status, reason) == (404, "Not Found")
    assert body == b"404: Not Found"
    assert headers["Content-Type"].startswith("text/plain")


async def test_raise_4xx_with_text(serve, web):
    async def handler(request):
        raise web.HTTPForbidden(text="no entry", headers={"X-Reason": "policy"})

    srv = await serve(handler)
    status, _, headers, body = await fetch(srv.url)
    assert (status, body, headers["X-Reason"]) == (403, b"no entry", "policy")


async def test_raise_5xx_with_headers(serve, web):
    async def handler(request):
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "5"})

    srv = await serve(handler)
    status, _, headers, body = await fetch(srv.url)
    assert (status, headers["Retry-After"], body) == (503, "5", b"503: Service Unavailable")


async def test_raise_413_from_handler(serve, web):
    async def handler(request):
        raise web.HTTPRequestEntityTooLarge(max_size=10, actual_size=20)

    srv = await serve(handler)
    status, _, _, body = await fetch(srv.url)
    assert status == 413
    assert body == b"Maximum request body size 10 exceeded."


async def test_raise_304_has_no_body(serve, web, wire):
    async def handler(request):
        raise web.HTTPNotModified(headers={"ETag": '"v1"'})

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    assert resp.status == 304
    assert resp.header("ETag") == '"v1"'
    assert data.endswith(b"\r\n\r\n")


async def test_returned_http_exception_is_deprecated(serve, web):
    async def handler(request):
        return web.HTTPBadRequest(text="returned, not raised")

    srv = await serve(handler)
    with pytest.warns(DeprecationWarning, match="HTTPException"):
        status, _, _, body = await fetch(srv.url)
    assert (status, body) == (400, b"returned, not raised")


async def test_generic_exception_gives_plain_500(serve, web, quiet_server_logs):
    async def handler(request):
        raise RuntimeError(SECRET)

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        for accept in ("*/*", "text/html"):
            resp = await client.get(srv.url, headers={"Accept": accept})
            assert resp.status_code == 500
            assert "500 Internal Server Error" in resp.text
            assert "Traceback" not in resp.text
            assert "secret-detail" not in resp.text
            assert "RuntimeError" not in resp.text
            assert "test_status.py" not in resp.text
    await srv.alive()


async def test_generic_exception_plain_500_body(serve, web, quiet_server_logs):
    async def handler(request):
        raise ValueError(SECRET)

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(srv.url)
    assert resp.headers["content-type"].startswith("text/plain")
    assert resp.text.startswith("500 Internal Server Error")


async def test_production_500_pages_are_aiohttps(serve, web, quiet_server_logs):
    """The exact pages: plain text for API clients, HTML for browsers, nothing leaked."""

    async def handler(request):
        if request.path == "/none":
            return None  # a forgotten return statement
        raise ValueError(SECRET)

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:
        plain = await client.get(srv.url)
        page = await client.get(srv.url, headers={"Accept": "text/html,*/*;q=0.8"})
        forgotten = await client.get(srv.url + "/none", headers={"Accept": "text/html"})
    assert plain.status_code == page.status_code == forgotten.status_code == 500
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.text == "500 Internal Server Error\n\nServer got itself in trouble"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text == (
        "<html><head><title>500 Internal Server Error</title></head><body>\n"
        "<h1>500 Internal Server Error</h1>\nServer got itself in trouble\n</body></html>\n"
    )
    # A handler result that is no response is the server's HTTPInternalServerError.
    assert forgotten.headers["content-type"] == "text/plain; charset=utf-8"
    assert forgotten.text == "500: Internal Server Error"
    await srv.alive()


@pytest.mark.aioweb_only(reason="aiohttp sends the handler's Transfer-Encoding with Content-Length")
async def test_handler_transfer_encoding_never_goes_out_with_a_length(serve, web):
    """A Transfer-Encoding set by a handler on a response of known length is dropped.

    Sent beside Content-Length, it would make every recipient that follows RFC 9112
    6.3 read the body as chunks: httpx (h11) would fail on the first response or
    misread the second one on the same connection.
    """

    async def handler(request):
        if request.path == "/stream":
            resp = web.StreamResponse(headers={"Transfer-Encoding": "chunked"})
            resp.content_length = 5
            await resp.prepare(request)
            await resp.write(b"hello")
            await resp.write_eof()
            return resp
        if request.path == "/raise":
            raise web.HTTPNotFound(headers={"Transfer-Encoding": "chunked"})
        return web.Response(text="hello", headers={"Transfer-Encoding": "chunked"})

    srv = await serve(handler)
    async with httpx.AsyncClient(timeout=10) as client:  # one kept-alive connection
        for method in ("GET", "HEAD", "GET"):
            for path in ("/", "/stream", "/raise"):
                resp = await client.request(method, srv.url + path)
                assert "transfer-encoding" not in resp.headers
                expected = b"404: Not Found" if path == "/raise" else b"hello"
                assert resp.headers["content-length"] == str(len(expected))
                assert resp.content == (expected if method == "GET" else b"")
    await srv.alive()


async def test_debug_shows_traceback(serve, web, quiet_server_logs):
    async def handler(request):
        raise RuntimeError(SECRET)

    srv = await serve(handler, debug=True)
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.get(srv.url)
        assert resp.status_code == 500
        assert "Traceback" in resp.text
        assert "RuntimeError: secret-detail-<script>" in resp.text
        html = await client.get(srv.url, headers={"Accept": "text/html"})
        assert html.status_code == 500
        assert html.headers["content-type"].startswith("text/html")
        assert "Traceback" in html.text
        # The traceback is escaped in the HTML page.
        assert "secret-detail-&lt;script&gt;" in html.text
        assert "<script>" not in html.text


async def test_error_logged_once(serve, web, caplog):
    caplog.set_level(logging.ERROR)

    async def handler(request):
        raise RuntimeError(SECRET)

    srv = await serve(handler)
    status, _, _, _ = await fetch(srv.url)
    assert status == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None


async def test_handler_returning_none_is_500(serve, web, quiet_server_logs):
    async def handler(request):
        return None

    srv = await serve(handler)
    status, _, _, _ = await fetch(srv.url)
    assert status == 500
    await srv.alive()


@pytest.mark.aioweb_only(reason="aiohttp's Server header carries the Python and aiohttp versions")
async def test_server_header_reveals_no_version(serve, web, wire):
    async def handler(request):
        return web.Response(text="x")

    srv = await serve(handler)
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    (resp,) = wire.parse_responses(data)
    server = resp.header("Server")
    assert server is None or not any(ch.isdigit() for ch in server), server
    assert "Python" not in (server or "")
    # Nor do error pages of the parser.
    data = await wire.exchange(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nX : y\r\n\r\n")
    (bad,) = wire.parse_responses(data)
    assert bad.status == 400
    assert not any(ch.isdigit() for ch in (bad.header("Server") or ""))
    assert b"Traceback" not in bad.body
