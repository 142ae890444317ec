"""tools/demo.py (the README's "serve" command): its application served by AppRunner + TCPSite."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import httpx

from aioweb.app import AppRunner, TCPSite

DEMO = Path(__file__).resolve().parents[2] / "tools" / "demo.py"


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aioweb_tools_demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_demo_application_routes() -> None:
    runner = AppRunner(load_demo().make_app(), shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        async with httpx.AsyncClient(base_url=site.name, timeout=5.0) as client:
            index = await client.get("/")
            assert index.status_code == 200
            assert index.headers["content-type"].startswith("text/html")
            assert (await client.get("/json")).json() == {"hello": "world", "method": "GET"}
            assert (await client.get("/hello/bob")).text == "Hello, bob!"
            assert "<form" in (await client.get("/form")).text
            posted = await client.post("/form", data={"name": "a<b", "colour": "red"})
            assert posted.status_code == 200
            assert "name = a&lt;b" in posted.text
            assert "colour = red" in posted.text
            redirect = await client.get("/old")
            assert redirect.status_code == 302
            assert redirect.headers["location"] == "/"
            assert "sub-application" in (await client.get("/admin/")).text
    finally:
        await runner.cleanup()
