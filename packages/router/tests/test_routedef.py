"""RouteTableDef and the module-level route declarations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aioweb import router as web
from aioweb.router import AbstractRouteDef, RouteDef, RouteTableDef, StaticDef, UrlDispatcher

from .conftest import MakeRequest


async def handler(request: Any) -> str:
    return "ok"


@pytest.mark.parametrize(
    ("func", "method"),
    [
        (web.post, "POST"),
        (web.put, "PUT"),
        (web.patch, "PATCH"),
        (web.delete, "DELETE"),
        (web.head, "HEAD"),
        (web.options, "OPTIONS"),
    ],
)
def test_module_level_defs(func: Any, method: str) -> None:
    route_def = func("/p", handler, name="n")
    assert isinstance(route_def, RouteDef)
    assert (route_def.method, route_def.path, route_def.handler) == (method, "/p", handler)
    assert route_def.kwargs == {"name": "n"}
    router = UrlDispatcher()
    [route] = router.add_routes([route_def])
    assert route.method == method
    assert router["n"] is route.resource


def test_get_def_registers_head_unless_disabled() -> None:
    router = UrlDispatcher()
    routes = router.add_routes([web.get("/a", handler), web.get("/b", handler, allow_head=False)])
    assert [r.method for r in routes] == ["GET", "GET"]
    assert sorted(r.method for r in router.routes()) == ["GET", "GET", "HEAD"]


def test_route_and_view_defs() -> None:
    router = UrlDispatcher()
    [custom, any_] = router.add_routes(
        [web.route("PROPFIND", "/dav", handler), web.view("/v", web.View)]
    )
    assert custom.method == "PROPFIND"
    assert any_.method == "*"


def test_static_def(tmp_path: Path) -> None:
    static_def = web.static("/s", tmp_path, name="s", show_index=True)
    assert isinstance(static_def, StaticDef)
    assert repr(static_def) == f"<StaticDef /s -> {tmp_path}, name='s', show_index=True>"
    router = UrlDispatcher()
    routes = router.add_routes([static_def])
    assert sorted(r.method for r in routes) == ["GET", "HEAD"]
    assert router["s"].get_info()["directory"] == tmp_path.resolve()


def test_reprs() -> None:
    assert repr(web.get("/a", handler, name="x")) == (
        "<RouteDef GET /a -> 'handler', allow_head=True, name='x'>"
    )


async def test_route_table_def(make_request: MakeRequest, tmp_path: Path) -> None:
    routes = RouteTableDef()

    @routes.get("/a")
    async def a(request: Any) -> str:
        return "a"

    @routes.post("/b/{x}", name="b")
    async def b(request: Any) -> str:
        return "b"

    @routes.put("/c")
    @routes.patch("/c")
    @routes.delete("/c")
    @routes.head("/c")
    @routes.options("/c")
    async def c(request: Any) -> str:
        return "c"

    @routes.route("LINK", "/d")
    async def d(request: Any) -> str:
        return "d"

    routes.static("/s", tmp_path)

    assert a.__name__ == "a"  # decorators return the handler itself
    assert len(routes) == 9
    assert isinstance(routes[0], RouteDef)
    assert routes[0].method == "GET"  # type: ignore[attr-defined]
    assert routes[1:3] == list(routes)[1:3]
    assert all(isinstance(r, AbstractRouteDef) for r in routes)
    assert routes[0] in routes
    assert repr(routes) == "<RouteTableDef count=9>"

    router = UrlDispatcher()
    router.add_routes(routes)
    methods = sorted(r.method for r in router.routes())
    assert methods == sorted(
        ["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "HEAD", "OPTIONS", "LINK", "GET", "HEAD"]
    )
    mi = await router.resolve(make_request("POST", "/b/1"))
    assert await mi.handler(None) == "b"
    assert str(router["b"].url_for(x="q")) == "/b/q"


def test_bad_route_def_fails_at_registration() -> None:
    router = UrlDispatcher()
    with pytest.raises(ValueError):
        router.add_routes([web.route("BAD METHOD", "/a", handler)])
    with pytest.raises(ValueError):
        router.add_routes([web.get("/{x", handler)])
