"""add_domain: exact and wildcard hosts, fall-through to the main application."""

from __future__ import annotations

from typing import Any

import pytest

from aioweb.app import Application, Request
from aioweb.exceptions import HTTPNotFound
from aioweb.server import Response

Run = Any  # the "run" fixture of conftest.py


def text_handler(text: str) -> Any:
    async def handler(request: Request) -> Response:
        return Response(text=text)

    return handler


def build() -> Application:
    main = Application()
    exact, wildcard = Application(), Application()
    exact.router.add_get("/", text_handler("exact"))
    wildcard.router.add_get("/", text_handler("wildcard"))
    main.add_domain("example.com", exact)
    main.add_domain("*.example.com", wildcard)
    main.router.add_get("/", text_handler("main"))
    return main


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.com", "exact"),
        ("EXAMPLE.com", "exact"),
        ("example.com:80", "exact"),
        ("api.example.com", "wildcard"),
        ("a.b.example.com", "wildcard"),
        ("example.org", "main"),
        ("badexample.com", "main"),
        # As in aiohttp 3.14: the port only counts when the domain has one.
        ("example.com:8080", "exact"),
        ("api.example.com:8443", "wildcard"),
    ],
)
async def test_host_selects_the_application(run: Run, host: str, expected: str) -> None:
    _, response = await run(build(), "GET", "/", {"Host": host})
    assert response.text == expected


async def test_domain_with_port_and_match_info_apps(run: Run) -> None:
    main, sub = Application(), Application()
    sub.router.add_get("/x", text_handler("sub"))
    main.add_domain("example.com:8080", sub)
    request, response = await run(main, "GET", "/x", {"Host": "example.com:8080"})
    assert response.text == "sub"
    assert request.match_info.apps == (main, sub)
    assert request.app is sub
    _, exc = await run(main, "GET", "/x", {"Host": "example.com"})
    assert isinstance(exc, HTTPNotFound)


def test_invalid_domains_are_refused() -> None:
    for bad in ("", "http://example.com", "exa mple.com", "-bad.com", "example.com/path"):
        with pytest.raises(ValueError):
            Application().add_domain(bad, Application())
