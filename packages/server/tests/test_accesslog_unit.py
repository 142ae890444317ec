"""Unit tests for the access log (``aioweb.server.accesslog``).

Requests are real :class:`BaseRequest` objects built from a parsed head over a fake
transport; a few tests serve over 127.0.0.1 to see the logger called by the server.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from aioweb.http import HttpVersion, HttpVersion10, HttpVersion11
from aioweb.http.message import RequestHead
from aioweb.server import (
    AbstractAccessLogger,
    AccessLogger,
    BaseRequest,
    Response,
    Server,
    StreamResponse,
)
from aioweb.server._testing import FakeTransport, read_response, serve
from aioweb.server.accesslog import access_logger
from aioweb.server.streams import EMPTY_PAYLOAD


class _Protocol:
    """The part of the connection a request reads: its transport."""

    def __init__(self, peername: Any) -> None:
        self.transport = FakeTransport(peername=peername)


def make_request(
    target: str = "/",
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "GET",
    version: HttpVersion = HttpVersion11,
    peername: Any = ("127.0.0.1", 5555),
) -> BaseRequest:
    head = RequestHead.build(method, target, headers, version=version)
    task: Any = None  # the access log never touches the task or the writer
    return BaseRequest(head, EMPTY_PAYLOAD, _Protocol(peername), task, task)  # type: ignore[arg-type]


class Records(logging.Handler):
    """Collects the records of one logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def lines(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == logging.INFO]


@pytest.fixture
def records() -> Iterator[tuple[logging.Logger, Records]]:
    logger = logging.getLogger("test.aioweb.access")
    handler = Records()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        logger.disabled = False


def line(
    log: tuple[logging.Logger, Records],
    fmt: str,
    request: BaseRequest | None = None,
    response: StreamResponse | None = None,
    took: float = 0.5,
) -> str:
    logger, handler = log
    AccessLogger(logger, fmt).log(
        request or make_request(), response if response is not None else Response(), took
    )
    assert len(handler.lines) == 1
    return handler.lines[-1]


Log = tuple[logging.Logger, Records]

# -- format codes ----------------------------------------------------------------


def test_remote_address(records: Log) -> None:
    assert line(records, "%a", make_request(peername=("10.1.2.3", 80))) == "10.1.2.3"


@pytest.mark.parametrize("peername", [None, ""])
def test_remote_address_unknown_is_dash(records: Log, peername: Any) -> None:
    assert line(records, "[%a]", make_request(peername=peername)) == "[-]"


def test_pid(records: Log) -> None:
    assert line(records, "%P") == f"<{os.getpid()}>"


@pytest.mark.parametrize(
    ("method", "target", "version", "expected"),
    [
        ("GET", "/", HttpVersion11, "GET / HTTP/1.1"),
        ("POST", "/a/b?x=1&y=2", HttpVersion10, "POST /a/b?x=1&y=2 HTTP/1.0"),
        ("DELETE", "/caf%C3%A9?q=%20", HttpVersion11, "DELETE /caf%C3%A9?q=%20 HTTP/1.1"),
    ],
)
def test_first_line(
    records: Log, method: str, target: str, version: HttpVersion, expected: str
) -> None:
    request = make_request(target, method=method, version=version)
    assert line(records, "%r", request) == expected


def test_status_and_size(records: Log) -> None:
    assert line(records, "%s %b", response=Response(status=404)) == "404 0"


@pytest.mark.parametrize(
    ("took", "seconds", "frac", "micros"),
    [
        (0.0, "0", "0.000000", "0"),
        (2.6, "3", "2.600000", "2600000"),
        (0.0000004, "0", "0.000000", "0"),
        (12.3456789, "12", "12.345679", "12345679"),
    ],
)
def test_durations(records: Log, took: float, seconds: str, frac: str, micros: str) -> None:
    assert line(records, "%T|%Tf|%D", took=took) == f"{seconds}|{frac}|{micros}"


def test_start_time_is_now_minus_the_duration(records: Log) -> None:
    text = line(records, "%t", took=3600.0)
    match = re.fullmatch(r"\[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]", text)
    assert match is not None, text
    start = datetime.datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z")
    expected = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    assert abs((start - expected).total_seconds()) < 5


@pytest.fixture
def sydney_time() -> Iterator[None]:
    if not os.path.exists("/usr/share/zoneinfo/Australia/Sydney"):
        pytest.skip("no tz database on this machine")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Australia/Sydney"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("sydney_time")
def test_start_time_uses_the_current_utc_offset(records: Log) -> None:
    # +1000 in winter, +1100 under daylight saving: the offset in force now is logged.
    offset = datetime.datetime.now().astimezone().strftime("%z")
    assert offset in ("+1000", "+1100")
    assert line(records, "%t", took=0.0).endswith(f" {offset}]")


def test_request_and_response_headers(records: Log) -> None:
    request = make_request(headers={"User-Agent": "curl/8", "X-Multi": "a"})
    response = Response(headers={"X-Trace": "t-1"})
    fmt = "%{User-Agent}i %{user-agent}i %{Referer}i %{X-Trace}o %{x-missing}o"
    assert line(records, fmt, request, response) == "curl/8 curl/8 - t-1 -"


def test_percent_sign_and_literal_text(records: Log) -> None:
    assert line(records, "100%% done: %s!", response=Response(status=201)) == "100% done: 201!"


@pytest.mark.parametrize(
    "fmt", ["%x", "%", "%{Foo}e", "%{bad name}i", "%{}i", "%Z %q", "trailing %"]
)
def test_unknown_codes_are_copied_as_written(records: Log, fmt: str) -> None:
    assert line(records, fmt) == fmt


def test_unknown_code_next_to_known_ones(records: Log) -> None:
    assert line(records, "%x%s%y", response=Response(status=204)) == "%x204%y"


def test_values_are_not_interpreted_as_format_strings(records: Log) -> None:
    request = make_request("/p?x=%25s", headers={"User-Agent": "%s %(name)s %d"})
    assert line(records, "%r %{User-Agent}i", request) == "GET /p?x=%25s HTTP/1.1 %s %(name)s %d"


def test_default_format(records: Log) -> None:
    assert AccessLogger.LOG_FORMAT == '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    logger, handler = records
    request = make_request("/index", headers={"User-Agent": "ua/1"})
    AccessLogger(logger).log(request, Response(status=200), 0.01)
    assert re.fullmatch(
        r'127\.0\.0\.1 \[[^\]]+\] "GET /index HTTP/1\.1" 200 0 "-" "ua/1"', handler.lines[0]
    )


def test_format_is_kept(records: Log) -> None:
    logger, _ = records
    access = AccessLogger(logger, "%s")
    assert access.log_format == "%s"
    assert access.logger is logger


# -- the record ------------------------------------------------------------------


def test_extra_carries_the_values_under_aiohttp_names(records: Log) -> None:
    logger, handler = records
    request = make_request(headers={"User-Agent": "ua", "Referer": "r"})
    response = Response(status=418, headers={"X-A": "1"})
    fmt = '%a %t %P "%r" %s %b %T %Tf %D %{User-Agent}i %{Referer}i %{X-A}o'
    AccessLogger(logger, fmt).log(request, response, 1.5)
    record = handler.records[0]
    assert record.levelno == logging.INFO
    values = record.__dict__
    assert values["remote_address"] == "127.0.0.1"
    assert values["request_start_time"].startswith("[")
    assert values["process_id"] == f"<{os.getpid()}>"
    assert values["first_request_line"] == "GET / HTTP/1.1"
    assert values["response_status"] == 418
    assert values["response_size"] == 0
    assert values["request_time"] == "2"
    assert values["request_time_frac"] == "1.500000"
    assert values["request_time_micro"] == "1500000"
    assert values["request_header"] == {"User-Agent": "ua", "Referer": "r"}
    assert values["response_header"] == {"X-A": "1"}


def test_extra_holds_only_the_codes_in_the_format(records: Log) -> None:
    logger, handler = records
    AccessLogger(logger, "%s").log(make_request(), Response(), 0.0)
    values = handler.records[0].__dict__
    assert values["response_status"] == 200
    for absent in ("remote_address", "first_request_line", "request_header"):
        assert absent not in values


# -- enabled, errors, subclasses ------------------------------------------------


def enabled(access: AbstractAccessLogger) -> bool:
    # A call, so that mypy does not narrow the property between two checks.
    return access.enabled


def test_enabled_follows_the_logger_level(records: Log) -> None:
    logger, handler = records
    access = AccessLogger(logger)
    assert enabled(access)
    logger.setLevel(logging.WARNING)
    assert not enabled(access)
    access.log(make_request(), Response(), 0.0)
    assert handler.records == []
    logger.setLevel(logging.INFO)
    logger.disabled = True
    assert not enabled(access)


def test_default_logger_name() -> None:
    assert access_logger.name == "aioweb.access"


class BrokenSize(Response):
    @property
    def body_length(self) -> int:
        raise RuntimeError("boom")


def test_error_while_formatting_is_logged_not_raised(records: Log) -> None:
    logger, handler = records
    AccessLogger(logger, "%s %b").log(make_request(), BrokenSize(), 0.0)
    assert handler.lines == []
    [record] = handler.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Error in logging"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_abstract_logger_needs_log() -> None:
    with pytest.raises(TypeError):
        AbstractAccessLogger(logging.getLogger("x"), "%s")  # type: ignore[abstract]


class Collecting(AbstractAccessLogger):
    calls: list[tuple[str, int, float]] = []

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.calls.append((request.path, response.status, time))


def test_subclass_gets_logger_format_and_enabled(records: Log) -> None:
    logger, _ = records
    access = Collecting(logger, "fmt")
    assert access.logger is logger
    assert access.log_format == "fmt"
    assert enabled(access)
    # As aiohttp's base class: always enabled, whatever the level of the logger (a
    # subclass may record elsewhere than self.logger); AccessLogger follows the level.
    logger.setLevel(logging.ERROR)
    assert enabled(access)
    assert not enabled(AccessLogger(logger))


# -- through the server ----------------------------------------------------------


async def get(port: int, target: str = "/") -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        response = await asyncio.wait_for(read_response(reader), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    return response.status


async def wait_for(predicate: Any) -> None:
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in 2 s")


async def handler(request: BaseRequest) -> Response:
    return Response(text="hello", status=202)


async def test_server_logs_each_request(records: Log) -> None:
    logger, handler_ = records
    async with serve(handler, access_log=logger, access_log_format="%r %s %b %D") as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /x?y=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        sent = await asyncio.wait_for(reader.read(), 5)  # the whole response, then EOF
        writer.close()
        await writer.wait_closed()
        await wait_for(lambda: handler_.lines)
    text = handler_.lines[0]
    first, status, size, micros = text.rsplit(" ", 3)
    assert sent.startswith(b"HTTP/1.1 202 ")
    # %b: the bytes of the response, head included, as aiohttp counts them
    assert (first, status, size) == ("GET /x?y=1 HTTP/1.1", "202", str(len(sent)))
    assert int(micros) >= 0


async def test_server_calls_a_custom_logger(records: Log) -> None:
    logger, _ = records
    Collecting.calls = []
    async with serve(handler, access_log=logger, access_log_class=Collecting) as (_, port):
        assert await get(port, "/custom") == 202
        await wait_for(lambda: Collecting.calls)
    [(path, status, took)] = Collecting.calls
    assert (path, status) == ("/custom", 202)
    assert 0 <= took < 5


class CollectingAtInfo(Collecting):
    """Enabled only while its logger records INFO (the base class is always enabled)."""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


async def test_server_skips_a_disabled_logger(records: Log) -> None:
    logger, _ = records
    logger.setLevel(logging.WARNING)
    Collecting.calls = []
    async with serve(handler, access_log=logger, access_log_class=CollectingAtInfo) as (_, port):
        assert await get(port) == 202
        assert await get(port) == 202
    assert Collecting.calls == []


class Raising(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        raise ValueError("logger bug")


async def test_a_failing_custom_logger_does_not_break_the_response(records: Log) -> None:
    logger, _ = records
    server_records = Records()
    server_log = logging.getLogger("aioweb.server")
    server_log.addHandler(server_records)
    try:
        async with serve(handler, access_log=logger, access_log_class=Raising) as (_, port):
            assert await get(port) == 202
            assert await get(port) == 202
            await wait_for(lambda: len(server_records.records) >= 2)
    finally:
        server_log.removeHandler(server_records)
    errors = [r for r in server_records.records if r.getMessage() == "Error in access logger"]
    assert len(errors) == 2
    assert all(r.exc_info and isinstance(r.exc_info[1], ValueError) for r in errors)


async def test_server_rejects_a_class_that_is_not_an_access_logger() -> None:
    async def noop(request: BaseRequest) -> Response:
        return Response()

    with pytest.raises(TypeError):
        Server(noop, access_log_class=object)  # type: ignore[arg-type]
