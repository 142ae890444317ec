"""``request.path`` skips building the URL for plain targets; it must agree with ``rel_url``."""

from __future__ import annotations

import asyncio

import pytest

from aioweb.server import BaseRequest, Response
from aioweb.server._testing import read_response, serve

TARGETS = [
    "/",
    "/plain/path",
    "//double//slashes/",
    "/a/../b/./c",
    "/with%20space",
    "/caf%C3%A9",
    "/q?x=1&y=%20",
    "/q?",
    "/enc%2Fslash",
    "/semi;colon",
]


@pytest.mark.parametrize("target", TARGETS)
async def test_path_agrees_with_rel_url(target: str) -> None:
    seen: list[tuple[str, str]] = []

    async def handler(request: BaseRequest) -> Response:
        seen.append((request.path, request.rel_url.path))
        return Response(text="ok")

    async with serve(handler) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            resp = await asyncio.wait_for(read_response(reader), 5)
            assert resp.status == 200
        finally:
            writer.close()
            await writer.wait_closed()
    assert len(seen) == 1
    fast, via_url = seen[0]
    assert fast == via_url


async def test_path_follows_a_cloned_rel_url() -> None:
    paths: list[str] = []

    async def handler(request: BaseRequest) -> Response:
        paths.append(request.clone(rel_url="/other/place").path)
        return Response(text="ok")

    async with serve(handler) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /original HTTP/1.1\r\nHost: x\r\n\r\n")
            resp = await asyncio.wait_for(read_response(reader), 5)
            assert resp.status == 200
        finally:
            writer.close()
            await writer.wait_closed()
    assert paths == ["/other/place"]
