"""The proxy-header middleware of docs/deployment.md runs as written, over a real socket."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from aioweb import web
from aioweb.app._testing import serve_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def _middleware_from_doc() -> Any:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    (code,) = [block for block in blocks if "behind_nginx" in block]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace["behind_nginx"]


async def test_forwarded_values_taken_from_the_last_element() -> None:
    seen: list[tuple[str | None, str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.remote, request.scheme, request.host))
        return web.Response(text="ok")

    app = web.Application(middlewares=[_middleware_from_doc()])
    app.router.add_get("/", handler)
    async with serve_app(app) as base, httpx.AsyncClient(timeout=10) as client:
        spoofed = (
            "for=6.6.6.6;proto=https;host=evil.example, "
            "for=203.0.113.7;proto=https;host=example.com"
        )
        resp = await client.get(base + "/", headers={"Forwarded": spoofed})
        assert resp.status_code == 200
        plain = await client.get(base + "/")
        assert plain.status_code == 200
    assert seen[0] == ("203.0.113.7", "https", "example.com")
    # Without a Forwarded header the connection's own values stay.
    assert seen[1][0] == "127.0.0.1"
    assert seen[1][1] == "http"
