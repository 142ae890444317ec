"""An access logger written against ``aiohttp.abc.AbstractAccessLogger`` is taken as is."""

from __future__ import annotations

import logging
from typing import Any

import pytest

pytest.importorskip("aiohttp")

from aiohttp.abc import AbstractAccessLogger as AiohttpAbstractAccessLogger

from aioweb.server import BaseRequest, Response, Server
from aioweb.server.accesslog import make_access_logger

LOGGER = logging.getLogger("test.accesslog.classes")


class FromAiohttp(AiohttpAbstractAccessLogger):
    calls: list[tuple[Any, ...]] = []

    def log(self, request: Any, response: Any, time: float) -> None:
        self.calls.append((request, response, time))


def test_aiohttp_subclass_is_used_as_is_and_enabled() -> None:
    access = make_access_logger(FromAiohttp, LOGGER, "%a")
    assert isinstance(access, FromAiohttp)
    assert (access.logger, access.log_format) == (LOGGER, "%a")
    assert access.enabled is True  # aiohttp's base class: always enabled
    access.log("req", "resp", 0.25)
    assert FromAiohttp.calls == [("req", "resp", 0.25)]


async def test_server_takes_it() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response()

    Server(handler, access_log=LOGGER, access_log_class=FromAiohttp)
