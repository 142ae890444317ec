"""Sub-applications: middlewares per application, config_dict, apps stack, signals."""

from __future__ import annotations

from typing import Any

from aioweb.app import AppKey, Application, Request, middleware
from aioweb.exceptions import HTTPException, HTTPNotFound
from aioweb.server import Response, StreamResponse

Run = Any  # the "run" fixture of conftest.py

NAME = AppKey("name", str)
ONLY_MAIN = AppKey("only_main", str)


def tagging(log: list[str], tag: str) -> Any:
    @middleware
    async def mw(request: Request, handler: Any) -> StreamResponse:
        log.append(f"{tag}:{request.app[NAME]}")
        try:
            response: StreamResponse = await handler(request)
        except HTTPException as exc:
            log.append(f"{tag}:saw {exc.status}")
            raise
        return response

    return mw


def build(log: list[str]) -> tuple[Application, Application, Application]:
    async def handler(request: Request) -> Response:
        log.append(f"handler:{request.app[NAME]}")
        return Response(text=request.config_dict[NAME] + "|" + request.config_dict[ONLY_MAIN])

    main = Application(middlewares=[tagging(log, "main")])
    sub = Application(middlewares=[tagging(log, "sub")])
    inner = Application(middlewares=[tagging(log, "inner")])
    main[NAME], sub[NAME], inner[NAME] = "main", "sub", "inner"
    main[ONLY_MAIN] = "from-main"
    main.router.add_get("/", handler)
    sub.router.add_get("/page", handler)
    inner.router.add_get("/deep", handler)
    sub.add_subapp("/inner", inner)
    main.add_subapp("/sub", sub)
    return main, sub, inner


async def test_each_application_runs_its_middlewares_in_its_context(run: Run) -> None:
    log: list[str] = []
    main, sub, inner = build(log)
    request, response = await run(main, "GET", "/sub/inner/deep")
    assert response.text == "inner|from-main"
    assert log == ["main:main", "sub:sub", "inner:inner", "handler:inner"]
    assert request.match_info.apps == (main, sub, inner)
    assert request.app is inner

    log.clear()
    _, response = await run(main, "GET", "/sub/page")
    assert response.text == "sub|from-main"
    assert log == ["main:main", "sub:sub", "handler:sub"]

    log.clear()
    _, response = await run(main, "GET", "/")
    assert log == ["main:main", "handler:main"]


async def test_not_found_inside_a_sub_application_passes_its_middlewares(run: Run) -> None:
    log: list[str] = []
    main, _, _ = build(log)
    _, exc = await run(main, "GET", "/sub/missing")
    assert isinstance(exc, HTTPNotFound)
    assert log == ["main:main", "sub:sub", "sub:saw 404", "main:saw 404"]
    log.clear()
    _, exc = await run(main, "GET", "/elsewhere")
    assert log == ["main:main", "main:saw 404"]


async def test_config_dict_prefers_the_nearest_application(run: Run) -> None:
    main, sub, _ = build([])
    request, _ = await run(main, "GET", "/sub/inner/deep")
    config = request.config_dict
    assert config[NAME] == "inner"
    assert config[ONLY_MAIN] == "from-main"
    assert config.get(AppKey("nope", int)) is None
    assert set(config) == {NAME, ONLY_MAIN}
    assert len(config) == 2
    with request.match_info.set_current_app(sub):
        assert request.config_dict[NAME] == "sub"
    assert "ChainMapProxy" in repr(config)


async def test_url_for_in_sub_application_includes_prefix() -> None:
    async def handler(request: Request) -> Response:  # pragma: no cover
        return Response()

    main, sub = Application(), Application()
    sub.router.add_get("/item/{id}", handler, name="item")
    main.add_subapp("/api/", sub)
    assert str(sub.router["item"].url_for(id="7")) == "/api/item/7"


async def test_on_response_prepare_fires_for_each_application(run: Run) -> None:
    fired: list[str] = []
    main, sub = Application(), Application()

    def hook(tag: str) -> Any:
        async def on_prepare(request: Request, response: StreamResponse) -> None:
            fired.append(tag)
            response.headers[f"X-{tag}"] = "1"

        return on_prepare

    async def handler(request: Request) -> Response:
        return Response(text="x")

    main.on_response_prepare.append(hook("main"))
    sub.on_response_prepare.append(hook("sub"))
    sub.router.add_get("/p", handler)
    main.add_subapp("/s", sub)
    request, response = await run(main, "GET", "/s/p")
    await response.prepare(request)
    assert fired == ["main", "sub"]
    assert response.headers["X-main"] == response.headers["X-sub"] == "1"
