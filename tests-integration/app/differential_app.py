"""The application of test_differential.py, written once for either framework.

``build_app(web)`` takes ``aiohttp.web`` or ``aioweb.web`` and returns the same
application built with it: handlers that echo what the request object reports
(``/echo`` and the routes that share its handler), answer generated response
recipes (``/respond``, through ``follow_recipe``) and read the body in a named way
(``/read/{mode}``, through ``read_body``), behind middlewares and sub-applications.
Nothing here imports either framework: differential_harness.py serves the app on
both, aiohttp's in a subprocess that loads this file by its path.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any


def build_app(web: ModuleType) -> Any:
    """The application under comparison, written once for either framework."""

    async def echo(request: Any) -> Any:
        body = await request.read()
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "raw_path": request.raw_path,
                "path_qs": request.path_qs,
                "query": sorted(request.query.items()),
                "query_string": request.query_string,
                "match": dict(request.match_info),
                "content_type": request.content_type,
                "charset": request.charset,
                "content_length": request.content_length,
                "body": body.decode("latin-1"),
                "body_exists": request.body_exists,
                "can_read_body": request.can_read_body,
                "keep_alive": request.keep_alive,
                "version": list(request.version),
                "cookies": sorted(request.cookies.items()),
                "scheme": request.scheme,
                "secure": request.secure,
                # The two servers listen on different ports.
                "host": request.host.rsplit(":", 1)[0],
                "url": str(request.url.with_port(None)),
                "range": _range(request),
                "if_modified_since": str(request.if_modified_since),
                "if_none_match": _etags(request.if_none_match),
                "forwarded": [dict(item) for item in request.forwarded],
                "if_match": _etags(request.if_match),
                "if_unmodified_since": str(request.if_unmodified_since),
                "if_range": str(request.if_range),
                "raw_headers": [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in request.raw_headers
                    if name.lower() != b"host"  # the ports differ
                ],
            }
        )

    async def cookie(request: Any) -> Any:
        response = web.Response(text="cookie")
        query = request.query
        response.set_cookie(
            query.get("name", "c"),
            query.get("value", "v"),
            max_age=query.get("max_age"),
            path=query.get("path", "/"),
            domain=query.get("domain"),
            secure="secure" in query,
            httponly="httponly" in query,
            samesite=query.get("samesite"),
        )
        if "del" in query:
            response.del_cookie("gone")
        return response

    async def compress(request: Any) -> Any:
        response = web.Response(text="squeeze me " * 40)
        response.enable_compression()
        return response

    async def form(request: Any) -> Any:
        fields = await request.post()
        return web.json_response(sorted((k, str(v)) for k, v in fields.items()))

    async def text(request: Any) -> Any:
        return web.Response(text="text é", charset="latin-1")

    async def redirect(request: Any) -> Any:
        raise web.HTTPFound(request.query.get("to", "/echo"))

    async def slash(request: Any) -> Any:
        return web.Response(text="slash")

    async def respond(request: Any) -> Any:
        return await follow_recipe(web, request, json.loads(request.query["r"]))

    @web.middleware
    async def tag(request: Any, handler: Any) -> Any:
        response = await handler(request)
        response.headers["X-Tag"] = "on"
        return response

    async def read(request: Any) -> Any:
        return web.json_response(await read_body(request, request.match_info["mode"]))

    # A small client_max_size, so that generated bodies can pass it.
    app = web.Application(
        middlewares=[tag, web.normalize_path_middleware()], client_max_size=MAX_SIZE
    )
    app.router.add_post("/read/{mode}", read)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get(r"/users/{id:\d+}", echo)
    app.router.add_route("*", "/items/{name}/{rest:.*}", echo)
    app.router.add_post("/form", form)
    app.router.add_get("/text", text)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/slash/", slash)
    app.router.add_get("/cookie", cookie)
    app.router.add_get("/compress", compress)
    app.router.add_route("*", "/respond", respond)
    sub = web.Application()
    sub.router.add_get("/x/{y}", echo)
    app.add_subapp("/sub/", sub)
    domain = web.Application()
    domain.router.add_get("/domain", echo)
    app.add_domain("*.example.com", domain)
    app.add_subapp("/mw/", middleware_app(web, echo))
    return app


def middleware_app(web: ModuleType, echo: Any) -> Any:
    """A sub-application whose middlewares raise, catch and rewrite, driven by the query."""

    @web.middleware
    async def catcher(request: Any, handler: Any) -> Any:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if "catch" not in request.query:
                raise
            return web.Response(text=f"caught {exc.status} {exc.reason}", status=exc.status)

    @web.middleware
    async def raiser(request: Any, handler: Any) -> Any:
        name = request.query.get("before")
        if name:
            raise getattr(web, name)()
        response = await handler(request)
        name = request.query.get("after")
        if name:
            raise getattr(web, name)()
        response.headers["X-Inner"] = request.match_info.route.name or "-"
        return response

    async def boom(request: Any) -> Any:
        raise ValueError("boom")

    async def url(request: Any) -> Any:
        parts = {"name": request.query.get("n", "a"), "rest": request.query.get("r", "b")}
        built = request.app.router["items"].url_for(**parts)
        return web.Response(text=str(built.with_query(request.query.get("q", ""))))

    app = web.Application(middlewares=[catcher, raiser])
    app.router.add_get("/ok", echo, name="ok")
    app.router.add_get("/boom", boom)
    app.router.add_get("/url", url)
    app.router.add_get("/items/{name}/{rest:.*}", echo, name="items")
    return app


MAX_SIZE = 300


async def read_body(request: Any, mode: str) -> Any:
    """What the handler of ``/read/{mode}`` got from the body, read in that way."""
    if mode == "read":
        return (await request.read()).decode("latin-1")
    if mode == "text":
        return await request.text()
    if mode == "json":
        return await request.json()
    if mode == "post":
        fields = await request.post()
        return [[name, _field(value)] for name, value in fields.items()]
    if mode == "multipart":
        parts = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            data = await part.read(decode=True)
            parts.append([part.name, part.filename, dict(part.headers), data.decode("latin-1")])
        return parts
    if mode == "readline":
        lines = []
        while line := await request.content.readline():
            lines.append(line.decode("latin-1"))
        return lines
    assert mode == "chunks"
    return b"".join([c async for c in request.content.iter_chunked(7)]).decode("latin-1")


def _field(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).decode("latin-1")]
    with value.file:
        content = value.file.read().decode("latin-1")
    return [value.name, value.filename, value.content_type, content]


REDIRECTS = ("HTTPFound", "HTTPMovedPermanently", "HTTPSeeOther", "HTTPPermanentRedirect")


async def follow_recipe(web: ModuleType, request: Any, recipe: dict[str, Any]) -> Any:
    """Build the response a generated recipe describes, with either framework's names."""
    kind = recipe["kind"]
    common = {"headers": dict(recipe["headers"]) or None, "reason": recipe["reason"]}
    if kind == "raise":
        cls = getattr(web, recipe["exc"])
        kwargs = {**common, "text": recipe["text"], "content_type": recipe["content_type"]}
        if recipe["exc"] in REDIRECTS:
            raise cls(recipe["location"], **kwargs)
        if recipe["exc"] == "HTTPMethodNotAllowed":
            raise cls("PATCH", ["GET", "PUT"], **kwargs)
        raise cls(**kwargs)
    if kind == "json":
        response = web.json_response({"k": recipe["text"]}, status=recipe["status"], **common)
    elif kind == "response":
        body = recipe["body"]
        response = web.Response(
            status=recipe["status"],
            text=recipe["text"] if body == "text" else None,
            body=recipe["text"].encode() if body == "bytes" else None,
            content_type=recipe["content_type"],
            charset=recipe["charset"],
            **common,
        )
    else:
        response = web.StreamResponse(status=recipe["status"], **common)
        if recipe["content_type"] is not None:
            response.content_type = recipe["content_type"]
        if recipe["charset"] is not None:
            response.charset = recipe["charset"]
        if recipe["chunked"]:
            response.enable_chunked_encoding()
        elif recipe["length"]:
            response.content_length = len(recipe["text"].encode())
    if recipe["etag"] is not None:
        response.etag = recipe["etag"]
    if recipe["last_modified"] is not None:
        response.last_modified = recipe["last_modified"]
    if recipe["cookie"] is not None:
        response.set_cookie("c", "v w", **recipe["cookie"])
        response.del_cookie("gone", path="/x")
    if recipe["later_status"] is not None:
        response.set_status(recipe["later_status"], recipe["reason"])
    if recipe["later_text"] is not None and kind == "response":
        response.text = recipe["later_text"]
    if recipe["force_close"]:
        response.force_close()
    if recipe["compress"]:
        response.enable_compression()
    if kind == "stream":
        await response.prepare(request)
        await response.write(recipe["text"].encode())
        await response.write_eof()
    return response


def _range(request: Any) -> Any:
    try:
        rng = request.http_range
    except ValueError as exc:
        return f"ValueError {exc}"
    return [rng.start, rng.stop, rng.step]


def _etags(etags: Any) -> Any:
    if etags is None:
        return None
    return sorted((etag.value, etag.is_weak) for etag in etags)
