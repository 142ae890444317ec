"""aioweb.router inside a tiny asyncio HTTP/1.1 server that is not aioweb at all.

The server reads one request per connection, resolves it with the router,
calls the handler and writes the answer. Handlers return ``(status, text)``;
the router's own 404 and 405 arrive as exceptions from ``match_info.handler``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from yarl import URL

from aioweb.exceptions import HTTPException
from aioweb.router import RouteTableDef, UrlDispatcher, View


@dataclass
class Request:
    """What the router needs (method, rel_url, headers), plus the matched values."""

    method: str
    rel_url: URL
    headers: Mapping[str, str]
    match_info: Mapping[str, str] = field(default_factory=dict)


routes = RouteTableDef()


@routes.get("/hello/{name}")
async def hello(request: Request) -> tuple[int, str]:
    return 200, f"Hello, {request.match_info['name']}!"


@routes.view("/items/{id:\\d+}")
class Item(View):
    async def get(self) -> tuple[int, str]:
        return 200, f"item {self.request.match_info['id']}"

    async def delete(self) -> tuple[int, str]:
        return 200, "deleted"


def make_router() -> UrlDispatcher:
    router = UrlDispatcher()
    router.add_routes(routes)
    router.freeze()
    return router


async def handle(
    router: UrlDispatcher, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
        method, target, _version = request_line.split(" ")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().title()] = value.strip()
        request = Request(method, URL(target), headers)
        match_info = await router.resolve(request)
        request.match_info = match_info
        extra: dict[str, str] = {}
        try:
            status, text = await match_info.handler(request)
        except HTTPException as exc:
            status, text, extra = exc.status, exc.text or "", dict(exc.headers)
        body = text.encode()
        extra.update({"Content-Length": str(len(body)), "Connection": "close"})
        head_out = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra.items())
        writer.write(head_out.encode("latin-1") + b"\r\n" + body)
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def start(host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    """Start listening; the caller closes the returned server."""
    router = make_router()
    return await asyncio.start_server(lambda r, w: handle(router, r, w), host, port)
