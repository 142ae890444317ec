"""Access logging, side by side with aiohttp: what the side-by-side probe found, pinned down.

Each test serves an application built with ``aioweb.web`` or, under
``AIOWEB_IMPL=aiohttp``, with ``aiohttp.web`` on 127.0.0.1 and talks to it over a raw
socket, so the same test states aiohttp's behaviour. Loggers are compared modulo
their names (``aioweb.access`` / ``aiohttp.access``): each test passes its own.

Fixed:

- a subclass of ``web.AbstractAccessLogger`` without ``enabled`` of its own was only
  called while its logger recorded INFO (aiohttp's base class is always enabled), so
  a logger that records elsewhere (metrics, a file) was silently never called;
- ``access_log_format`` that is not a ``str``: a ``TypeError`` that names it (was
  "expected string or bytes-like object"; aiohttp drops every server setting with a
  warning and serves with its defaults).

Pinned (both agree): the format codes, ``%b`` as the bytes the client received (HEAD
included), unknown codes kept as written, ``%a`` the peer whatever
``X-Forwarded-For``/``Forwarded`` say, the record's level and ``extra``, the line
written while the connection is still open. aioweb-only: ``%%`` (aiohttp fails on it
with "Error in logging"), a failing ``log()`` that does not cost the connection.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture
def webmod(impl: str) -> ModuleType:
    """``aioweb.web`` or ``aiohttp.web``: what an application module imports."""
    return importlib.import_module("aiohttp.web" if impl == "aiohttp" else "aioweb.web")


class Records(logging.Handler):
    """Keeps every record of one logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def lines(self) -> list[str]:
        return [r.getMessage() for r in self.records]


_serial = 0


def fresh_logger(level: int = logging.INFO) -> tuple[logging.Logger, Records]:
    """A logger of its own (not propagating) at ``level``, and what it records."""
    global _serial
    _serial += 1
    logger = logging.getLogger(f"test.accesslog_probe.{_serial}")
    logger.setLevel(level)
    logger.propagate = False
    records = Records()
    logger.addHandler(records)
    return logger, records


def probe_app(web: ModuleType) -> Any:
    async def ok(request: Any) -> Any:
        return web.Response(text="hello", headers={"X-Out": "out-value"})

    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    async def stream(request: Any) -> Any:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for _ in range(3):
            await resp.write(b"x" * 10)
        await resp.write_eof()
        return resp

    async def echo(request: Any) -> Any:
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/boom", boom)
    app.router.add_get("/stream", stream)
    app.router.add_post("/echo", echo)
    return app


@dataclass
class Served:
    port: int
    runner: Any
    path: str | None = None
    seen: list[Any] = field(default_factory=list)


Serve = Callable[..., Any]


@pytest.fixture
async def serve_app(webmod: ModuleType) -> AsyncIterator[Serve]:
    """Run ``probe_app`` (or ``app``) with an AppRunner on 127.0.0.1; cleaned up after."""
    runners: list[Any] = []

    async def start(app: Any = None, *, unix: bool = False, **kwargs: Any) -> Served:
        runner = webmod.AppRunner(app if app is not None else probe_app(webmod), **kwargs)
        runners.append(runner)
        await runner.setup()
        if unix:
            path = os.path.join(tempfile.mkdtemp(), "app.sock")
            await webmod.UnixSite(runner, path).start()
            return Served(0, runner, path)
        site = webmod.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return Served(site.port, runner)

    yield start
    for runner in runners:
        await runner.cleanup()


async def exchange(served: Served, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection; everything received until the server closes."""
    if served.path is not None:
        opened = asyncio.open_unix_connection(served.path)
    else:
        opened = asyncio.open_connection("127.0.0.1", served.port)
    reader, writer = await asyncio.wait_for(opened, 5.0)
    try:
        writer.write(data)
        async with asyncio.timeout(5.0):
            return await reader.read()
    finally:
        writer.close()


def get(path: str = "/ok", *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: h", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


async def settle() -> None:
    """Let the server finish logging the request whose answer just arrived."""
    await asyncio.sleep(0.05)


# -- fixed: a custom logger is called whatever the level of its logger ------------------


async def test_custom_subclass_is_called_whatever_the_level_of_its_logger(
    webmod: ModuleType, serve_app: Serve
) -> None:
    calls: list[tuple[str, int, str]] = []

    class Metrics(webmod.AbstractAccessLogger):  # type: ignore[name-defined,misc]
        """Counts requests; records nothing through self.logger."""

        def log(self, request: Any, response: Any, time: float) -> None:
            calls.append((request.path, response.status, type(time).__name__))

    logger, records = fresh_logger(logging.WARNING)
    served = await serve_app(access_log=logger, access_log_class=Metrics)
    assert (await exchange(served, get("/ok"))).startswith(b"HTTP/1.1 200 ")
    assert (await exchange(served, get("/nope"))).startswith(b"HTTP/1.1 404 ")
    await settle()
    assert calls == [("/ok", 200, "float"), ("/nope", 404, "float")]
    assert records.records == []


async def test_default_logger_is_off_below_info(webmod: ModuleType, serve_app: Serve) -> None:
    logger, records = fresh_logger(logging.WARNING)
    served = await serve_app(access_log=logger)
    assert (await exchange(served, get("/ok"))).startswith(b"HTTP/1.1 200 ")
    await settle()
    assert records.records == []
    logger.setLevel(logging.INFO)
    assert (await exchange(served, get("/ok"))).startswith(b"HTTP/1.1 200 ")
    await settle()
    assert len(records.records) == 1


# -- fixed: access_log_format must be a str --------------------------------------------


@pytest.mark.aioweb_only(
    reason="aiohttp takes any access_log_format at setup; the first connection then "
    "drops every server setting with a warning and serves with its defaults"
)
@pytest.mark.parametrize("bad", [None, 123, b"%s"])
async def test_access_log_format_that_is_no_str_is_named(webmod: ModuleType, bad: object) -> None:
    logger, _ = fresh_logger()
    runner = webmod.AppRunner(probe_app(webmod), access_log=logger, access_log_format=bad)
    with pytest.raises(TypeError, match=r"access_log_format must be a str, got "):
        await runner.setup()
    await runner.cleanup()


# -- pinned: the format codes, as aiohttp writes them --------------------------------


async def test_format_codes_for_a_get(serve_app: Serve) -> None:
    logger, records = fresh_logger()
    fmt = "%a|%r|%s|%b|%{User-Agent}i|%{X-Out}o|%{Missing}i|%{missing}o|%P|%T|%x|plain"
    served = await serve_app(access_log=logger, access_log_format=fmt)
    answer = await exchange(
        served,
        get(
            "/ok?q=1",
            "User-Agent: ünï/1",
            "X-Forwarded-For: 1.2.3.4",
            "Forwarded: for=5.6.7.8",
        ),
    )
    await settle()
    [record] = records.records
    assert record.levelno == logging.INFO
    assert record.name == logger.name
    assert record.getMessage() == (
        f"127.0.0.1|GET /ok?q=1 HTTP/1.1|200|{len(answer)}|ünï/1|out-value|-|-"
        f"|<{os.getpid()}>|0|%x|plain"
    )
    extra: dict[str, Any] = vars(record)
    assert extra["remote_address"] == "127.0.0.1"
    assert extra["first_request_line"] == "GET /ok?q=1 HTTP/1.1"
    assert extra["response_status"] == 200
    assert extra["response_size"] == len(answer)
    assert extra["request_header"] == {"User-Agent": "ünï/1", "Missing": "-"}
    assert extra["response_header"] == {"X-Out": "out-value", "missing": "-"}
    assert extra["process_id"] == f"<{os.getpid()}>"


@pytest.mark.parametrize(
    ("request_bytes", "line"),
    [
        (get("/ok", method="HEAD"), "HEAD /ok HTTP/1.1 200"),
        (get("/nope"), "GET /nope HTTP/1.1 404"),
        (get("/boom"), "GET /boom HTTP/1.1 500"),
        (get("/stream"), "GET /stream HTTP/1.1 200"),
        (
            b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
            b"Connection: close\r\n\r\nhello",
            "POST /echo HTTP/1.1 200",
        ),
        (
            get("/ok", "Connection: Upgrade", "Upgrade: something"),
            "GET /ok HTTP/1.1 200",
        ),
        (get("/%C3%BCn%C3%AF"), "GET /%C3%BCn%C3%AF HTTP/1.1 404"),
        (b"GET /ok HTTP/1.0\r\n\r\n", "GET /ok HTTP/1.0 200"),
    ],
    ids=["head", "404", "500", "chunked", "body", "upgrade-refused", "unicode-path", "http10"],
)
async def test_request_line_status_and_size(
    serve_app: Serve, request_bytes: bytes, line: str
) -> None:
    logger, records = fresh_logger()
    served = await serve_app(access_log=logger, access_log_format="%r %s %b")
    answer = await exchange(served, request_bytes)
    await settle()
    # %b is what the client received: head and body (chunk framing included), the
    # head only for HEAD.
    assert records.lines == [f"{line} {len(answer)}"]


async def test_long_header_value_is_logged_whole(serve_app: Serve) -> None:
    logger, records = fresh_logger()
    served = await serve_app(access_log=logger, access_log_format="%{User-Agent}i")
    value = "a" * 8000
    assert (await exchange(served, get("/ok", f"User-Agent: {value}"))).startswith(b"HTTP/1.1 200")
    await settle()
    assert records.lines == [value]


async def test_line_is_written_before_the_connection_closes(
    webmod: ModuleType, serve_app: Serve
) -> None:
    states: list[str] = []

    class Watcher(webmod.AbstractAccessLogger):  # type: ignore[name-defined,misc]
        def log(self, request: Any, response: Any, time: float) -> None:
            transport = request.transport
            closing = transport is None or transport.is_closing()
            states.append("closed" if closing else "open")

    logger, _ = fresh_logger()
    served = await serve_app(access_log=logger, access_log_class=Watcher)
    await exchange(served, get("/ok"))
    await settle()
    assert states == ["open"]


async def test_access_log_none_builds_no_logger(webmod: ModuleType, serve_app: Serve) -> None:
    calls: list[int] = []

    class Counting(webmod.AbstractAccessLogger):  # type: ignore[name-defined,misc]
        def log(self, request: Any, response: Any, time: float) -> None:
            calls.append(response.status)

    served = await serve_app(access_log=None, access_log_class=Counting)
    assert (await exchange(served, get("/ok"))).startswith(b"HTTP/1.1 200")
    await settle()
    assert calls == []


# -- aioweb-only: where aiohttp's access log breaks ----------------------------------


@pytest.mark.aioweb_only(
    reason="aiohttp rewrites the format for %-formatting and fails on '%%' with "
    "'Error in logging' (ValueError), on '%%%s' with a TypeError, and prints '%s %%s' "
    "as '200 %200'"
)
@pytest.mark.parametrize(
    ("fmt", "line"),
    [("%%", "%"), ("100%% %s", "100% 200"), ("%s %%s", "200 %s"), ("%%%s", "%200")],
)
async def test_percent_sign(serve_app: Serve, fmt: str, line: str) -> None:
    logger, records = fresh_logger()
    served = await serve_app(access_log=logger, access_log_format=fmt)
    await exchange(served, get("/ok"))
    await settle()
    assert records.lines == [line]


@pytest.mark.aioweb_only(
    reason="aiohttp logs 'Unhandled exception' and closes the keep-alive connection"
)
async def test_failing_logger_is_reported_and_the_connection_goes_on(
    webmod: ModuleType, serve_app: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(webmod.AbstractAccessLogger):  # type: ignore[name-defined,misc]
        def log(self, request: Any, response: Any, time: float) -> None:
            raise ValueError("logger broke")

    logger, _ = fresh_logger()
    served = await serve_app(access_log=logger, access_log_class=Broken)
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    try:
        with caplog.at_level(logging.ERROR, logger="aioweb.server"):
            writer.write(b"GET /ok HTTP/1.1\r\nHost: h\r\n\r\n" + get("/ok"))
            async with asyncio.timeout(5.0):
                answers = await reader.read()
    finally:
        writer.close()
    assert answers.count(b"HTTP/1.1 200 OK") == 2
    errors = [r for r in caplog.records if r.getMessage() == "Error in access logger"]
    assert len(errors) == 2
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], ValueError)


@pytest.mark.aioweb_only(
    reason="aiohttp's %a is '' for a Unix socket peer (an empty field in the line)"
)
async def test_remote_of_a_unix_socket_peer_is_a_dash(serve_app: Serve) -> None:
    logger, records = fresh_logger()
    served = await serve_app(access_log=logger, access_log_format="%a %s", unix=True)
    await exchange(served, get("/ok"))
    await settle()
    assert records.lines == ["- 200"]


# -- requests the handler never saw: refused by the parser, or answered by a raw 500 -----


@pytest.mark.parametrize(
    "refused",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /ok HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n",
        "GET /ünï HTTP/1.1\r\nHost: h\r\n\r\n".encode(),
    ],
    ids=["request-line", "field-name", "raw-utf8-target"],
)
async def test_request_refused_by_the_parser_is_logged(serve_app: Serve, refused: bytes) -> None:
    logger, records = fresh_logger()
    fmt = '%a "%r" %s %b "%{User-Agent}i" %{Content-Type}o'
    served = await serve_app(access_log=logger, access_log_format=fmt)
    answer = await exchange(served, refused)
    assert answer.split(b" ", 2)[1] == b"400"
    await settle()
    # As aiohttp: a placeholder request line, the status and size of the answer.
    assert records.lines == [
        f'127.0.0.1 "UNKNOWN / HTTP/1.0" 400 {len(answer)} "-" text/plain; charset=utf-8'
    ]
    [record] = records.records
    assert record.levelno == logging.INFO
    assert vars(record)["response_status"] == 400


async def test_request_refused_by_the_parser_reaches_a_custom_logger(
    webmod: ModuleType, serve_app: Serve
) -> None:
    seen: list[tuple[str, str, int]] = []

    class Custom(webmod.AbstractAccessLogger):  # type: ignore[name-defined,misc]
        def log(self, request: Any, response: Any, time: float) -> None:
            seen.append((request.method, request.path, response.status))

    logger, _ = fresh_logger()
    served = await serve_app(access_log=logger, access_log_class=Custom)
    await exchange(served, b"GARBAGE\r\n\r\n")
    await settle()
    assert seen == [("UNKNOWN", "/", 400)]


@pytest.mark.aioweb_only(
    reason="aiohttp answers nothing when the response fails to prepare (it logs "
    "'Unhandled exception' and no access line)"
)
async def test_response_that_fails_to_prepare_logs_the_500_sent(
    webmod: ModuleType, serve_app: Serve
) -> None:
    async def bad_header(request: Any) -> Any:
        return webmod.Response(text="x", headers={"X-Bad": "a\r\nb"})

    app = webmod.Application()
    app.router.add_get("/bad", bad_header)
    logger, records = fresh_logger()
    served = await serve_app(app, access_log=logger, access_log_format="%r %s %b")
    answer = await exchange(served, get("/bad"))
    assert answer.startswith(b"HTTP/1.1 500 ")
    await settle()
    # It was '200 0': the response the handler returned, not the answer sent.
    assert records.lines == [f"GET /bad HTTP/1.1 500 {len(answer)}"]
