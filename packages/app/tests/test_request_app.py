"""Request: match_info, app, clone, the expect handler and 100-continue."""

from __future__ import annotations

from typing import Any

import pytest

from aioweb.app import Application, Request
from aioweb.app._request import fire_response_prepare
from aioweb.exceptions import HTTPExpectationFailed, HTTPForbidden
from aioweb.http._version import HttpVersion10
from aioweb.server import Response, StreamResponse

Run = Any  # the "run" fixture of conftest.py
MakeRequest = Any  # the "make_request" fixture of conftest.py


async def echo(request: Request) -> Response:
    return Response(text=request.match_info.get("name", "-"))


async def test_unrouted_request_has_no_match_info(make_request: MakeRequest) -> None:
    request = make_request(Application(), "GET", "/")
    assert isinstance(request, Request)
    with pytest.raises(RuntimeError, match="not been routed"):
        _ = request.match_info
    with pytest.raises(RuntimeError, match="not been routed"):
        _ = request.app
    assert request._on_prepare is None  # nothing to fire for an unrouted request
    await fire_response_prepare(request, Response())  # and firing sends nothing


async def test_clone_keeps_match_info_and_app(run: Run) -> None:
    app = Application()
    app.router.add_get("/{name}", echo)
    request, _ = await run(app, "GET", "/bob")
    clone = request.clone(rel_url="/other")
    assert isinstance(clone, Request)
    assert clone.match_info is request.match_info
    assert clone.app is app
    assert clone.path == "/other"


async def test_client_max_size_reaches_the_request(make_request: MakeRequest) -> None:
    request = make_request(Application(client_max_size=123), "GET", "/")
    assert request.client_max_size == 123


async def test_default_expect_handler_sends_100_continue(run: Run) -> None:
    app = Application()
    app.router.add_post("/", echo)
    request, response = await run(app, "POST", "/", {"Expect": "100-continue"})
    assert response.status == 200
    assert bytes(request.transport.data) == b"HTTP/1.1 100 Continue\r\n\r\n"


async def test_no_interim_response_for_http_10(make_request: MakeRequest) -> None:
    app = Application()
    app.router.add_post("/", echo)
    app.freeze()
    request = make_request(app, "POST", "/", {"Expect": "100-continue"}, version=HttpVersion10)
    await app._handle(request)
    assert bytes(request.transport.data) == b""


async def test_unknown_expectation_is_417(run: Run) -> None:
    app = Application()
    app.router.add_post("/", echo)
    _, exc = await run(app, "POST", "/", {"Expect": "teapot"})
    assert isinstance(exc, HTTPExpectationFailed)


async def test_custom_expect_handler_can_refuse_or_let_through(run: Run) -> None:
    calls: list[str] = []

    async def check_auth(request: Request) -> StreamResponse | None:
        calls.append("expect")
        if request.headers.get("Authorization") is None:
            return Response(status=403, text="no")
        request.writer.send_continue()
        return None

    async def handler(request: Request) -> Response:
        calls.append("handler")
        return Response(text="ok")

    app = Application()
    app.router.add_post("/", handler, expect_handler=check_auth)
    _, refused = await run(app, "POST", "/", {"Expect": "100-continue"})
    assert refused.status == 403
    assert calls == ["expect"]
    request, accepted = await run(
        app, "POST", "/", {"Expect": "100-continue", "Authorization": "x"}
    )
    assert accepted.text == "ok"
    assert calls == ["expect", "expect", "handler"]
    assert bytes(request.transport.data) == b"HTTP/1.1 100 Continue\r\n\r\n"


async def test_expect_handler_may_raise(run: Run) -> None:
    async def deny(request: Request) -> None:
        raise HTTPForbidden()

    app = Application()
    app.router.add_post("/", echo, expect_handler=deny)
    _, exc = await run(app, "POST", "/", {"Expect": "100-continue"})
    assert isinstance(exc, HTTPForbidden)
    _, response = await run(app, "POST", "/")  # no Expect: the handler is not asked
    assert response.status == 200
