"""What the side-by-side URL probe found in the router, pinned down without sockets.

- fixed text that URLs percent-encode (a space, non-ASCII) in a dynamic route, a
  static prefix or a sub-application prefix is compared decoded, as the request's
  ``path_safe`` is, so the URL ``url_for()`` builds routes back (aiohttp's encoded
  comparison never matches: aiohttp issue #13433);
- only ``\\d`` is narrowed to ASCII in route regexes; ``\\w`` and the rest keep
  Python's Unicode semantics, as in aiohttp.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

from aioweb.router import PrefixedSubAppResource, UrlDispatcher
from aioweb.router._helpers import ascii_digits, safe_form
from aioweb.router._index import Bucket, index_key

from .conftest import FakeRequest, RecordingResponder


async def _handler(request: Any) -> None:
    return None


def _request(target: str, method: str = "GET") -> FakeRequest:
    # As a server builds rel_url: the target as sent, nothing re-encoded.
    return FakeRequest(method, URL.build(path=target, encoded=True))


@pytest.fixture(params=["small", "tree"])
def bucket_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Resolve through the short candidate list and, with SMALL = 0, the segment tree."""
    original = Bucket.SMALL
    if request.param == "tree":
        Bucket.SMALL = 0
    try:
        yield request.param
    finally:
        Bucket.SMALL = original


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b", "a b"),
        ("a%20b", "a b"),
        ("é", "é"),
        ("%C3%A9", "é"),
        ("a%2Fb", "a%2Fb"),
        ("a%25b", "a%25b"),
        ("a%b", "a%b"),
        ("x:y", "x:y"),
        ("", ""),
    ],
)
def test_safe_form_spells_text_as_path_safe_does(value: str, expected: str) -> None:
    assert safe_form(value) == expected


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        ("\\d+", "[0-9]+"),
        ("[\\d.]+", "[0-9.]+"),
        ("[^\\d]", "[^0-9]"),
        ("[]\\d]", "[]0-9]"),
        ("[^]\\d]", "[^]0-9]"),
        ("\\\\d", "\\\\d"),
        ("\\D\\w", "\\D\\w"),
        ("\\d{2}[a\\d]x\\d", "[0-9]{2}[a0-9]x[0-9]"),
    ],
)
def test_ascii_digits_rewrites_only_the_digit_class(regex: str, expected: str) -> None:
    assert ascii_digits(regex) == expected
    re.compile(expected)


@pytest.mark.parametrize(
    ("pattern", "target", "expected"),
    [
        ("/hello world/{name}", "/hello%20world/ann", {"name": "ann"}),
        ("/hello%20world/{name}", "/hello%20world/ann", {"name": "ann"}),
        ("/é/{v}/x", "/%C3%A9/1/x", {"v": "1"}),
        ("/%C3%A9/{v}", "/%c3%a9/1", {"v": "1"}),
        ("/уни/{v}", "/%D1%83%D0%BD%D0%B8/%D0%B2", {"v": "в"}),
        ("/a{v}é", "/ab%C3%A9", {"v": "b"}),
        ("/{v}:y", "/a:y", {"v": "a"}),
        ("/p%2Fq/{v}", "/p%2Fq/1", {"v": "1"}),
    ],
)
async def test_encoded_fixed_text_of_a_dynamic_route_is_reached(
    bucket_mode: str, pattern: str, target: str, expected: dict[str, str]
) -> None:
    router = UrlDispatcher()
    for n in range(6):  # neighbours under the same key, so the tree has work to do
        router.add_get(f"/{n}/{{v}}", _handler)
    route = router.add_get(pattern, _handler, name="r")
    match_info = await router.resolve(_request(target))
    assert match_info.http_exception is None, (pattern, target)
    assert match_info.route is route
    assert dict(match_info) == expected
    # url_for() builds a URL that routes back to the same resource.
    built = router["r"].url_for(**expected)
    again = await router.resolve(_request(built.raw_path))
    assert again.route is route


def test_dynamic_route_keeps_aiohttps_introspection() -> None:
    router = UrlDispatcher()
    resource = router.add_resource("/hello world/{name:\\d+}")
    assert resource.canonical == "/hello%20world/{name}"
    assert resource.get_info()["formatter"] == "/hello%20world/{name}"
    assert index_key(resource) == "/hello world"
    assert str(resource.url_for(name="1")) == "/hello%20world/1"


@pytest.mark.parametrize("prefix", ["/stätic", "/st atic", "/st%20atic"])
async def test_static_prefix_with_encoded_text(
    tmp_path: Path, responder: RecordingResponder, prefix: str
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a b.txt").write_text("x")
    (tmp_path / "sub" / "c.txt").write_text("y")
    router = UrlDispatcher(static_responder=responder)
    resource = router.add_static(prefix, tmp_path, name="s", show_index=True)
    encoded = resource.canonical
    assert encoded == URL.build(path=safe_form(prefix), encoded=False).raw_path
    for target, kind in [
        (f"{encoded}/a%20b.txt", "file"),
        (f"{encoded}/sub/c.txt", "file"),
        (f"{encoded}/", "index"),
        (f"{encoded}/sub", "index"),
    ]:
        match_info = await router.resolve(_request(target))
        assert match_info.http_exception is None, target
        assert (await match_info.handler(_request(target)))[0] == kind
    # Index links carry the encoded prefix once, then the quoted names.
    html = (await (await router.resolve(_request(encoded + "/"))).handler(_request(encoded + "/")))[
        1
    ]
    assert f'href="{encoded}/a%20b.txt"' in html
    assert f'href="{encoded}/sub"' in html
    assert str(resource.url_for(filename="a b.txt")) == f"{encoded}/a%20b.txt"
    # The decoded prefix is no way around the root.
    missing = await router.resolve(_request(f"{encoded}/../a%20b.txt"))
    with pytest.raises(Exception, match="Not Found"):
        await missing.handler(_request(f"{encoded}/../a%20b.txt"))


class _SubApp:
    def __init__(self) -> None:
        self.router = UrlDispatcher()


@pytest.mark.parametrize("prefix", ["/süb", "/s b"])
async def test_sub_application_prefix_with_encoded_text(bucket_mode: str, prefix: str) -> None:
    sub = _SubApp()
    plain = sub.router.add_get("/x", _handler, name="x")
    dynamic = sub.router.add_get("/{v}", _handler, name="v")
    router = UrlDispatcher()
    router.register_resource(PrefixedSubAppResource(prefix, sub))
    encoded = URL.build(path=prefix, encoded=False).raw_path
    for target, route in [(f"{encoded}/x", plain), (f"{encoded}/%C3%A9", dynamic)]:
        match_info = await router.resolve(_request(target))
        assert match_info.http_exception is None, target
        assert match_info.route is route
    built = sub.router["v"].url_for(v="é")
    assert built.raw_path == f"{encoded}/%C3%A9"


async def test_word_class_is_unicode_and_digit_class_ascii(bucket_mode: str) -> None:
    router = UrlDispatcher()
    word = router.add_get("/w/{x:\\w+}", _handler)
    router.add_get("/n/{x:\\d+}", _handler)
    match_info = await router.resolve(_request("/w/%C3%A9t%C3%A9"))
    assert match_info.route is word
    assert dict(match_info) == {"x": "été"}
    assert (await router.resolve(_request("/n/%D9%A1"))).http_exception is not None
    assert (await router.resolve(_request("/n/12"))).http_exception is None
