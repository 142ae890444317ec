"""Side by side with aiohttp's UrlDispatcher: the same registrations give the same answers.

Needs aiohttp (the default environment has it; the solo environment does not).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

aiohttp_web = pytest.importorskip("aiohttp.web")
test_utils = pytest.importorskip("aiohttp.test_utils")
urldispatcher = pytest.importorskip("aiohttp.web_urldispatcher")

from aioweb.router import Domain, MaskDomain, UrlDispatcher  # noqa: E402

from .conftest import FakeRequest  # noqa: E402

PATTERNS = [
    "/",
    "/a",
    "/a/",
    "/a/b",
    "/a/{x}",
    "/a/{x}/",
    "/a/{x:\\d+}",
    "/a/{x}/b",
    "/a/{x}-{y}",
    "/a/{x}.{y}",
    "/a/b{x}",
    "/a{tail:.*}",
    "/a/{tail:.*}",
    "/{x}",
    "/{x}/{y}",
    "/{x}/b",
    "/{x:[a-z]+}/{y:\\d{2}}",
    "/c a/{x}",
    "/%C3%A9/{x}",
    "/é/{x}",
]

PATHS = [
    "/",
    "//",
    "/a",
    "/a/",
    "/a/b",
    "/a/b/",
    "/a/1",
    "/a/12",
    "/a/1/",
    "/a/1/b",
    "/a/1-2",
    "/a/x.y.z",
    "/a/bz",
    "/ab/c",
    "/b",
    "/b/b",
    "/ab/12",
    "/a/%2F",
    "/a/x%2Fy/b",
    "/a/%25",
    "/c%20a",
    "/%C3%A9",
    "/a/%D9%AA",  # U+066A, not a digit: same answer in both
    "/a/%C3%A9",  # \w matches it in both: only \d is narrowed to ASCII
]


async def _handler(request: Any) -> None:
    return None


def _outcome(match_info: Any, ids: dict[int, int]) -> Any:
    exc = match_info.http_exception
    if exc is None:
        return ("ok", ids[id(match_info.route)], dict(match_info))
    if exc.status == 405:
        return (405, sorted(exc.allowed_methods), exc.headers["Allow"])
    return (exc.status,)


async def _compare(routes: list[tuple[str, str]], paths: list[str], methods: list[str]) -> None:
    ours, theirs = UrlDispatcher(), urldispatcher.UrlDispatcher()
    ours_ids: dict[int, int] = {}
    theirs_ids: dict[int, int] = {}
    for n, (method, pattern) in enumerate(routes):
        try:
            their_route = theirs.add_route(method, pattern, _handler)
        except (RuntimeError, ValueError) as exc:
            with pytest.raises(type(exc)):
                ours.add_route(method, pattern, _handler)
            continue
        theirs_ids[id(their_route)] = n
        ours_ids[id(ours.add_route(method, pattern, _handler))] = n
    for path, method in itertools.product(paths, methods):
        their_request = test_utils.make_mocked_request(method, path)
        our_request = FakeRequest(method, their_request.rel_url, their_request.headers)
        expected = _outcome(await theirs.resolve(their_request), theirs_ids)
        got = _outcome(await ours.resolve(our_request), ours_ids)
        assert got == expected, (path, method, routes)


async def test_fixed_corpus_forward_and_backward() -> None:
    routes = [("GET", p) for p in PATTERNS] + [("POST", p) for p in PATTERNS[::3]]
    await _compare(routes, PATHS, ["GET", "POST", "PUT"])
    await _compare(routes[::-1], PATHS, ["GET", "POST", "PUT"])


async def test_any_method_and_order() -> None:
    routes = [("*", "/a/{x}"), ("GET", "/a/1"), ("POST", "/a/{y:\\d+}"), ("*", "/{z}/1")]
    await _compare(routes, PATHS, ["GET", "POST", "DELETE"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    routes=st.lists(
        st.tuples(st.sampled_from(["GET", "POST", "*"]), st.sampled_from(PATTERNS)),
        min_size=1,
        max_size=10,
    ),
    paths=st.lists(st.sampled_from(PATHS), min_size=1, max_size=6),
)
async def test_random_tables(routes: list[tuple[str, str]], paths: list[str]) -> None:
    await _compare(routes, paths, ["GET", "POST"])


@pytest.mark.parametrize(
    "pattern",
    ["/{", "/}", "/{}", "/{1a}", "/{x:[}", "/{x}/{x}", "/{x}{", "x", "/{a-b}", "/{ab:}"],
)
def test_invalid_patterns_fail_in_both(pattern: str) -> None:
    with pytest.raises(ValueError):
        urldispatcher.UrlDispatcher().add_get(pattern, _handler)
    with pytest.raises(ValueError):
        UrlDispatcher().add_get(pattern, _handler)


@pytest.mark.parametrize("name", ["a.b", "a-b:c", "1a", "a b", "class", "a.def", "é", ""])
def test_route_names_agree(name: str) -> None:
    def attempt(router: Any) -> bool:
        try:
            router.add_get("/x", _handler, name=name)
        except ValueError:
            return False
        return True

    assert attempt(UrlDispatcher()) == attempt(urldispatcher.UrlDispatcher())


@pytest.mark.parametrize("method", ["GET", "get", "M-SEARCH", "GE T", "", "GÉT", "GE\nT"])
def test_methods_agree(method: str) -> None:
    def attempt(router: Any) -> Any:
        try:
            return router.add_route(method, "/x", _handler).method
        except ValueError:
            return None

    assert attempt(UrlDispatcher()) == attempt(urldispatcher.UrlDispatcher())


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        ("/u/{name}", {"name": "a b/c?d#%é"}),
        ("/f/{tail:.*}", {"tail": "x/y z"}),
        ("/c a/{x}", {"x": "1"}),
    ],
)
def test_url_for_agrees(pattern: str, parts: dict[str, str]) -> None:
    ours = UrlDispatcher().add_get(pattern, _handler, name="n").url_for(**parts)
    theirs = urldispatcher.UrlDispatcher().add_get(pattern, _handler, name="n").url_for(**parts)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize(
    "domain", ["example.com", "EXAMPLE.com.", "example.com:80", "example.com:8080", "*.example.com"]
)
def test_domains_agree(domain: str) -> None:
    cls, their_cls = (
        (MaskDomain, urldispatcher.MaskDomain) if "*" in domain else (Domain, urldispatcher.Domain)
    )
    assert cls(domain).canonical == their_cls(domain).canonical


def test_static_url_for_with_version_agrees(tmp_path: Any) -> None:
    (tmp_path / "app.js").write_text("console.log(1)")
    ours = UrlDispatcher().add_static("/s", tmp_path, append_version=True)
    theirs = urldispatcher.UrlDispatcher().add_static("/s", tmp_path, append_version=True)
    assert str(ours.url_for(filename="app.js")) == str(theirs.url_for(filename="app.js"))


async def test_deliberate_difference_ascii_digits() -> None:
    # aiohttp compiles route regexes with Unicode semantics, so \d accepts U+0661
    # (ARABIC-INDIC DIGIT ONE). aioweb compiles with re.ASCII (SECURITY.md: ASCII-only
    # digits everywhere), so the path falls through to the next candidate.
    theirs = urldispatcher.UrlDispatcher()
    theirs.add_get("/a/{x:\\d+}", _handler)
    ours = UrlDispatcher()
    ours.add_get("/a/{x:\\d+}", _handler)
    their_request = test_utils.make_mocked_request("GET", "/a/%D9%A1")
    assert (await theirs.resolve(their_request)).http_exception is None
    our_request = FakeRequest("GET", their_request.rel_url, their_request.headers)
    assert (await ours.resolve(our_request)).http_exception.status == 404


@pytest.mark.parametrize(
    ("pattern", "path"),
    [("/c a/{x}", "/c%20a/1"), ("/é/{x}", "/%C3%A9/1"), ("/%C3%A9/{x}", "/%C3%A9/1")],
)
async def test_deliberate_difference_encoded_fixed_text(pattern: str, path: str) -> None:
    # aiohttp matches the percent-encoded fixed text of a dynamic route against the
    # decoded path, so such a route is never reached (aiohttp issue #13433); aioweb
    # compares decoded with decoded, and url_for()'s URL routes back.
    theirs = urldispatcher.UrlDispatcher()
    theirs.add_get(pattern, _handler, name="r")
    ours = UrlDispatcher()
    ours.add_get(pattern, _handler, name="r")
    their_request = test_utils.make_mocked_request("GET", path)
    assert (await theirs.resolve(their_request)).http_exception is not None
    our_request = FakeRequest("GET", their_request.rel_url, their_request.headers)
    match_info = await ours.resolve(our_request)
    assert match_info.http_exception is None
    assert dict(match_info) == {"x": "1"}
    assert str(ours["r"].url_for(x="1")) == str(theirs["r"].url_for(x="1")) == path


def test_deliberate_difference_trailing_newline_in_method() -> None:
    # aiohttp checks methods with "^...$", and "$" also matches before a final
    # newline, so it accepts "GET\n". aioweb requires the whole string to be a token.
    assert urldispatcher.UrlDispatcher().add_route("GET\n", "/x", _handler).method == "GET\n"
    with pytest.raises(ValueError):
        UrlDispatcher().add_route("GET\n", "/x", _handler)


@pytest.mark.parametrize(
    ("rule", "host"),
    [
        (rule, host)
        for rule in (
            "example.com",
            "example.com:8080",
            "*.example.com",
            "*.example.com:81",
            "a*b.c",
        )
        for host in (
            "example.com",
            "EXAMPLE.COM:8080",
            "a.example.com",
            "a.b.example.com:81",
            "a.example.com:82",
            "axb.c",
            "ab.c",
            "example.org",
        )
    ],
)
def test_domain_matching_agrees(rule: str, host: str) -> None:
    ours = (MaskDomain if "*" in rule else Domain)(rule)
    theirs = (urldispatcher.MaskDomain if "*" in rule else urldispatcher.Domain)(rule)
    assert ours.match_domain(host) == theirs.match_domain(host)
