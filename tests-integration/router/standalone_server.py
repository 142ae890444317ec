"""aioweb.router under aioweb's low-level Server, with a hand-written handler.

No application layer: the handler resolves the request, keeps the match info
on the request and calls the route's handler. Static files go through a
``StaticResponder`` built from the server's ``Response``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from aioweb.router import RouteTableDef, UrlDispatcher
from aioweb.server import BaseRequest, Response, Server, StreamResponse

routes = RouteTableDef()


@routes.get("/hello/{name}")
async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text=f"Hello, {request['match_info']['name']}!")


@routes.post("/echo")
async def echo(request: BaseRequest) -> StreamResponse:
    return Response(body=await request.read())


class SmallFileResponder:
    """Satisfies aioweb.router.StaticResponder with whole-file responses."""

    def file(self, path: Path, chunk_size: int) -> StreamResponse:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Response(body=path.read_bytes(), content_type=content_type)

    def index(self, html: str) -> StreamResponse:
        return Response(text=html, content_type="text/html")


def make_server(static_dir: Path) -> Server:
    router = UrlDispatcher(static_responder=SmallFileResponder())
    router.add_routes(routes)
    router.add_static("/static", static_dir, show_index=True)
    router.freeze()

    async def handler(request: BaseRequest) -> StreamResponse:
        match_info = await router.resolve(request)
        request["match_info"] = match_info
        # 404/405 come out as aioweb.exceptions, which the server turns into responses.
        response: StreamResponse = await match_info.handler(request)
        return response

    return Server(handler)
