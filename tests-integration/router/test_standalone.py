"""The two examples of docs/router-standalone.md, run over real sockets on 127.0.0.1.

The doc includes these very files (``literalinclude``), so what is shown is what runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest

HERE = Path(__file__).parent


Loader = Callable[[Path, str], ModuleType]


def load(load_example: Loader, name: str) -> ModuleType:
    return load_example(HERE / f"{name}.py", f"router_examples_{name}")


async def raw_get(port: int, target: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.fixture
async def asyncio_example(load_example: Loader) -> AsyncIterator[int]:
    example = load(load_example, "standalone_asyncio")
    server = await example.start()
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_router_in_a_plain_asyncio_server(asyncio_example: int) -> None:
    base = f"http://127.0.0.1:{asyncio_example}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.get("/hello/world")
        assert (response.status_code, response.text) == (200, "Hello, world!")
        response = await client.get("/hello/caf%C3%A9")
        assert response.text == "Hello, café!"
        response = await client.get("/items/42")
        assert (response.status_code, response.text) == (200, "item 42")
        response = await client.delete("/items/42")
        assert response.text == "deleted"
        response = await client.put("/items/42")
        assert response.status_code == 405
        assert response.headers["Allow"] == "DELETE,GET"
        response = await client.post("/hello/world")
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET,HEAD"
        response = await client.get("/items/abc")
        assert response.status_code == 404
        response = await client.get("/nothing")
        assert (response.status_code, response.text) == (404, "404: Not Found")


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    root.mkdir()
    (root / "hello.txt").write_text("static hello")
    (root / "<b>.txt").write_text("x")
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
async def server_example(static_dir: Path, load_example: Loader) -> AsyncIterator[int]:
    server_module = pytest.importorskip("aioweb.server")
    assert hasattr(server_module, "Server"), "aioweb.server.Server is not available yet"
    example = load(load_example, "standalone_server")
    server = example.make_server(static_dir)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, "127.0.0.1", 0)
    try:
        yield listener.sockets[0].getsockname()[1]
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()


async def test_router_under_the_low_level_server(server_example: int) -> None:
    base = f"http://127.0.0.1:{server_example}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.get("/hello/world")
        assert (response.status_code, response.text) == (200, "Hello, world!")
        response = await client.post("/echo", content=b"ping")
        assert response.content == b"ping"
        response = await client.get("/echo")
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
        response = await client.get("/nothing")
        assert response.status_code == 404
        response = await client.get("/static/hello.txt")
        assert response.status_code == 200
        assert response.text == "static hello"
        assert response.headers["Content-Type"].startswith("text/plain")
        response = await client.get("/static/")
        assert response.status_code == 200
        assert "&lt;b&gt;.txt" in response.text
        assert "<b>.txt" not in response.text


@pytest.mark.parametrize(
    "target",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E%2Fsecret.txt",
        "/static/..%5Csecret.txt",
        "/static/escape",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/static/C:%5Cwindows%5Cwin.ini",
        "/static/hello.txt%00",
        "/static/missing.txt",
    ],
)
async def test_static_traversal_over_a_socket(server_example: int, target: str) -> None:
    # Every refusal is the answer for a missing file: same status, same body.
    response = await raw_get(server_example, target)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 404 Not Found", response[:200]
    assert body == b"404: Not Found"
