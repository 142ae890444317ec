"""Which ``access_log_class`` values the server takes (``make_access_logger``).

A subclass of aioweb's ``AbstractAccessLogger`` and any class with
``log(request, response, time)`` are taken (so are subclasses of
``aiohttp.abc.AbstractAccessLogger``: test_accesslog_classes_aiohttp.py); a class
without ``enabled`` counts as always enabled. Anything else is a ``TypeError`` that
says what is required.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from aioweb.server import AbstractAccessLogger, AccessLogger, BaseRequest, Response, Server
from aioweb.server.accesslog import make_access_logger

LOGGER = logging.getLogger("test.accesslog.classes")
calls: list[tuple[Any, ...]] = []


class Native(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: Any, time: float) -> None:
        calls.append(("native", request, response, time))


class Duck:
    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    def log(self, request: Any, response: Any, time_: float) -> None:
        calls.append(("duck", request, response, time_))


class SwitchableDuck(Duck):
    on = True

    @property
    def enabled(self) -> bool:
        return self.on


def test_aioweb_subclass_is_used_as_is() -> None:
    access = make_access_logger(Native, LOGGER, "%s")
    assert type(access) is Native
    assert make_access_logger(AccessLogger, LOGGER, "%s").enabled == LOGGER.isEnabledFor(
        logging.INFO
    )


def test_duck_without_enabled_is_always_enabled_and_logs() -> None:
    calls.clear()
    access = make_access_logger(Duck, LOGGER, "%r")
    assert access.enabled is True
    access.log("req", "resp", 0.5)
    assert calls == [("duck", "req", "resp", 0.5)]


def test_duck_with_enabled_keeps_its_own() -> None:
    access = make_access_logger(SwitchableDuck, LOGGER, "%r")
    assert isinstance(access, SwitchableDuck)
    access.on = False
    assert access.enabled is False


class NoLog:
    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        pass


class LogAttribute(NoLog):
    log = "not callable"


def factory(logger: logging.Logger, log_format: str) -> Duck:
    return Duck(logger, log_format)


@pytest.mark.parametrize("bad", [object, NoLog, LogAttribute, factory, None])
def test_anything_else_is_refused_with_what_is_required(bad: Any) -> None:
    with pytest.raises(TypeError) as error:
        make_access_logger(bad, LOGGER, "%s")
    message = str(error.value)
    assert "subclass of aioweb.server.AbstractAccessLogger" in message
    assert "log(request, response, time)" in message
    assert repr(bad) in message


class WrongArity:
    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        pass

    def log(self, request: Any) -> None:
        pass


def test_log_that_cannot_take_three_arguments_is_refused() -> None:
    with pytest.raises(TypeError, match=r"WrongArity\.log must take \(request, response, time\)"):
        make_access_logger(WrongArity, LOGGER, "%s")


async def test_server_takes_a_duck_and_refuses_the_rest() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response()

    Server(handler, access_log=LOGGER, access_log_class=Duck)
    with pytest.raises(TypeError, match=r"aioweb\.server\.AbstractAccessLogger"):
        Server(handler, access_log=LOGGER, access_log_class=NoLog)  # type: ignore[arg-type]
    # Without an access log the class is not used, hence not checked (as aiohttp).
    Server(handler, access_log=None, access_log_class=NoLog)  # type: ignore[arg-type]
