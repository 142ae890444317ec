"""Shared fixtures for the whole-stack integration tests.

Every server test runs against the implementation named by the ``AIOWEB_IMPL``
environment variable: ``aioweb`` (the default, what CI runs) or ``aiohttp`` (the
ground truth: run the suite with ``AIOWEB_IMPL=aiohttp`` to check that a test
encodes aiohttp's real behaviour).

Fixtures:

- ``impl``: the implementation name;
- ``web``: a namespace with the server-side names (``Server``, ``Response``,
  ``StreamResponse``, ``json_response``, ``BaseRequest`` and the ``HTTP*``
  exceptions) of that implementation;
- ``serve``: starts a low-level server for a handler on 127.0.0.1 (ephemeral
  port) and stops it after the test; the returned ``RunningServer`` has
  ``alive()`` which proves, on a fresh connection, that the server still serves;
- ``curl``: the path of the curl binary (fails, not skips, when absent: CI has it).

Raw-socket helpers (``raw_exchange``, ``read_response``, ``parse_responses``)
read HTTP/1.1 responses without trusting any client library's leniency.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

IMPLS = ("aioweb", "aiohttp")
IMPL = os.environ.get("AIOWEB_IMPL", "aioweb")
if IMPL not in IMPLS:
    raise pytest.UsageError(f"AIOWEB_IMPL must be one of {IMPLS}, not {IMPL!r}")

REPO_ROOT = Path(__file__).resolve().parent.parent
ALIVE_PATH = "/__alive__"
ALIVE_BODY = b"alive"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "aioweb_only(reason): aioweb deliberately differs from aiohttp here; "
        "under AIOWEB_IMPL=aiohttp the test is skipped with that reason",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IMPL != "aiohttp":
        return
    for item in items:
        marker = item.get_closest_marker("aioweb_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"deliberate aioweb difference: {reason}"))


def pytest_report_header() -> str:
    return f"aioweb integration: AIOWEB_IMPL={IMPL}"


def shared_dir() -> Path:
    """The shared folder (seeds, conformance): ``$AIOWEB_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("AIOWEB_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


class Web:
    """Attribute lookup over the server modules of one implementation."""

    def __init__(self, impl: str) -> None:
        self.impl = impl
        if impl == "aiohttp":
            self._modules = [importlib.import_module("aiohttp.web")]
        else:
            self._modules = [
                importlib.import_module("aioweb.server"),
                importlib.import_module("aioweb.exceptions"),
            ]

    def __getattr__(self, name: str) -> Any:
        for module in self._modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"{self.impl} has no server-side name {name!r}")


@pytest.fixture
def impl() -> str:
    return IMPL


@pytest.fixture
def web() -> Web:
    return Web(IMPL)


Handler = Callable[[Any], Awaitable[Any]]


@dataclass
class RunningServer:
    """One listening server; ``server`` is the implementation's ``Server`` object."""

    server: Any
    listener: asyncio.Server
    port: int
    host: str = "127.0.0.1"
    seen: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def alive(self) -> None:
        """Assert that a fresh connection still gets a normal answer."""
        request = (
            f"GET {ALIVE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ).encode()
        data = await raw_exchange(self.port, request, timeout=5.0)
        responses = parse_responses(data)
        assert len(responses) == 1, data[:500]
        assert responses[0].status == 200, data[:500]
        assert responses[0].body == ALIVE_BODY

    async def shutdown(self, timeout: float = 2.0) -> None:
        self.listener.close()
        # wait_closed() waits for the connections too (Python 3.12.1+): after shutdown.
        await self.server.shutdown(timeout)
        await self.listener.wait_closed()


def make_server(
    web: Web, handler: Handler, *, client_max_size: int | None = None, **kwargs: Any
) -> Any:
    """Build the implementation's low-level ``Server`` for a handler.

    Neither low-level ``Server`` takes ``client_max_size``: the request factory
    (documented for both) builds each ``BaseRequest`` with it.
    """
    if client_max_size is not None:
        base_request = web.BaseRequest

        def factory(message: Any, payload: Any, protocol: Any, writer: Any, task: Any) -> Any:
            if web.impl == "aiohttp":
                loop = asyncio.get_running_loop()
                return base_request(
                    message, payload, protocol, writer, task, loop, client_max_size=client_max_size
                )
            return base_request(
                message, payload, protocol, writer, task, client_max_size=client_max_size
            )

        kwargs["request_factory"] = factory
    return web.Server(handler, **kwargs)


@pytest.fixture
async def serve(web: Web) -> AsyncIterator[Callable[..., Awaitable[RunningServer]]]:
    """Start servers for handlers; every one is shut down at teardown."""
    running: list[RunningServer] = []

    async def start(handler: Handler, **kwargs: Any) -> RunningServer:
        async def wrapped(request: Any) -> Any:
            if request.path == ALIVE_PATH:
                return web.Response(body=ALIVE_BODY)
            return await handler(request)

        server = make_server(web, wrapped, **kwargs)
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(server, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        srv = RunningServer(server=server, listener=listener, port=port)
        running.append(srv)
        return srv

    yield start
    for srv in running:
        if srv.listener.is_serving():
            await srv.shutdown(1.0)
        else:
            await srv.server.shutdown(1.0)


def load_file(path: Path, name: str) -> ModuleType:
    """Import the example program at ``path`` as module ``name`` (the folders are no packages)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_example() -> Callable[[Path, str], ModuleType]:
    """:func:`load_file`, for the tests of the example programs that docs include."""
    return load_file


@pytest.fixture
def curl() -> str:
    path = shutil.which("curl")
    if path is None:
        pytest.fail("curl is required by the integration suite (CI has /usr/bin/curl)")
    return path


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (for code that insists on a fixed port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- raw HTTP/1.1 over sockets ------------------------------------------------------


@dataclass
class RawResponse:
    """A response as it came off the wire."""

    status: int
    reason: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    head: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]


class _Buffer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def until(self, sep: bytes) -> bytes:
        end = self.data.index(sep, self.pos)
        chunk = self.data[self.pos : end]
        self.pos = end + len(sep)
        return chunk

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated body")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def _parse_one(buf: _Buffer, *, head_request: bool) -> RawResponse:
    head = buf.until(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    version, _, rest = lines[0].decode("latin-1").partition(" ")
    code, _, reason = rest.partition(" ")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.decode("latin-1").partition(":")
        assert sep, f"malformed header line {line!r}"
        headers.append((name, value.strip(" \t")))
    status = int(code)
    resp = RawResponse(status, reason, version, headers, b"", head)
    if head_request or status in (204, 304) or 100 <= status < 200:
        return resp
    te = (resp.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        parts = []
        while True:
            size_line = buf.until(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while buf.until(b"\r\n"):  # trailers
                    pass
                break
            parts.append(buf.take(size))
            assert buf.take(2) == b"\r\n"
        resp.body = b"".join(parts)
    elif resp.header("Content-Length") is not None:
        resp.body = buf.take(int(resp.header("Content-Length") or "0"))
    else:
        resp.body = buf.data[buf.pos :]
        buf.pos = len(buf.data)
    return resp


def parse_responses(data: bytes, *, head_requests: int = 0) -> list[RawResponse]:
    """Split a byte stream into responses (1xx interim responses included).

    The first ``head_requests`` responses are answers to HEAD (no body).
    """
    buf = _Buffer(data)
    out: list[RawResponse] = []
    while buf.pos < len(data):
        resp = _parse_one(buf, head_request=len(out) < head_requests)
        out.append(resp)
    return out


async def read_response(reader: asyncio.StreamReader, *, head_request: bool = False) -> RawResponse:
    """Read one final response (skipping 1xx) from a stream."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        probe = _parse_one(_Buffer(head), head_request=True)
        if not 100 <= probe.status < 200:
            break
    status = probe.status
    if head_request or status in (204, 304):
        return probe
    te = (probe.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        parts = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                break
            parts.append(await reader.readexactly(size))
            assert await reader.readexactly(2) == b"\r\n"
        probe.body = b"".join(parts)
    elif probe.header("Content-Length") is not None:
        probe.body = await reader.readexactly(int(probe.header("Content-Length") or "0"))
    else:
        probe.body = await reader.read()
    return probe


async def read_until_close(reader: asyncio.StreamReader, *, timeout: float) -> bytes:
    """Everything the peer sends until it closes (fails after ``timeout`` seconds)."""
    chunks: list[bytes] = []
    async with asyncio.timeout(timeout):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@contextlib.asynccontextmanager
async def connect(port: int) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """An open raw connection that is always closed afterwards."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5.0)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


class _Collector(asyncio.Protocol):
    """Keeps every byte received, even when the peer then resets the connection."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.data += data

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def raw_exchange(
    port: int, data: bytes, *, timeout: float = 5.0, piece: int = 0, pause: float = 0.0
) -> bytes:
    """Send ``data`` on a fresh connection; return everything until the server closes.

    With ``piece`` the bytes go out in segments of that size (TCP_NODELAY, one
    event-loop turn or ``pause`` seconds apart) and sending stops once the server
    has answered or closed. Bytes received before a connection reset are kept.
    """
    loop = asyncio.get_running_loop()
    transport, proto = await asyncio.wait_for(
        loop.create_connection(_Collector, "127.0.0.1", port), 5.0
    )
    try:
        if piece:
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for start in range(0, len(data), piece):
                if proto.data or proto.done.done():
                    break
                transport.write(data[start : start + piece])
                await asyncio.sleep(pause)
        else:
            transport.write(data)
        await asyncio.wait_for(asyncio.shield(proto.done), timeout)
        return bytes(proto.data)
    finally:
        transport.close()


def iter_chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


class Wire:
    """The raw-socket helpers, handed to tests as the ``wire`` fixture."""

    connect = staticmethod(connect)
    exchange = staticmethod(raw_exchange)
    parse_responses = staticmethod(parse_responses)
    read_response = staticmethod(read_response)
    read_until_close = staticmethod(read_until_close)
    iter_chunks = staticmethod(iter_chunks)
    free_port = staticmethod(free_port)
    shared_dir = staticmethod(shared_dir)


@pytest.fixture
def wire() -> Wire:
    return Wire()
