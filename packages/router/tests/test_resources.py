"""Resources on their own: url_for, add_prefix, get_info, canonical, raw_match."""

from __future__ import annotations

import re
from typing import Any

import pytest
from yarl import URL

from aioweb.router import DynamicResource, PlainResource, PrefixResource, UrlDispatcher


def test_plain_resource() -> None:
    resource = PlainResource("/a/b", name="ab")
    assert resource.canonical == "/a/b"
    assert resource.url_for() == URL("/a/b")
    assert resource.get_info() == {"path": "/a/b"}
    assert resource.raw_match("/a/b")
    assert not resource.raw_match("/a/b/")
    resource.add_prefix("/pre")
    assert resource.canonical == "/pre/a/b"
    with pytest.raises(TypeError):
        resource.url_for(x="1")
    assert len(resource) == 0


def test_plain_resource_with_encoded_characters() -> None:
    assert str(PlainResource("/caf%C3%A9").url_for()) == "/caf%C3%A9"


def test_dynamic_url_for_quotes_values() -> None:
    resource = DynamicResource("/u/{name}/{rest:.*}", name="u")
    assert resource.canonical == "/u/{name}/{rest}"
    url = resource.url_for(name="a b/c?d#e%", rest="x/y")
    assert url.raw_path == "/u/a%20b/c%3Fd%23e%25/x/y"
    assert isinstance(url, URL)
    assert resource.url_for(name="é", rest="").raw_path == "/u/%C3%A9/"
    assert str(resource.url_for(name=5, rest="z")) == "/u/5/z"
    with pytest.raises(KeyError, match="rest"):
        resource.url_for(name="x")
    with pytest.raises(TypeError):
        resource.url_for("x")


def test_dynamic_get_info_and_prefix() -> None:
    resource = DynamicResource("/n/{id:\\d+}")
    info = resource.get_info()
    assert info["formatter"] == "/n/{id}"
    assert isinstance(info["pattern"], re.Pattern)
    assert info["pattern"].fullmatch("/n/12")
    # ASCII digits only (SECURITY.md), and no other narrowing of Unicode semantics.
    assert not info["pattern"].fullmatch("/n/\u0661")
    assert DynamicResource("/w/{x:\\w+}")._match("/w/é") == {"x": "é"}
    resource.add_prefix("/api")
    assert resource.canonical == "/api/n/{id}"
    assert resource._match("/api/n/3") == {"id": "3"}
    assert resource._match("/n/3") is None
    assert resource.raw_match("/n/{id:\\d+}")
    assert resource.parts[0] == (None, "/api")


def test_literal_parts_are_requoted() -> None:
    resource = DynamicResource("/a b/{x}")
    assert resource.canonical == "/a%20b/{x}"


def test_prefix_resource_rules() -> None:
    with pytest.raises(ValueError):
        StaticLike("x")
    with pytest.raises(ValueError):
        StaticLike("/x/")
    assert StaticLike("/x").canonical == "/x"


class StaticLike(PrefixResource):
    def url_for(self, *args: str, **kwargs: Any) -> URL:
        return URL("/")

    async def resolve(self, request: Any) -> Any:
        return None, set()

    def get_info(self) -> dict[str, Any]:
        return {}

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())


async def test_route_url_for_and_info(h: Any) -> None:
    router = UrlDispatcher()
    route = router.add_get("/u/{id}", h, name="u")
    assert str(route.url_for(id="3")) == "/u/3"
    assert route.get_info()["formatter"] == "/u/{id}"
    assert route.resource is router["u"]
