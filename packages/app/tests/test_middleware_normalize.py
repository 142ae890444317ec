"""normalize_path_middleware: the redirects it makes, and never to another origin."""

from __future__ import annotations

from typing import Any

import pytest

from aioweb.app import Application, Request, normalize_path_middleware
from aioweb.exceptions import HTTPFound, HTTPNotFound, HTTPPermanentRedirect
from aioweb.server import Response

Run = Any  # the "run" fixture of conftest.py


async def handler(request: Request) -> Response:
    return Response(text=request.path)


def make_app(**kwargs: Any) -> Application:
    app = Application(middlewares=[normalize_path_middleware(**kwargs)])
    for path in ("/", "/slash/", "/noslash", "/a/b/", "/evil.com/", "/evil.com", "/%2Fevil.com/"):
        app.router.add_get(path, handler)
    return app


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/slash", "/slash/"),
        ("/slash?x=1&y=2", "/slash/?x=1&y=2"),
        ("//slash", "/slash/"),
        ("/a//b", "/a/b/"),
        ("/a///b/", "/a/b/"),
    ],
)
async def test_append_slash_and_merge(run: Run, target: str, location: str) -> None:
    _, exc = await run(make_app(), "GET", target)
    assert isinstance(exc, HTTPPermanentRedirect)
    assert exc.location == location


@pytest.mark.parametrize(
    ("target", "location"),
    [("/noslash/", "/noslash"), ("/noslash/?q=1", "/noslash?q=1"), ("//noslash//", "/noslash")],
)
async def test_remove_slash(run: Run, target: str, location: str) -> None:
    app = make_app(append_slash=False, remove_slash=True)
    _, exc = await run(app, "GET", target)
    assert isinstance(exc, HTTPPermanentRedirect)
    assert exc.location == location


async def test_existing_routes_and_true_misses_are_untouched(run: Run) -> None:
    app = make_app()
    _, response = await run(app, "GET", "/slash/")
    assert response.status == 200
    _, exc = await run(app, "GET", "/nowhere")
    assert isinstance(exc, HTTPNotFound)


async def test_redirect_class_and_options(run: Run) -> None:
    app = make_app(redirect_class=HTTPFound)
    _, exc = await run(app, "GET", "/slash")
    assert type(exc) is HTTPFound
    app = make_app(merge_slashes=False)
    _, exc = await run(app, "GET", "/a//b/")
    assert isinstance(exc, HTTPNotFound)
    with pytest.raises(ValueError, match="both"):
        normalize_path_middleware(append_slash=True, remove_slash=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "///evil.com",
        "////evil.com/",
        "//evil.com?next=1",
        "///evil.com/?a=b",
        "/\\evil.com",
        "/\\/evil.com",
        "//\\evil.com",
        "/%2F%2Fevil.com",
        "//%2Fevil.com",
    ],
)
async def test_never_redirects_to_another_origin(run: Run, target: str) -> None:
    """CVE-2021-21330: the Location is a path on this origin, whatever the request."""
    app = make_app()
    _, result = await run(app, "GET", target)
    if isinstance(result, HTTPPermanentRedirect):
        location = result.location
        assert location.startswith("/")
        assert location[1:2] not in ("/", "\\"), location
        assert "\\" not in location
    else:
        assert result.status in (200, 404)


async def test_double_slash_host_lookalike_lands_on_local_path(run: Run) -> None:
    _, exc = await run(make_app(), "GET", "//evil.com")
    assert isinstance(exc, HTTPPermanentRedirect)
    assert exc.location == "/evil.com"
    _, exc = await run(make_app(), "GET", "///evil.com?x=1")
    assert exc.location == "/evil.com?x=1"


async def test_normalize_in_sub_application_resolves_in_sub(run: Run) -> None:
    app = Application()
    sub = Application(middlewares=[normalize_path_middleware()])
    sub.router.add_get("/page/", handler)
    app.add_subapp("/sub", sub)
    _, exc = await run(app, "GET", "/sub/page")
    assert isinstance(exc, HTTPPermanentRedirect)
    assert exc.location == "/sub/page/"
