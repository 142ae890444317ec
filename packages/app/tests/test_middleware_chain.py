"""Middleware order, route errors reaching middlewares, legacy factories, composition."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest

from aioweb.app import Application, Request, middleware
from aioweb.exceptions import HTTPException, HTTPMethodNotAllowed, HTTPNotFound
from aioweb.server import Response, StreamResponse

Run = Any  # the "run" fixture of conftest.py


def recorder(log: list[str], name: str) -> Any:
    @middleware
    async def mw(request: Request, handler: Any) -> StreamResponse:
        log.append(f"{name}:in")
        response: StreamResponse = await handler(request)
        log.append(f"{name}:out")
        return response

    return mw


async def test_first_middleware_is_outermost(run: Run) -> None:
    log: list[str] = []

    async def handler(request: Request) -> Response:
        log.append("handler")
        return Response(text="ok")

    app = Application(middlewares=[recorder(log, "a"), recorder(log, "b")])
    app.middlewares.append(recorder(log, "c"))
    app.router.add_get("/", handler)
    _, response = await run(app, "GET", "/")
    assert response.status == 200
    assert log == ["a:in", "b:in", "c:in", "handler", "c:out", "b:out", "a:out"]


async def test_route_errors_reach_middlewares_for_custom_pages(run: Run) -> None:
    seen: list[int] = []

    @middleware
    async def error_pages(request: Request, handler: Any) -> StreamResponse:
        try:
            response: StreamResponse = await handler(request)
            return response
        except HTTPException as exc:
            seen.append(exc.status)
            return Response(text=f"custom {exc.status}", status=exc.status)

    async def handler(request: Request) -> Response:
        return Response(text="ok")

    app = Application(middlewares=[error_pages])
    app.router.add_get("/only-get", handler)
    _, not_found = await run(app, "GET", "/missing")
    _, not_allowed = await run(app, "POST", "/only-get")
    assert (not_found.status, not_found.text) == (404, "custom 404")
    assert (not_allowed.status, not_allowed.text) == (405, "custom 405")
    assert seen == [404, 405]


async def test_route_errors_without_middlewares_raise(run: Run) -> None:
    async def handler(request: Request) -> Response:  # pragma: no cover - never matched
        return Response()

    app = Application()
    app.router.add_get("/", handler)
    _, exc = await run(app, "GET", "/x")
    assert isinstance(exc, HTTPNotFound)
    _, exc = await run(app, "DELETE", "/")
    assert isinstance(exc, HTTPMethodNotAllowed)
    assert exc.headers["Allow"] == "GET,HEAD"


async def test_middleware_sees_the_route_handler_attributes(run: Run) -> None:
    seen: list[object] = []

    @middleware
    async def auth(request: Request, handler: Any) -> StreamResponse:
        seen.append(getattr(handler, "public", False))
        response: StreamResponse = await handler(request)
        return response

    async def open_page(request: Request) -> Response:
        return Response(text="open")

    open_page.public = True  # type: ignore[attr-defined]

    async def closed_page(request: Request) -> Response:
        return Response(text="closed")

    app = Application(middlewares=[auth])
    app.router.add_get("/open", open_page)
    app.router.add_get("/closed", closed_page)
    await run(app, "GET", "/open")
    await run(app, "GET", "/closed")
    assert seen == [True, False]


async def test_middleware_can_short_circuit_and_replace_request(run: Run) -> None:
    @middleware
    async def gate(request: Request, handler: Any) -> StreamResponse:
        if request.headers.get("X-Block"):
            return Response(status=403, text="blocked")
        response: StreamResponse = await handler(request.clone(method="GET"))
        return response

    async def handler(request: Request) -> Response:
        return Response(text=request.method + " " + request.match_info["name"])

    app = Application(middlewares=[gate])
    app.router.add_route("*", "/{name}", handler)
    _, blocked = await run(app, "GET", "/x", {"X-Block": "1"})
    assert blocked.status == 403
    _, passed = await run(app, "POST", "/bob")
    assert passed.text == "GET bob"


async def test_chains_are_composed_at_freeze(run: Run) -> None:
    log: list[str] = []

    async def handler(request: Request) -> Response:
        return Response(text="ok")

    app = Application(middlewares=[recorder(log, "a")])
    app.router.add_get("/{x}", handler)
    app.freeze()
    chains = dict(app._dispatcher._chains)  # type: ignore[union-attr]
    assert chains, "chains must exist before the first request"
    for i in range(50):
        await run(app, "GET", f"/{i}")
        await run(app, "GET", f"/{i}/missing")
    assert app._dispatcher._chains == chains  # type: ignore[union-attr]


async def test_old_style_factories_still_work_with_a_warning(run: Run) -> None:
    log: list[str] = []
    factory_calls: list[str] = []

    async def factory(app: Application, handler: Any) -> Any:
        factory_calls.append("built")

        async def mw(request: Request) -> StreamResponse:
            log.append("old:in")
            response: StreamResponse = await handler(request)
            log.append("old:out")
            return response

        return mw

    async def handler(request: Request) -> Response:
        log.append("handler")
        return Response(text="ok")

    app = Application(middlewares=[recorder(log, "new"), factory])  # type: ignore[list-item]
    app.router.add_get("/", handler)
    with pytest.warns(DeprecationWarning, match="old-style middleware"):
        app.freeze()
    for _ in range(3):
        _, response = await run(app, "GET", "/")
        assert response.status == 200
    assert log[:5] == ["new:in", "old:in", "handler", "old:out", "new:out"]
    assert factory_calls == ["built"]  # composed once per route, not per request


async def test_middleware_cache_memory_is_flat_under_varied_paths(run: Run) -> None:
    """CVE-2024-52303: 1e5 requests to distinct paths (hits, 404s, 405s) keep memory flat."""

    @middleware
    async def passthrough(request: Request, handler: Any) -> StreamResponse:
        try:
            response: StreamResponse = await handler(request)
        except HTTPException as exc:
            return Response(status=exc.status)
        return response

    async def handler(request: Request) -> Response:
        return Response(text="ok")

    app = Application(middlewares=[passthrough])
    sub = Application(middlewares=[passthrough])
    app.router.add_get("/item/{id}", handler)
    sub.router.add_get("/s/{id}", handler)
    app.add_subapp("/sub", sub)
    app.freeze()
    dispatcher = app._dispatcher
    assert dispatcher is not None
    paths = ("/item/{}", "/missing/{}", "/sub/s/{}", "/sub/nope/{}")

    async def burst(start: int, count: int) -> None:
        for i in range(start, start + count):
            method = "POST" if i % 7 == 0 else "GET"
            await run(app, method, paths[i % 4].format(i))

    await burst(0, 10_000)  # warm-up: every cache that exists is filled now
    chains_after_warmup = len(dispatcher._chains)
    await burst(10_000, 75_000)
    assert len(dispatcher._chains) == chains_after_warmup
    # Tracing slows every allocation ~8x, so only the last 15k requests are traced:
    # a leak of even one small object per request would show as >= 240 kB.
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        await burst(85_000, 15_000)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert len(dispatcher._chains) == chains_after_warmup
    assert growth < 100 * 1024, f"memory grew by {growth} bytes over 15k requests"
