"""Sub-application resources (prefix and domain) and the domain rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from aioweb.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from aioweb.router import (
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlDispatcher,
)

from .conftest import MakeRequest


@dataclass(eq=False)
class FakeApp:
    """Satisfies aioweb.router.SubApplication."""

    router: UrlDispatcher = field(default_factory=UrlDispatcher)


async def test_prefixed_sub_app(make_request: MakeRequest, h: Any) -> None:
    root, sub = FakeApp(), FakeApp()
    sub.router.add_get("/", h, name="index")
    sub.router.add_get("/item/{id}", h, name="item")
    sub.router.add_get("/", h, name="dup")  # a second resource on the same path
    resource = PrefixedSubAppResource("/sub", sub)
    root.router.register_resource(resource)
    root.router.add_get("/sub-other", h)

    assert str(sub.router["item"].url_for(id="1")) == "/sub/item/1"
    assert str(sub.router["index"].url_for()) == "/sub/"
    mi = await root.router.resolve(make_request("GET", "/sub/item/5"))
    assert dict(mi) == {"id": "5"}
    assert mi.apps == (sub,)
    assert mi.current_app is sub
    assert (await root.router.resolve(make_request("GET", "/sub/"))).route.name == "index"
    assert (await root.router.resolve(make_request("GET", "/sub-other"))).handler is h

    # A miss inside the prefix is the sub-application's 404, with the app on the stack.
    miss = await root.router.resolve(make_request("GET", "/sub/nothing"))
    assert isinstance(miss.http_exception, HTTPNotFound)
    assert miss.apps == (sub,)
    wrong = await root.router.resolve(make_request("POST", "/sub/item/5"))
    assert isinstance(wrong.http_exception, HTTPMethodNotAllowed)
    assert wrong.http_exception.allowed_methods == {"GET", "HEAD"}

    assert resource.get_info() == {"app": sub, "prefix": "/sub"}
    assert resource.canonical == "/sub"
    assert len(resource) == 6
    assert {route.method for route in resource} == {"GET", "HEAD"}
    with pytest.raises(RuntimeError, match="sub-application root"):
        resource.url_for()
    assert "PrefixedSubAppResource /sub" in repr(resource)


async def test_nested_prefix(make_request: MakeRequest, h: Any) -> None:
    root, mid, leaf = FakeApp(), FakeApp(), FakeApp()
    leaf.router.add_get("/x/{v}", h, name="x")
    mid.router.register_resource(PrefixedSubAppResource("/leaf", leaf))
    root.router.register_resource(PrefixedSubAppResource("/mid", mid))
    assert str(leaf.router["x"].url_for(v="1")) == "/mid/leaf/x/1"
    mi = await root.router.resolve(make_request("GET", "/mid/leaf/x/1"))
    assert mi.apps == (mid, leaf)
    assert dict(mi) == {"v": "1"}


@pytest.mark.parametrize("prefix", ["/", "sub", "/sub/"])
def test_add_prefix_is_checked(prefix: str) -> None:
    app = FakeApp()
    app.router.add_resource("/x")
    with pytest.raises(ValueError, match="prefix"):
        PrefixedSubAppResource("/ok", app).add_prefix(prefix)


async def test_domain_sub_app(make_request: MakeRequest, h: Any) -> None:
    root, sub = FakeApp(), FakeApp()
    sub.router.add_get("/", h, name="sub-index")
    root.router.add_get("/", h, name="root-index")
    root.router.register_resource(MatchedSubAppResource(Domain("Example.COM"), sub))

    mi = await root.router.resolve(make_request("GET", "/", {"Host": "example.com"}))
    assert mi.route.name == "sub-index"
    assert mi.apps == (sub,)
    other = await root.router.resolve(make_request("GET", "/", {"Host": "other.com"}))
    assert other.route.name == "root-index"
    no_host = await root.router.resolve(make_request("GET", "/"))
    assert no_host.route.name == "root-index"


async def test_mask_domain_sub_app(make_request: MakeRequest, h: Any) -> None:
    root, sub = FakeApp(), FakeApp()
    sub.router.add_get("/", h)
    resource = MatchedSubAppResource(MaskDomain("*.example.com"), sub)
    root.router.register_resource(resource)
    assert (await root.router.resolve(make_request("GET", "/", {"Host": "a.example.com"}))).apps
    miss = await root.router.resolve(make_request("GET", "/", {"Host": "example.com"}))
    assert isinstance(miss.http_exception, HTTPNotFound)
    assert miss.apps == ()
    assert resource.get_info()["app"] is sub
    assert resource.canonical == r"[^:]*\.example\.com(:.*)?"


@pytest.mark.parametrize(
    ("domain", "canonical"),
    [
        ("example.com", "example.com"),
        ("EXAMPLE.com.", "example.com"),
        ("example.com:80", "example.com"),
        ("example.com:8080", "example.com:8080"),
        ("xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
        ("a-b.c", "a-b.c"),
    ],
)
def test_domain_normalisation(domain: str, canonical: str) -> None:
    rule = Domain(domain)
    assert rule.canonical == canonical
    assert rule.get_info() == {"domain": canonical}


@pytest.mark.parametrize(
    "domain",
    [
        "",
        ".",
        "http://example.com",
        "-a.com",
        "a-.com",
        "a..com",
        "a b.com",
        "a_b.com",
        "ex/ample",
        "*.x.com",
    ],
)
def test_invalid_domains(domain: str) -> None:
    with pytest.raises(ValueError):
        Domain(domain)


def test_domain_must_be_str() -> None:
    with pytest.raises(TypeError):
        Domain(b"example.com")  # type: ignore[arg-type]


def test_match_domain() -> None:
    assert Domain("example.com").match_domain("EXAMPLE.com")
    assert Domain("example.com").match_domain("example.com:8080")
    assert not Domain("example.com:8080").match_domain("example.com:8081")
    assert Domain("example.com:8080").match_domain("example.com:8080")
    mask = MaskDomain("*.example.com")
    assert mask.match_domain("a.b.example.com")
    assert not mask.match_domain("example.org")
    assert not mask.match_domain("aexample.com")
