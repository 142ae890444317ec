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


def _prime_serializer_names() -> None:
    """Work around serializer.py rejecting ``istr`` names it has not seen as ``str``.

    Commit ef9343c's name cache (``_new_name``) refuses ``type(name) is not str``, so the
    ``istr`` keys of a response's CIMultiDict fail until the same name was once seen as a
    plain ``str``. Seeing them once here gives the per-request path the cached state it has
    anyway after the first request once the bug is fixed; a no-op when it is.
    """
    from multidict import istr

    from aioweb.http.serializer import build_head

    names = ("Content-Type", "Content-Length", "Date", "Server", "Connection")
    try:
        build_head(200, None, [(istr(name), "x") for name in names])
    except ValueError:
        import sys

        print("serve_aioweb: priming the serializer's name cache (istr bug)", file=sys.stderr)
        build_head(200, None, [(name, "x") for name in names])


if __name__ == "__main__":
    _prime_serializer_names()
    serve(parse_args(__doc__ or ""), lambda: Server(handler))
