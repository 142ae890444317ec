"""aiohttp's low-level server (``aiohttp.web.Server``) answering the bench's three routes."""

from __future__ import annotations

from _common import JSON_MESSAGE, PLAINTEXT, parse_args, serve
from aiohttp import web


async def handler(request: web.BaseRequest) -> web.StreamResponse:
    path = request.path
    if path == "/plaintext":
        return web.Response(body=PLAINTEXT, content_type="text/plain", charset="utf-8")
    if path == "/json":
        return web.json_response(JSON_MESSAGE)
    if path == "/echo":
        return web.Response(body=await request.read(), content_type="application/octet-stream")
    return web.Response(status=404, text="404: Not Found")


if __name__ == "__main__":
    serve(parse_args(__doc__ or ""), lambda: web.Server(handler))
