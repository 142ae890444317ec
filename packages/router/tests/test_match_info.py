"""UrlMappingMatchInfo and MatchInfoError."""

from __future__ import annotations

from typing import Any

import pytest

from aioweb.exceptions import HTTPExpectationFailed, HTTPNotFound
from aioweb.router import MatchInfoError, UrlDispatcher, UrlMappingMatchInfo

from .conftest import MakeRequest


@pytest.fixture
async def match_info(make_request: MakeRequest, h: Any) -> UrlMappingMatchInfo:
    router = UrlDispatcher()
    router.add_get("/u/{id}", h, name="user")
    return await router.resolve(make_request("GET", "/u/7"))


def test_is_a_mapping_of_values(match_info: UrlMappingMatchInfo) -> None:
    assert match_info["id"] == "7"
    assert dict(match_info) == {"id": "7"}
    assert match_info.route.name == "user"
    assert match_info.get_info() == {
        "formatter": "/u/{id}",
        "pattern": match_info.get_info()["pattern"],
    }
    assert repr(match_info).startswith("<MatchInfo {'id': '7'}: <ResourceRoute [GET]")


def test_app_stack(match_info: UrlMappingMatchInfo) -> None:
    with pytest.raises(RuntimeError, match="no current application"):
        _ = match_info.current_app
    root, sub = object(), object()
    match_info.add_app(sub)
    match_info.add_app(root)  # resolution adds the innermost first
    assert match_info.apps == (root, sub)
    assert match_info.current_app is sub
    with match_info.set_current_app(root):
        assert match_info.current_app is root
    assert match_info.current_app is sub
    with pytest.raises(RuntimeError, match="Expected one of"), match_info.set_current_app(object()):
        pass
    match_info.freeze()
    with pytest.raises(RuntimeError, match="freeze"):
        match_info.add_app(object())
    assert match_info.apps == (root, sub)


def test_set_current_app_restores_on_error(match_info: UrlMappingMatchInfo) -> None:
    a, b = object(), object()
    match_info.add_app(a)
    match_info.add_app(b)
    with pytest.raises(ZeroDivisionError), match_info.set_current_app(b):
        1 / 0  # noqa: B018
    assert match_info.current_app is a


async def test_expect_handler(match_info: UrlMappingMatchInfo, make_request: MakeRequest) -> None:
    sent: list[bool] = []

    class WithContinue:
        headers = {"Expect": "100-Continue"}

        async def send_continue(self) -> None:
            sent.append(True)

    await match_info.expect_handler(WithContinue())
    assert sent == [True]
    await match_info.expect_handler(make_request("GET", "/", {"Expect": "100-continue"}))
    await match_info.expect_handler(make_request("GET", "/"))
    with pytest.raises(HTTPExpectationFailed) as info:
        await match_info.expect_handler(make_request("GET", "/", {"Expect": "something"}))
    assert info.value.text == "Unknown Expect: something"


async def test_custom_expect_handler(make_request: MakeRequest, h: Any) -> None:
    seen: list[Any] = []

    async def expect(request: Any) -> None:
        seen.append(request)

    router = UrlDispatcher()
    router.add_post("/x", h, expect_handler=expect)
    request = make_request("POST", "/x")
    mi = await router.resolve(request)
    await mi.expect_handler(request)
    assert seen == [request]


def test_match_info_error() -> None:
    exc = HTTPNotFound()
    mi = MatchInfoError(exc)
    assert mi.http_exception is exc
    assert dict(mi) == {}
    assert mi.route.status == 404
    assert mi.route.reason == "Not Found"
    assert mi.route.resource is None
    assert repr(mi) == "<MatchInfoError 404: Not Found>"
