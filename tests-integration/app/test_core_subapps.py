"""Sub-applications and domains over real sockets, and the duplicate Host attack."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import httpx
import pytest

from aioweb.app import AppKey, Application, Request, middleware
from aioweb.server import Response, StreamResponse

StartApp = Any  # the core_server fixture
GREETING = AppKey("greeting", str)


def named(text: str) -> Any:
    async def handler(request: Request) -> Response:
        return Response(text=f"{text}:{request.config_dict[GREETING]}")

    return handler


@middleware
async def admin_only(request: Request, handler: Any) -> StreamResponse:
    if request.headers.get("X-Admin") != "yes":
        return Response(status=403, text="admins only")
    response: StreamResponse = await handler(request)
    return response


def build() -> Application:
    main = Application()
    main[GREETING] = "hello"
    main.router.add_get("/", named("main"))
    admin = Application(middlewares=[admin_only])
    admin[GREETING] = "sir"
    admin.router.add_get("/panel", named("admin"))
    main.add_subapp("/admin", admin)
    api = Application()  # inherits the greeting through config_dict
    api.router.add_get("/", named("api"))
    main.add_domain("api.example.com", api)
    tenants = Application()
    tenants.router.add_get("/", named("tenant"))
    main.add_domain("*.tenants.example.com", tenants)
    return main


async def test_sub_application_middlewares_only_guard_its_routes(core_server: StartApp) -> None:
    base = await core_server(build())
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/") as resp:
            assert await resp.text() == "main:hello"
        async with session.get(base + "/admin/panel") as resp:
            assert resp.status == 403
        async with session.get(base + "/admin/panel", headers={"X-Admin": "yes"}) as resp:
            assert await resp.text() == "admin:sir"


@pytest.mark.parametrize(
    ("host", "body"),
    [
        ("api.example.com", "api:hello"),
        ("a1.tenants.example.com", "tenant:hello"),
        ("x.y.tenants.example.com", "tenant:hello"),
        ("tenants.example.com", "main:hello"),
        ("other.org", "main:hello"),
    ],
)
async def test_domains_with_httpx(core_server: StartApp, host: str, body: str) -> None:
    base = await core_server(build())
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/", headers={"Host": host})
        assert resp.text == body


async def test_duplicate_host_header_is_400_not_a_domain_bypass(core_server: StartApp) -> None:
    """CVE-2026-34525: two Host headers must not reach a domain sub-application."""
    base = await core_server(build())
    host, port = base.removeprefix("http://").split(":")
    for hosts in (("other.org", "api.example.com"), ("api.example.com", "other.org")):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(f"GET / HTTP/1.1\r\nHost: {hosts[0]}\r\nHost: {hosts[1]}\r\n\r\n".encode())
            raw = await asyncio.wait_for(reader.read(), 5)  # the server closes after a 400
        finally:
            writer.close()
            await writer.wait_closed()
        assert raw.startswith(b"HTTP/1.1 400 "), raw[:80]
        assert b"api:" not in raw
