"""``Application(client_max_fields=...)`` reaches the requests; sites take ``shutdown_timeout``."""

from __future__ import annotations

import asyncio
import socket
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from multidict import CIMultiDict

from aioweb.app import Application, AppRunner, Request, SockSite, TCPSite, UnixSite
from aioweb.http.message import RequestHead
from aioweb.server.streams import EMPTY_PAYLOAD

MakeRequest = Any  # the "make_request" fixture of conftest.py


def factory_request(app: Application) -> Request:
    """A request built by the request factory the server would get from *app*."""
    head = RequestHead.build("GET", "/", CIMultiDict({"Host": "h"}))
    none: Any = None
    task = asyncio.current_task()
    request = app._request_factory()(head, EMPTY_PAYLOAD, none, none, task)  # type: ignore[arg-type]
    assert isinstance(request, Request)
    return request


async def test_requests_get_the_apps_client_max_fields(make_request: MakeRequest) -> None:
    assert make_request(Application(), "GET", "/").client_max_fields == 1000
    app = Application(client_max_fields=7, client_max_size=9)
    request = make_request(app, "GET", "/")
    assert (request.client_max_fields, request.client_max_size) == (7, 9)
    fast = factory_request(app)
    assert (fast.client_max_fields, fast.client_max_size) == (7, 9)


SiteMaker = Callable[[AppRunner, float], Any]


def tcp(runner: AppRunner, timeout: float) -> Any:
    return TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=timeout)


def unix(runner: AppRunner, timeout: float) -> Any:
    return UnixSite(runner, "/tmp/unused.sock", shutdown_timeout=timeout)


def sock(runner: AppRunner, timeout: float) -> Any:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return SockSite(runner, s, shutdown_timeout=timeout)


@pytest.mark.parametrize("make_site", [tcp, unix, sock])
async def test_site_shutdown_timeout_is_deprecated_and_moves_to_the_runner(
    make_site: SiteMaker,
) -> None:
    runner = AppRunner(Application(), shutdown_timeout=12.0)
    await runner.setup()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            make_site(runner, 60.0)  # the default: no warning, no change
        assert runner.shutdown_timeout == 12.0
        with pytest.warns(
            DeprecationWarning, match="^shutdown_timeout should be set on BaseRunner$"
        ) as record:
            make_site(runner, 1.5)
        assert runner.shutdown_timeout == 1.5
        # The warning points at the code that built the site.
        assert record[0].filename == __file__
    finally:
        await runner.cleanup()
