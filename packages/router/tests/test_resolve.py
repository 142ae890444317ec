"""UrlDispatcher.resolve: matching, decoding, 404/405, ordering, and the index against a scan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from aioweb.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from aioweb.router import AbstractResource, MatchInfoError, UrlDispatcher, UrlMappingMatchInfo
from aioweb.router._index import Bucket, index_key

from .conftest import FakeRequest, MakeRequest


async def resolve(router: UrlDispatcher, make_request: MakeRequest, method: str, path: str) -> Any:
    return await router.resolve(make_request(method, path))


async def test_plain(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    route = router.add_get("/a/b", h)
    mi = await resolve(router, make_request, "GET", "/a/b")
    assert isinstance(mi, UrlMappingMatchInfo)
    assert mi.route is route
    assert mi.handler is h
    assert dict(mi) == {}
    assert mi.http_exception is None
    assert mi.get_info() == {"path": "/a/b"}


async def test_head_uses_get_handler(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a", h)
    mi = await resolve(router, make_request, "HEAD", "/a")
    assert mi.route.method == "HEAD"
    assert mi.handler is h


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/users/{id}", "/users/42", {"id": "42"}),
        ("/{a}/{b}", "/x/y", {"a": "x", "b": "y"}),
        ("/{a}-{b}.json", "/x-y.json", {"a": "x", "b": "y-y"} if False else {"a": "x", "b": "y"}),
        ("/{name}.{ext}", "/archive.tar.gz", {"name": "archive.tar", "ext": "gz"}),
        ("/n/{id:\\d+}", "/n/0123", {"id": "0123"}),
        ("/n/{id:[0-9]{3}}", "/n/123", {"id": "123"}),
        ("/f/{tail:.*}", "/f/a/b/c", {"tail": "a/b/c"}),
        ("/f/{tail:.*}", "/f/", {"tail": ""}),
        ("/f{tail:.*}", "/fun/x", {"tail": "un/x"}),
        ("/u/{name}", "/u/caf%C3%A9", {"name": "café"}),
        ("/u/{name}", "/u/a%20b", {"name": "a b"}),
        ("/u/{name}", "/u/a%2Fb", {"name": "a/b"}),
        ("/u/{name}", "/u/100%25", {"name": "100%"}),
        ("/u/{name}", "/u/%7E", {"name": "~"}),
        ("/p/{a}/x/{b:\\w+}/y", "/p/1/x/two/y", {"a": "1", "b": "two"}),
    ],
)
async def test_dynamic(
    make_request: MakeRequest, h: Any, pattern: str, path: str, expected: dict[str, str]
) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, h)
    mi = await resolve(router, make_request, "GET", path)
    assert mi.http_exception is None, mi
    assert dict(mi) == expected


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("/users/{id}", "/users/"),
        ("/users/{id}", "/users/a/b"),
        ("/users/{id}", "/users"),
        ("/n/{id:\\d+}", "/n/12a"),
        # ASCII digits only (SECURITY.md): Arabic-Indic and fullwidth digits do not match \d.
        ("/n/{id:\\d+}", "/n/%D9%A1%D9%A2"),
        ("/n/{id:\\d+}", "/n/%EF%BC%91"),
        ("/{a}.{b}", "/nodot"),
    ],
)
async def test_dynamic_no_match(make_request: MakeRequest, h: Any, pattern: str, path: str) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, h)
    mi = await resolve(router, make_request, "GET", path)
    assert isinstance(mi, MatchInfoError)
    assert isinstance(mi.http_exception, HTTPNotFound)


async def test_default_variable_does_not_cross_encoded_slash_boundaries(
    make_request: MakeRequest, h: Any
) -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}/b", h)
    mi = await resolve(router, make_request, "GET", "/a/1%2F2/b")
    assert dict(mi) == {"x": "1/2"}


@pytest.mark.parametrize(
    ("pattern", "path", "found"),
    [
        ("/a", "/a", True),
        ("/a", "/a/", False),
        ("/a/", "/a", False),
        ("/a/", "/a/", True),
        ("/a/{x}", "/a/1/", False),
        ("/a/{x}/", "/a/1/", True),
        ("/a/{x}/", "/a/1", False),
        ("/", "/", True),
        ("/", "//", False),
    ],
)
async def test_trailing_slash_is_significant(
    make_request: MakeRequest, h: Any, pattern: str, path: str, found: bool
) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, h)
    mi = await resolve(router, make_request, "GET", path)
    assert (mi.http_exception is None) is found


async def test_method_not_allowed_lists_allow(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}", h)
    router.add_put("/a/{x}", h)
    mi = await resolve(router, make_request, "POST", "/a/1")
    assert isinstance(mi, MatchInfoError)
    exc = mi.http_exception
    assert isinstance(exc, HTTPMethodNotAllowed)
    assert exc.status == 405
    assert exc.method == "POST"
    assert exc.allowed_methods == {"GET", "HEAD", "PUT"}
    assert exc.headers["Allow"] == "GET,HEAD,PUT"
    with pytest.raises(HTTPMethodNotAllowed):
        await mi.handler(make_request("POST", "/a/1"))
    assert repr(mi) == "<MatchInfoError 405: Method Not Allowed>"


async def test_allow_collects_every_resource_matching_the_path(
    make_request: MakeRequest, h: Any
) -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}", h)
    router.add_post("/a/{y:\\d+}", h)
    router.add_delete("/a/1", h)
    mi = await resolve(router, make_request, "PATCH", "/a/1")
    assert mi.http_exception.allowed_methods == {"GET", "HEAD", "POST", "DELETE"}
    mi = await resolve(router, make_request, "PATCH", "/a/z")
    assert mi.http_exception.allowed_methods == {"GET", "HEAD"}


async def test_not_found(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a", h)
    mi = await resolve(router, make_request, "GET", "/b")
    assert isinstance(mi.http_exception, HTTPNotFound)
    assert mi.http_exception.status == 404
    assert mi.route.name is None
    with pytest.raises(HTTPNotFound):
        await mi.handler(make_request("GET", "/b"))
    with pytest.raises(RuntimeError, match="SystemRoute"):
        mi.route.url_for()
    assert mi.get_info() == {"http_exception": mi.http_exception}
    assert repr(mi.route) == "<SystemRoute 404: Not Found>"


async def test_empty_router(make_request: MakeRequest) -> None:
    mi = await resolve(UrlDispatcher(), make_request, "GET", "/")
    assert isinstance(mi.http_exception, HTTPNotFound)


async def test_any_method(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a", h, allow_head=False)
    any_route = router.add_route("*", "/a", h)
    for method in ("POST", "DELETE", "PROPFIND", "HEAD"):
        mi = await resolve(router, make_request, method, "/a")
        assert mi.route is any_route
    assert (await resolve(router, make_request, "GET", "/a")).route.method == "GET"


async def test_first_registered_wins_among_same_key(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    first = router.add_get("/a/{x}", h)
    router.add_get("/a/{y:\\d+}", h)
    router.add_get("/a{z:.*}", h)  # key "/": tried after the "/a" key
    mi = await resolve(router, make_request, "GET", "/a/1")
    assert mi.route is first


async def test_plain_path_key_is_tried_before_shorter_keys(
    make_request: MakeRequest, h: Any
) -> None:
    # As in aiohttp 3.10+: the key of plain /a/1 is "/a/1", longer than "/a".
    router = UrlDispatcher()
    router.add_get("/a/{x}", h)
    plain = router.add_get("/a/1", h)
    mi = await resolve(router, make_request, "GET", "/a/1")
    assert mi.route is plain


async def test_plain_registered_first_wins(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    plain = router.add_get("/a/1", h)
    router.add_get("/a/{x}", h)
    mi = await resolve(router, make_request, "GET", "/a/1")
    assert mi.route is plain


async def test_longer_static_prefix_is_tried_first(make_request: MakeRequest, h: Any) -> None:
    # aiohttp (3.10+) walks the path from the longest prefix: /a/b beats the catch-all
    # even though the catch-all was registered first.
    router = UrlDispatcher()
    router.add_get("/a/{tail:.*}", h)
    specific = router.add_get("/a/b/{x}", h)
    mi = await resolve(router, make_request, "GET", "/a/b/c")
    assert mi.route is specific


async def test_same_path_second_resource_other_method(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}", h, name="one")
    post = router.add_post("/a/{x}", h, name="two")
    mi = await resolve(router, make_request, "POST", "/a/1")
    assert mi.route is post


async def test_resolution_after_late_registration(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    router.add_get("/a", h)
    assert (await resolve(router, make_request, "GET", "/a")).http_exception is None
    router.add_get("/b/{x}", h)
    assert (await resolve(router, make_request, "GET", "/b/1")).http_exception is None


async def test_custom_resource_goes_through_its_resolve(make_request: MakeRequest, h: Any) -> None:
    from aioweb.router import PlainResource

    class Counting(PlainResource):
        calls = 0

        async def resolve(self, request: Any) -> Any:
            type(self).calls += 1
            return await super().resolve(request)

    router = UrlDispatcher()
    resource = Counting("/c")
    router.register_resource(resource)
    resource.add_route("GET", h)
    assert (await resolve(router, make_request, "GET", "/c")).http_exception is None
    assert Counting.calls == 1


# The index must give exactly the answer of aiohttp's scan. The reference below is
# that scan, written over our own resources.
async def reference_resolve(router: UrlDispatcher, request: FakeRequest) -> tuple[Any, set[str]]:
    resources: list[AbstractResource] = list(router.resources())
    allowed: set[str] = set()
    url_part = request.rel_url.path_safe
    while url_part:
        for resource in resources:
            if index_key(resource) != url_part:
                continue
            mi, methods = await resource.resolve(request)
            if mi is not None:
                return mi.route, allowed
            allowed |= set(methods)
        if url_part == "/":
            break
        url_part = url_part.rpartition("/")[0] or "/"
    return None, allowed


# Fixed text that URLs percent-encode ("é", "c d") is keyed and matched decoded.
_SEGMENTS = st.sampled_from(
    [
        "a", "b", "ab", "{x}", "{y:\\d+}", "a{x}", "{x}b", "{x}.{y}", "{t:.*}", "{z:[ab]+}", "",
        "é", "c d", "é{x}", "%C3%A9",
    ]
)  # fmt: skip
_PATTERNS = st.lists(_SEGMENTS, min_size=1, max_size=4).map(
    lambda segs: "/" + "/".join(s.replace("{x}", "{x}", 1) for s in segs)
)
_PATHS = st.lists(
    st.sampled_from(["a", "b", "ab", "1", "12", "a.b", "ba", "", "a1", "é", "c d", "éa"]),
    max_size=5,
).map(lambda segs: "/" + "/".join(segs))


def _unique_vars(pattern: str) -> str:
    # Rename repeated variables so that every generated pattern is valid.
    out, seen = [], 0
    for piece in pattern.split("{"):
        if out and piece[:1] in "xyzt" and (piece[1:2] in ":}"):
            seen += 1
            piece = piece[0] + str(seen) + piece[1:]
        out.append(piece)
    return "{".join(out)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    routes=st.lists(
        st.tuples(_PATTERNS, st.sampled_from(["GET", "POST", "*"])), min_size=1, max_size=12
    ),
    paths=st.lists(_PATHS, min_size=1, max_size=8),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
async def test_index_agrees_with_a_full_scan(
    make_request: MakeRequest, routes: list[tuple[str, str]], paths: list[str], method: str
) -> None:
    # SMALL = 0 sends every key through the segment tree, whatever its size.
    original, Bucket.SMALL = Bucket.SMALL, 0
    try:
        await _check_against_scan(make_request, routes, paths, method)
        Bucket.SMALL = original
        await _check_against_scan(make_request, routes, paths, method)
    finally:
        Bucket.SMALL = original


async def _check_against_scan(
    make_request: MakeRequest, routes: list[tuple[str, str]], paths: list[str], method: str
) -> None:
    async def handler(request: Any) -> None:
        return None

    router = UrlDispatcher()
    for pattern, meth in routes:
        resource = router.add_resource(_unique_vars(pattern))
        try:
            resource.add_route(meth, handler)
        except RuntimeError:
            pass  # "will never be executed": registration order makes it unreachable
    for path in paths:
        request = make_request(method, path)
        mi = await router.resolve(request)
        expected_route, expected_allowed = await reference_resolve(router, request)
        if expected_route is not None:
            assert mi.route is expected_route, (path, routes)
        elif expected_allowed:
            assert mi.http_exception.allowed_methods == expected_allowed, (path, routes)
        else:
            assert isinstance(mi.http_exception, HTTPNotFound), (path, routes)


async def test_index_flat_many_routes(make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    for i in range(2000):
        router.add_get(f"/api/{{v}}/item{i}/{{id}}", h, name=f"r{i}")
    router.freeze()
    mi = await resolve(router, make_request, "GET", "/api/2/item1999/7")
    assert mi.route.name == "r1999"
    assert dict(mi) == {"v": "2", "id": "7"}
    bucket = router._index.buckets["/api"]  # type: ignore[union-attr]
    found = bucket.candidates("/api/2/item1999/7", ["", "api", "2", "item1999", "7"])
    assert len(found) == 1


def test_index_keys() -> None:
    from aioweb.router import DynamicResource, PlainResource

    assert index_key(PlainResource("/a/b/")) == "/a/b"
    assert index_key(PlainResource("/")) == "/"
    assert index_key(DynamicResource("/a/{x}/b")) == "/a"
    assert index_key(DynamicResource("/a{x}")) == "/"
    assert index_key(DynamicResource("/core/locations{tail:.*}")) == "/core"


@pytest.mark.parametrize("small", [0, Bucket.SMALL])
@pytest.mark.parametrize(
    ("patterns", "path", "winner"),
    [
        # tail (may match "/") registered first, then a one-segment variable
        (["/a/{t:.*}", "/a/{x}"], "/a/b", 0),
        (["/a/{x}", "/a/{t:.*}"], "/a/b", 0),
        # variable with literal prefix vs bare variable vs literal segment
        (["/a/{x}/c", "/a/b{y}/c", "/a/b/c/{z:.*}"], "/a/bb/c", 0),
        (["/a/b{y}/c", "/a/{x}/c"], "/a/bb/c", 0),
        (["/a/{x}/{y}", "/a/b/{y}"], "/a/b/c", 1),  # key /a/b is longer than /a
        (["/a/{x}.{e}", "/a/{x}"], "/a/f.txt", 0),
        (["/a/{x}", "/a/{x}.{e}"], "/a/f.txt", 0),
        (["/a/{n:\\d+}", "/a/{x}"], "/a/12", 0),
        (["/a/{n:\\d+}", "/a/{x}"], "/a/ab", 1),
        (["/a/x{n:[0-9]+}y", "/a/x{s}"], "/a/x1y", 0),
        (["/a/x{s}", "/a/x{n:[0-9]+}y"], "/a/x1y", 0),
        (["/{x}/b", "/{t:.*}", "/a/{y}"], "/a/b", 2),
        (["/{t:.*}", "/{x}/b"], "/a/b", 0),
        (["/{x}/b", "/{t:.*}"], "/a/b", 0),
    ],
)
async def test_registration_order_inside_one_key(
    make_request: MakeRequest,
    h: Any,
    patterns: list[str],
    path: str,
    winner: int,
    small: int,
) -> None:
    original, Bucket.SMALL = Bucket.SMALL, small
    try:
        router = UrlDispatcher()
        routes = [router.add_get(pattern, h) for pattern in patterns]
        mi = await resolve(router, make_request, "GET", path)
        assert mi.route is routes[winner]
        expected_route, _ = await reference_resolve(router, make_request("GET", path))
        assert expected_route is routes[winner]
    finally:
        Bucket.SMALL = original


class _PathSafeOnly:
    """A request that offers ``path_safe``: the router must not build or read rel_url."""

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path_safe = path
        self.headers: dict[str, str] = {}

    @property
    def rel_url(self) -> URL:
        raise AssertionError("rel_url read although path_safe was given")


async def test_router_reads_path_safe_when_the_request_offers_it() -> None:
    async def handler(request: object) -> str:
        return "ok"

    sub = UrlDispatcher()
    sub.add_get("/x/{name}", handler)
    router = UrlDispatcher()
    router.add_get("/plain", handler)
    router.add_get("/items/{id}", handler)
    router.add_resource("/sub").add_route("GET", handler)
    info = await router.resolve(_PathSafeOnly("GET", "/items/a%2Fb"))
    assert info.get("id") == "a/b"  # %2F kept for matching, decoded in the value
    assert (await router.resolve(_PathSafeOnly("GET", "/plain"))).route.handler is handler
    assert (await router.resolve(_PathSafeOnly("GET", "/nope"))).http_exception is not None
