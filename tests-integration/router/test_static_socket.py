"""Static traversal attempts over a real socket, through the plain-asyncio example server.

Independent of aioweb.server: the router's static resolution alone decides. Every
refusal must be byte-for-byte the answer for a missing file (SECURITY.md rows
CVE-2024-23334, CVE-2024-42367, CVE-2025-69223..69230 "403/404 difference").
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aioweb.router import UrlDispatcher

HERE = Path(__file__).parent


class TextResponder:
    def file(self, path: Path, chunk_size: int) -> tuple[int, str]:
        return 200, path.read_text()

    def index(self, html: str) -> tuple[int, str]:
        return 200, html


@pytest.fixture
async def port(tmp_path: Path) -> AsyncIterator[int]:
    spec = importlib.util.spec_from_file_location(
        "router_examples_static", HERE / "standalone_asyncio.py"
    )
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)

    root = tmp_path / "public"
    (root / "sub").mkdir(parents=True)
    (root / "ok.txt").write_text("public")
    (root / "ok.txt.gz").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "dir_escape").symlink_to(tmp_path, target_is_directory=True)
    router = UrlDispatcher(static_responder=TextResponder())
    router.add_static("/static", root)
    router.freeze()
    server = await asyncio.start_server(lambda r, w: example.handle(router, r, w), "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def get(port: int, target: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_serves_public_file(port: int) -> None:
    assert (await get(port, "/static/ok.txt")).endswith(b"\r\n\r\npublic")


@pytest.mark.parametrize(
    "target",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2e%2fsecret.txt",
        "/static/sub/..%2F..%2Fsecret.txt",
        "/static/..%5Csecret.txt",
        "/static/%5C%5Cserver%5Cshare",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/static/C:%5Csecret.txt",
        "/static/ok.txt%00",
        "/static/escape",
        "/static/dir_escape/secret.txt",
        "/static/ok.txt.gz",
        "/static/sub",
        "/static/",
    ],
)
async def test_refusal_is_identical_to_missing(port: int, target: str) -> None:
    missing = await get(port, "/static/no-such-file")
    assert missing.startswith(b"HTTP/1.1 404 ")
    assert await get(port, target) == missing
