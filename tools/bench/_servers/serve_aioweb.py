"""aioweb's low-level server (``aioweb.server.Server``) answering the bench's three routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from _common import JSON_MESSAGE, PLAINTEXT, parse_args, serve

from aioweb.server import Response, Server, json_response

if TYPE_CHECKING:
    from aioweb.server import BaseRequest


async def handler(request: BaseRequest) -> Response:
    path = request.path
    if path == "/plaintext":
        return Response(body=PLAINTEXT, content_type="text/plain", charset="utf-8")
    if path == "/json":
        return json_response(JSON_MESSAGE)
    if path == "/echo":
        return Response(body=await request.read(), content_type="application/octet-stream")
    return Response(status=404, text="404: Not Found")


if __name__ == "__main__":
    serve(parse_args(__doc__ or ""), lambda: Server(handler))
