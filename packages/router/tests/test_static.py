"""Static files: safe resolution under the root, with real files, directories and symlinks."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from aioweb.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from aioweb.router import StaticResource, UrlDispatcher

from .conftest import MakeRequest, RecordingResponder


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a.txt").write_text("A")
    (root / "a.txt.gz").write_bytes(b"gz")
    (root / "sub" / "b.txt").write_text("B")
    (root / "with space é.txt").write_text("S")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET")
    (outside / "secret.gz").write_bytes(b"SECRET")
    (root / "link_out").symlink_to(outside / "secret.txt")
    (root / "dirlink_out").symlink_to(outside, target_is_directory=True)
    (root / "link_in").symlink_to(root / "a.txt")
    (root / "sub" / "b.txt.gz").symlink_to(outside / "secret.gz")
    (root / "loop1").symlink_to(root / "loop2")
    (root / "loop2").symlink_to(root / "loop1")
    os.mkfifo(root / "fifo")
    return root


async def serve(
    router: UrlDispatcher,
    make_request: MakeRequest,
    path: str,
    *,
    raw: bool = True,
    method: str = "GET",
) -> Any:
    request = make_request(method, path, raw=raw)
    match_info = await router.resolve(request)
    return await match_info.handler(request)


def make_router(root: Path, responder: RecordingResponder, **kwargs: Any) -> UrlDispatcher:
    router = UrlDispatcher(static_responder=responder)
    router.add_static("/static", root, name="static", **kwargs)
    return router


async def not_found_signature(router: UrlDispatcher, make_request: MakeRequest, path: str) -> Any:
    with pytest.raises(HTTPNotFound) as info:
        await serve(router, make_request, path)
    exc = info.value
    return (type(exc), exc.status, exc.text, sorted(exc.headers.items()))


async def test_serves_files(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    router = make_router(tree, responder, chunk_size=1234)
    assert await serve(router, make_request, "/static/a.txt") == ("file", tree / "a.txt", 1234)
    assert await serve(router, make_request, "/static/sub/b.txt") == (
        "file",
        tree / "sub/b.txt",
        1234,
    )
    _, path, _ = await serve(router, make_request, "/static/with%20space%20%C3%A9.txt")
    assert path == tree / "with space é.txt"
    assert (await serve(router, make_request, "/static/sub//b.txt"))[1] == tree / "sub/b.txt"
    assert (await serve(router, make_request, "/static/./a.txt"))[1] == tree / "a.txt"
    # A symlink that stays inside the root is fine.
    assert (await serve(router, make_request, "/static/link_in"))[1] == tree / "a.txt"


async def test_head_and_405(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    router = make_router(tree, responder)
    assert (await serve(router, make_request, "/static/a.txt", method="HEAD"))[0] == "file"
    mi = await router.resolve(make_request("POST", "/static/a.txt"))
    assert isinstance(mi.http_exception, HTTPMethodNotAllowed)
    assert mi.http_exception.headers["Allow"] == "GET,HEAD"


TRAVERSALS = [
    "/static/../outside/secret.txt",
    "/static/%2e%2e/outside/secret.txt",
    "/static/%2E%2E/outside/secret.txt",
    "/static/.%2e/outside/secret.txt",
    "/static/sub/../../outside/secret.txt",
    "/static/sub/%2e%2e/%2e%2e/outside/secret.txt",
    "/static/..%2Foutside%2Fsecret.txt",
    "/static/%2e%2e%2foutside%2fsecret.txt",
    "/static/sub%2F..%2F..%2Foutside%2Fsecret.txt",
    "/static/..%5Coutside%5Csecret.txt",
    "/static/..\\outside\\secret.txt",
    "/static/%5C..%5Coutside%5Csecret.txt",
    "/static//etc/passwd",
    "/static/%2Fetc%2Fpasswd",
    "/static/%2F%2Fserver%2Fshare%2Fx",
    "/static/%5C%5Cserver%5Cshare%5Cx",
    "/static/\\\\server\\share\\x",
    "/static/C:/Windows/win.ini",
    "/static/C:%5CWindows%5Cwin.ini",
    "/static/c:secret.txt",
    "/static/sub/C:x",
    "/static/a.txt%00",
    "/static/a.txt%00.png",
    "/static/%00",
    "/static/link_out",
    "/static/dirlink_out/secret.txt",
    "/static/loop1",
    "/static/fifo",
    "/static/sub/b.txt.gz/..",
    "/static/missing.txt",
    "/static/",
    "/static",
    "/static/empty",
    "/static/sub/",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_refusals_all_look_like_missing(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest, path: str
) -> None:
    router = make_router(tree, responder)
    missing = await not_found_signature(router, make_request, "/static/does-not-exist")
    assert await not_found_signature(router, make_request, path) == missing
    assert responder.calls == []


@pytest.mark.parametrize("path", [p for p in TRAVERSALS if "secret" in p or "passwd" in p])
async def test_traversal_refused_also_when_client_url_is_normalised(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest, path: str
) -> None:
    router = make_router(tree, responder)
    request = make_request("GET", path)  # yarl removes dot segments here
    mi = await router.resolve(request)
    if mi.http_exception is None:
        with pytest.raises(HTTPNotFound):
            await mi.handler(request)
    assert responder.calls == []


async def test_follow_symlinks_allows_links_but_not_dot_dot(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    router = make_router(tree, responder, follow_symlinks=True)
    secret = tree.parent / "outside" / "secret.txt"
    assert (await serve(router, make_request, "/static/link_out"))[1] == secret
    assert (await serve(router, make_request, "/static/dirlink_out/secret.txt"))[1] == secret
    for path in TRAVERSALS[:24]:
        with pytest.raises(HTTPNotFound):
            await serve(router, make_request, path)
    for path in ("/static/loop1", "/static/fifo", "/static/empty"):
        with pytest.raises(HTTPNotFound):
            await serve(router, make_request, path)


async def test_directory_index(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    (tree / "sub" / "<img src=x onerror=alert(1)>.txt").write_text("x")
    (tree / "sub" / "a&b\"c'd.txt").write_text("x")
    (tree / "sub" / "inner").mkdir()
    router = make_router(tree, responder, show_index=True)
    kind, html = await serve(router, make_request, "/static/sub")
    assert kind == "index"
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "a&amp;b&quot;c&#x27;d.txt" in html
    assert 'href="/static/sub/%3Cimg%20src=x%20onerror=alert(1)%3E.txt"' in html
    assert 'href="/static/sub/inner">inner/</a>' in html
    assert "<title>Index of /sub</title>" in html
    kind, html = await serve(router, make_request, "/static/")
    assert "<h1>Index of /</h1>" in html
    assert 'href="/static/a.txt"' in html
    assert (await serve(router, make_request, "/static"))[0] == "index"
    # Listing never reaches outside the root either.
    with pytest.raises(HTTPNotFound):
        await serve(router, make_request, "/static/dirlink_out")
    with pytest.raises(HTTPNotFound):
        await serve(router, make_request, "/static/%2e%2e")


async def test_directory_name_is_escaped_in_title(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    (tree / "<b>").mkdir()
    router = make_router(tree, responder, show_index=True)
    _, html = await serve(router, make_request, "/static/%3Cb%3E")
    assert "<title>Index of /&lt;b&gt;</title>" in html


async def test_no_responder_is_a_clear_error(tree: Path, make_request: MakeRequest) -> None:
    router = UrlDispatcher()
    router.add_static("/static", tree)
    with pytest.raises(RuntimeError, match="StaticResponder"):
        await serve(router, make_request, "/static/a.txt")


async def test_responder_set_later(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest
) -> None:
    router = UrlDispatcher()
    resource = router.add_static("/static", tree)
    router.static_responder = responder
    assert resource.responder is responder
    assert router.static_responder is responder
    assert (await serve(router, make_request, "/static/a.txt"))[0] == "file"


def test_precompressed_variants_obey_the_root(tree: Path, responder: RecordingResponder) -> None:
    router = make_router(tree, responder)
    resource = router["static"]
    assert isinstance(resource, StaticResource)
    assert resource.precompressed_variant(tree / "a.txt", "gzip") == tree / "a.txt.gz"
    assert resource.precompressed_variant(tree / "a.txt", "br") is None
    assert resource.precompressed_variant(tree / "a.txt", "unknown") is None
    # sub/b.txt.gz is a symlink leaving the root (CVE-2024-42367).
    assert resource.precompressed_variant(tree / "sub" / "b.txt", "gzip") is None
    follow = UrlDispatcher().add_static("/s", tree, follow_symlinks=True)
    assert follow.precompressed_variant(tree / "sub" / "b.txt", "gzip") == (
        tree.parent / "outside" / "secret.gz"
    )


def test_url_for(tree: Path, responder: RecordingResponder) -> None:
    resource = make_router(tree, responder)["static"]
    assert str(resource.url_for(filename="a.txt")) == "/static/a.txt"
    assert str(resource.url_for(filename="/sub/b.txt")) == "/static/sub/b.txt"
    assert str(resource.url_for(filename="with space é.txt")) == "/static/with%20space%20%C3%A9.txt"
    assert str(resource.url_for(filename=Path("sub/b.txt"))) == "/static/sub/b.txt"
    with pytest.raises(TypeError):
        resource.url_for("a.txt")


def test_url_for_append_version(tree: Path, responder: RecordingResponder) -> None:
    router = make_router(tree, responder)
    resource = router["static"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(b"A").digest()).decode()
    url = resource.url_for(filename="a.txt", append_version=True)
    assert url.query["v"] == digest
    assert url.path == "/static/a.txt"
    assert "v" not in resource.url_for(filename="a.txt").query
    for name in ("missing.txt", "../outside/secret.txt", "link_out", "sub", "fifo"):
        assert "v" not in resource.url_for(filename=name, append_version=True).query, name
    always = UrlDispatcher().add_static("/v", tree, append_version=True)
    assert always.url_for(filename="a.txt").query["v"] == digest
    assert "v" not in always.url_for(filename="a.txt", append_version=False).query


def test_bad_directories(tmp_path: Path) -> None:
    router = UrlDispatcher()
    with pytest.raises(ValueError, match="does not exist"):
        router.add_static("/s", tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is not a directory"):
        router.add_static("/s", tmp_path / "file")
    with pytest.raises(ValueError, match="start with '/'"):
        router.add_static("s", tmp_path)
    with pytest.raises(ValueError, match="chunk_size"):
        router.add_static("/s", tmp_path, chunk_size=0)
    assert len(router.resources()) == 0


def test_static_resource_introspection(tree: Path) -> None:
    router = UrlDispatcher()
    resource = router.add_static("/static/", tree, name="st")
    assert resource.canonical == "/static"
    assert resource.directory == tree.resolve()
    info = resource.get_info()
    assert info["prefix"] == "/static"
    assert info["directory"] == tree.resolve()
    assert set(info["routes"]) == {"GET", "HEAD"}
    assert len(resource) == 2
    assert {route.method for route in resource} == {"GET", "HEAD"}
    assert not resource.raw_match("/static")
    assert "StaticResource" in repr(resource)
    assert {route.name for route in resource} == {"st"}


async def test_set_options_route(tree: Path, make_request: MakeRequest, h: Any) -> None:
    router = UrlDispatcher()
    resource = router.add_static("/static", tree)
    resource.set_options_route(h)
    mi = await router.resolve(make_request("OPTIONS", "/static/a.txt"))
    assert mi.handler is h
    with pytest.raises(RuntimeError, match="already"):
        resource.set_options_route(h)


async def test_static_and_other_routes_coexist(
    tree: Path, responder: RecordingResponder, make_request: MakeRequest, h: Any
) -> None:
    router = make_router(tree, responder)
    router.add_get("/static/special", h)
    router.add_get("/other/{x}", h)
    assert (await router.resolve(make_request("GET", "/static/special"))).handler is h
    assert (await router.resolve(make_request("GET", "/other/1"))).handler is h
    mi = await router.resolve(make_request("GET", "/static/a.txt"))
    assert dict(mi) == {"filename": "a.txt"}
