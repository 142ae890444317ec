"""Class-based views."""

from __future__ import annotations

from typing import Any

import pytest

from aioweb.exceptions import HTTPMethodNotAllowed
from aioweb.router import AbstractView, UrlDispatcher, View

from .conftest import MakeRequest


class ItemView(View):
    async def get(self) -> str:
        return f"get {self.request.method}"

    async def post(self) -> str:
        return "post"


async def test_dispatches_on_method(make_request: MakeRequest) -> None:
    router = UrlDispatcher()
    router.add_view("/item", ItemView)
    for method, expected in (("GET", "get GET"), ("POST", "post")):
        request = make_request(method, "/item")
        mi = await router.resolve(request)
        assert await mi.handler(request) == expected


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "PROPFIND", "OPTIONS"])
async def test_missing_method_is_405_with_allow(make_request: MakeRequest, method: str) -> None:
    request = make_request(method, "/item")
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await ItemView(request)
    assert info.value.allowed_methods == {"GET", "POST"}
    assert info.value.headers["Allow"] == "GET,POST"
    assert info.value.method == method


async def test_request_property(make_request: MakeRequest) -> None:
    request = make_request("GET", "/")
    view = ItemView(request)
    assert view.request is request
    assert await view == "get GET"


async def test_private_attributes_are_not_methods(make_request: MakeRequest) -> None:
    class Weird(View):
        async def get(self) -> str:
            return "ok"

    with pytest.raises(HTTPMethodNotAllowed):
        await Weird(make_request("_DISPATCH", "/"))


def test_abstract_view_needs_await() -> None:
    with pytest.raises(TypeError):
        AbstractView(None)  # type: ignore[abstract]


def test_view_via_route_table(make_request: MakeRequest) -> None:
    from aioweb.router import RouteTableDef

    routes = RouteTableDef()

    @routes.view("/v")
    class V(View):
        async def get(self) -> Any:
            return 1

    router = UrlDispatcher()
    router.add_routes(routes)
    assert next(iter(router.routes())).handler is V
