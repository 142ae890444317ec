"""Registration API of UrlDispatcher: every add_* call and every invalid registration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aioweb.router import (
    METH_ANY,
    DynamicResource,
    PlainResource,
    Resource,
    ResourceRoute,
    StaticResource,
    UrlDispatcher,
    View,
)


@pytest.fixture
def router() -> UrlDispatcher:
    return UrlDispatcher()


@pytest.mark.parametrize(
    ("adder", "method"),
    [
        ("add_post", "POST"),
        ("add_put", "PUT"),
        ("add_patch", "PATCH"),
        ("add_delete", "DELETE"),
        ("add_head", "HEAD"),
        ("add_options", "OPTIONS"),
    ],
)
def test_shortcuts_register_one_method(
    router: UrlDispatcher, h: Any, adder: str, method: str
) -> None:
    route = getattr(router, adder)("/x", h, name="x")
    assert isinstance(route, ResourceRoute)
    assert route.method == method
    assert route.handler is h
    assert route.name == "x"
    assert [r.method for r in router.routes()] == [method]


def test_add_get_registers_head_by_default(router: UrlDispatcher, h: Any) -> None:
    route = router.add_get("/x", h)
    assert route.method == "GET"
    assert sorted(r.method for r in router.routes()) == ["GET", "HEAD"]
    assert len(router.resources()) == 1


def test_add_get_without_head(router: UrlDispatcher, h: Any) -> None:
    router.add_get("/x", h, allow_head=False)
    assert [r.method for r in router.routes()] == ["GET"]


def test_add_route_lowercase_method_is_upper_cased(router: UrlDispatcher, h: Any) -> None:
    assert router.add_route("get", "/x", h).method == "GET"


def test_custom_token_method(router: UrlDispatcher, h: Any) -> None:
    assert router.add_route("PROPFIND", "/x", h).method == "PROPFIND"


def test_add_view_registers_any_method(router: UrlDispatcher) -> None:
    class MyView(View):
        async def get(self) -> str:
            return "get"

    route = router.add_view("/v", MyView)
    assert route.method == METH_ANY
    assert route.handler is MyView


@pytest.mark.parametrize(
    "method", ["", "GE T", "GET\r\n", "GE(T", "G\x00ET", "GÉT", "GET/1", '"GET"', "{}"]
)
def test_bad_method_is_refused_at_registration(router: UrlDispatcher, h: Any, method: str) -> None:
    with pytest.raises(ValueError, match="not allowed HTTP method"):
        router.add_route(method, "/x", h)


def test_method_must_be_str(router: UrlDispatcher, h: Any) -> None:
    with pytest.raises(TypeError):
        router.add_route(42, "/x", h)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    [
        "/{",
        "/}",
        "/{}",
        "/a{b",
        "/a}b",
        "/{1abc}",
        "/{a-b}",
        "/{ab:}",
        "/{x:[}",
        "/{x:(}",
        "/{x:a)}",
        "/{x}/{x}",
        "/{x:a{2}",
        "/{x}{",
    ],
)
def test_invalid_patterns_raise_value_error(router: UrlDispatcher, h: Any, path: str) -> None:
    with pytest.raises(ValueError):
        router.add_get(path, h)
    assert len(router.resources()) == 0


@pytest.mark.parametrize("path", ["x", "x/y", "{x}", " /x"])
def test_path_must_start_with_slash(router: UrlDispatcher, h: Any, path: str) -> None:
    with pytest.raises(ValueError, match="started with /"):
        router.add_get(path, h)


def test_path_must_be_str(router: UrlDispatcher, h: Any) -> None:
    with pytest.raises(TypeError):
        router.add_get(b"/x", h)  # type: ignore[arg-type]


def test_empty_path_is_allowed_and_becomes_root_on_freeze(router: UrlDispatcher, h: Any) -> None:
    resource = router.add_resource("")
    assert isinstance(resource, PlainResource)
    router.freeze()
    assert resource.canonical == "/"


@pytest.mark.parametrize(
    "name",
    ["a.b", "a:b", "a-b", "a_b", "_x", "x1.y2:z3-w4", "ünïcode"],
)
def test_good_route_names(router: UrlDispatcher, h: Any, name: str) -> None:
    router.add_get("/x", h, name=name)
    assert router[name].name == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "identifiers"),
        ("1a", "identifiers"),
        ("a b", "identifiers"),
        ("a/b", "identifiers"),
        ("a..b", "identifiers"),
        ("a.", "identifiers"),
        (".a", "identifiers"),
        ("a.class", "keywords"),
        ("return", "keywords"),
        ("a-if:b", "keywords"),
        ("a\x00b", "identifiers"),
    ],
)
def test_bad_route_names(router: UrlDispatcher, h: Any, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        router.add_get("/x", h, name=name)
    assert len(router.resources()) == 0


def test_duplicate_names_are_refused(router: UrlDispatcher, h: Any) -> None:
    router.add_get("/a", h, name="n")
    with pytest.raises(ValueError, match="Duplicate 'n'"):
        router.add_get("/b", h, name="n")
    assert len(router.resources()) == 1


def test_duplicate_name_across_kinds(router: UrlDispatcher, h: Any, tmp_path: Path) -> None:
    router.add_get("/a/{x}", h, name="n")
    with pytest.raises(ValueError, match="Duplicate"):
        router.add_static("/s", tmp_path, name="n")


def test_same_path_and_name_reuses_last_resource(router: UrlDispatcher, h: Any) -> None:
    get = router.add_get("/a/{x}", h, name="a")
    post = router.add_post("/a/{x}", h, name="a")
    assert get.resource is post.resource
    assert len(router.resources()) == 1


def test_same_path_other_name_is_a_new_resource(router: UrlDispatcher, h: Any) -> None:
    router.add_get("/a", h)
    router.add_post("/b", h)
    router.add_put("/a", h)
    assert len(router.resources()) == 3


def test_same_method_twice_never_executed(router: UrlDispatcher, h: Any) -> None:
    router.add_get("/a", h)
    with pytest.raises(RuntimeError, match="will never be executed"):
        router.add_get("/a", h, allow_head=False)


def test_method_after_any_never_executed(router: UrlDispatcher, h: Any) -> None:
    router.add_route("*", "/a", h)
    with pytest.raises(RuntimeError, match=r"method \* is already registered"):
        router.add_post("/a", h)


def test_non_async_handler_is_wrapped_with_deprecation(router: UrlDispatcher) -> None:
    def sync_handler(request: Any) -> str:
        return "sync"

    with pytest.deprecated_call():
        route = router.add_get("/a", sync_handler, allow_head=False)
    assert route.handler is not sync_handler


async def test_wrapped_sync_handler_still_returns(router: UrlDispatcher) -> None:
    def sync_handler(request: Any) -> str:
        return "sync"

    with pytest.deprecated_call():
        route = router.add_get("/a", sync_handler, allow_head=False)
    assert await route.handler(None) == "sync"


def test_async_callable_object_is_accepted_as_is(router: UrlDispatcher) -> None:
    class Handler:
        async def __call__(self, request: Any) -> str:
            return "x"

    obj = Handler()
    assert router.add_get("/a", obj).handler is obj


def test_handler_must_be_callable(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError, match="callable"):
        router.add_get("/a", "not callable")  # type: ignore[arg-type]


def test_expect_handler_must_be_a_coroutine_function(router: UrlDispatcher, h: Any) -> None:
    with pytest.raises(TypeError, match="Coroutine is expected"):
        router.add_get("/a", h, expect_handler=lambda request: None)


def test_frozen_router_refuses_changes(router: UrlDispatcher, h: Any, tmp_path: Path) -> None:
    router.add_get("/a", h)
    router.freeze()
    assert router.frozen
    for call in (
        lambda: router.add_get("/b", h),
        lambda: router.add_route("POST", "/a", h),
        lambda: router.add_resource("/c"),
        lambda: router.add_static("/s", tmp_path),
        lambda: router.register_resource(PlainResource("/d")),
    ):
        with pytest.raises(RuntimeError, match="frozen router"):
            call()
    assert len(router.resources()) == 1


def test_register_resource_type_checked(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError):
        router.register_resource(object())  # type: ignore[arg-type]


def test_resource_kinds(router: UrlDispatcher, h: Any, tmp_path: Path) -> None:
    assert isinstance(router.add_resource("/plain"), PlainResource)
    assert isinstance(router.add_resource("/dyn/{x}"), DynamicResource)
    assert isinstance(router.add_resource("/dyn/{x:\\d+}"), DynamicResource)
    assert isinstance(router.add_static("/static/", tmp_path), StaticResource)


def test_mapping_of_named_resources(router: UrlDispatcher, h: Any) -> None:
    a = router.add_get("/a", h, name="a").resource
    b = router.add_get("/b/{x}", h, name="b").resource
    router.add_get("/c", h)
    assert len(router) == 2
    assert list(router) == ["a", "b"]
    assert "a" in router
    assert "c" not in router
    assert router["a"] is a
    assert router["b"] is b
    assert dict(router.named_resources()) == {"a": a, "b": b}
    with pytest.raises(TypeError):
        router.named_resources()["x"] = a  # type: ignore[index]
    with pytest.raises(KeyError):
        router["c"]


def test_resources_and_routes_views(router: UrlDispatcher, h: Any) -> None:
    r1 = router.add_get("/a", h)
    r2 = router.add_post("/b/{x}", h)
    resources = router.resources()
    assert len(resources) == 2
    assert r1.resource in resources
    assert list(resources) == [r1.resource, r2.resource]
    routes = router.routes()
    assert len(routes) == 3
    assert r1 in routes
    assert r2 in routes
    assert r1 in r1.resource  # type: ignore[operator]
    assert len(r1.resource) == 2  # type: ignore[arg-type]


def test_resource_add_route_directly(router: UrlDispatcher, h: Any) -> None:
    resource = router.add_resource("/r", name="r")
    assert isinstance(resource, Resource)
    route = resource.add_route("PATCH", h)
    assert route.resource is resource
    assert route.url_for() == resource.url_for()


def test_register_route_requires_resource_route(router: UrlDispatcher) -> None:
    resource = router.add_resource("/r")
    with pytest.raises(TypeError):
        resource.register_route(object())  # type: ignore[arg-type]


def test_reprs(router: UrlDispatcher, h: Any) -> None:
    route = router.add_get("/a/{x}", h, name="n")
    assert re.fullmatch(
        r"<ResourceRoute \[GET\] <DynamicResource 'n'\s+/a/\{x\}> -> .*>", repr(route)
    )
    assert "UrlDispatcher" in repr(router)
