"""Static routes served by the app layer's interim StaticFileResponse."""

from __future__ import annotations

import asyncio
import os
from email.utils import formatdate
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from aioweb.app import Application

StartApp = Any  # the core_server fixture


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / "css").mkdir(parents=True)
    (root / "index.html").write_text("<h1>home</h1>")
    (root / "css" / "site.css").write_text("body{}")
    (root / "big.bin").write_bytes(os.urandom(700_000))
    (tmp_path / "secret.txt").write_text("top secret")
    old = 1_600_000_000
    os.utime(root / "index.html", (old, old))
    return root


async def test_files_types_lengths_and_conditional_get(
    core_server: StartApp, static_root: Path
) -> None:
    app = Application()
    app.router.add_static("/static", static_root, chunk_size=64 * 1024)
    base = await core_server(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/static/index.html")
        assert resp.status_code == 200
        assert resp.text == "<h1>home</h1>"
        assert resp.headers["Content-Type"].startswith("text/html")
        assert resp.headers["Content-Length"] == "13"
        last_modified = resp.headers["Last-Modified"]
        assert last_modified == formatdate(1_600_000_000, usegmt=True)

        resp = await client.get(base + "/static/css/site.css")
        assert resp.headers["Content-Type"].startswith("text/css")

        resp = await client.get(
            base + "/static/index.html", headers={"If-Modified-Since": last_modified}
        )
        assert resp.status_code == 304
        assert resp.content == b""

        resp = await client.get(
            base + "/static/index.html",
            headers={"If-Modified-Since": formatdate(1_500_000_000, usegmt=True)},
        )
        assert resp.status_code == 200

        resp = await client.head(base + "/static/big.bin")
        assert resp.status_code == 200
        assert resp.headers["Content-Length"] == "700000"
        assert resp.content == b""


async def test_large_file_streams_intact(core_server: StartApp, static_root: Path) -> None:
    app = Application()
    app.router.add_static("/static", static_root, chunk_size=8192)
    base = await core_server(app)
    async with (
        aiohttp.ClientSession() as session,
        session.get(base + "/static/big.bin") as resp,
    ):
        assert resp.status == 200
        assert await resp.read() == (static_root / "big.bin").read_bytes()


async def test_nothing_outside_the_root(core_server: StartApp, static_root: Path) -> None:
    app = Application()
    app.router.add_static("/static", static_root)
    base = await core_server(app)
    host, port = base.removeprefix("http://").split(":")
    for target in (
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/css/../../secret.txt",
        "/static/missing.txt",
        "/static/css",
    ):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            raw = await asyncio.wait_for(reader.read(), 5)
        finally:
            writer.close()
            await writer.wait_closed()
        assert raw.split(b"\r\n", 1)[0] in (
            b"HTTP/1.1 404 Not Found",
            b"HTTP/1.1 403 Forbidden",
        ), (target, raw[:60])
        assert b"top secret" not in raw


async def test_directory_index_page(core_server: StartApp, static_root: Path) -> None:
    (static_root / "<script>.txt").write_text("x")
    app = Application()
    app.router.add_static("/static", static_root, show_index=True)
    base = await core_server(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/static/")
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/html")
        assert "index.html" in resp.text
        assert "<script>" not in resp.text
