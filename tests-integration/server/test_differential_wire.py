"""Valid requests, written byte by byte, get the same answers from aioweb and aiohttp.

The low-level servers of both (``aioweb.server.Server`` and ``aiohttp.web.Server``, the
latter with its C parser) run the same echo handler on 127.0.0.1. Hypothesis writes
valid HTTP/1.1 and HTTP/1.0 requests the way clients other than aiohttp's write them:
origin, absolute and asterisk-form targets, custom methods, repeated and long fields,
obs-text, chunked bodies with extensions and trailers, ``Expect: 100-continue``, several
requests pipelined in one write. Both servers must answer every request alike (status,
headers but Date and Server, and what the handler saw: method, target, URL parts,
headers, body, keep-alive). Invalid requests are not generated: there aioweb is stricter
on purpose (docs/server.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import aiohttp.web as aiohttp_web
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb import server as aioweb_server


async def echo(request: Any) -> Any:
    """What the handler saw, as JSON (same code for both frameworks' requests)."""
    body = await request.read()
    seen = {
        "method": request.method,
        "version": list(request.version),
        "path": request.path,
        "raw_path": request.raw_path,
        "query": sorted(request.query.items()),
        "url": _url(request),
        "scheme": request.scheme,
        "secure": request.secure,
        "path_qs": request.path_qs,
        "query_string": request.query_string,
        "host": request.host.rsplit(":", 1)[0] if ":" in request.host else request.host,
        "headers": [[k, v] for k, v in request.headers.items() if k.lower() != "host"],
        "body": body.decode("latin-1"),
        "keep_alive": request.keep_alive,
        "content_length": request.content_length,
        "body_exists": request.body_exists,
    }
    return (
        aiohttp_web.Response(text=json.dumps(seen))
        if isinstance(request, aiohttp_web.BaseRequest)
        else aioweb_server.Response(text=json.dumps(seen))
    )


def _url(request: Any) -> str:
    try:
        return str(request.url)
    except ValueError as exc:  # a target yarl cannot make a URL of
        return type(exc).__name__


class Servers:
    """Both low-level servers in one loop that runs while a request is exchanged."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.servers: list[asyncio.Server] = []
        self.ports: dict[str, int] = {}

    def start(self) -> None:
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        for name, factory in (
            ("aiohttp", aiohttp_web.Server(echo)),
            ("aioweb", aioweb_server.Server(echo)),
        ):
            srv = await self.loop.create_server(factory, "127.0.0.1", 0)
            self.servers.append(srv)
            self.ports[name] = srv.sockets[0].getsockname()[1]

    def close(self) -> None:
        for srv in self.servers:
            srv.close()
            self.loop.run_until_complete(srv.wait_closed())
        self.loop.close()

    def exchange(self, data: bytes) -> dict[str, bytes]:
        return self.loop.run_until_complete(self._both(data))

    async def _both(self, data: bytes) -> dict[str, bytes]:
        return {name: await self._one(port, data) for name, port in self.ports.items()}

    async def _one(self, port: int, data: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(data)
            async with asyncio.timeout(5):
                return await reader.read()  # the last request says Connection: close
        finally:
            writer.close()


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with contextlib.closing(Servers()) as both:
        both.start()
        yield both


TCHAR_TEXT = st.text("abcXYZ019-._~!$&'()*+,;=:@", min_size=1, max_size=8)
PATH = st.lists(
    st.one_of(TCHAR_TEXT, st.sampled_from(["%20", "%2F", "%C3%A9", "%25", ".", ".."])),
    max_size=4,
).map(lambda segments: "/" + "/".join(segments))
QUERY = st.one_of(st.just(""), st.text("ab1=&+%2Cz/?", max_size=10).map(lambda q: "?" + q))
FIELD_VALUES = st.sampled_from(
    ["v", "a, b", "x" * 4000, "caf\xe9", "\tpadded\t", 'q="quoted; value"', "=", ""]
)
FIELD_NAMES = st.sampled_from(["X-A", "x-a", "X-Long", "Accept", "Cookie", "X-Empty"])


@st.composite
def one_request(draw: st.DrawFn, *, last: bool) -> bytes:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PURGE"]))
    form = draw(st.sampled_from(["origin", "origin", "absolute", "asterisk"]))
    if form == "asterisk" and method == "OPTIONS":
        target = "*"
    elif form == "absolute":
        # an https target on a plain connection must not make the request secure
        authority = draw(st.sampled_from(["http://example.com", "https://example.com:8443"]))
        target = authority + draw(PATH) + draw(QUERY)
    else:
        target = draw(PATH) + draw(QUERY)
    version = draw(st.sampled_from(["1.1", "1.1", "1.0"]))
    fields = [("Host", "example.com")]
    fields += draw(st.lists(st.tuples(FIELD_NAMES, FIELD_VALUES), max_size=4))
    body = draw(st.one_of(st.none(), st.binary(max_size=30)))
    chunked = body is not None and version == "1.1" and draw(st.booleans())
    if body is not None and not chunked:
        fields.append(("Content-Length", str(len(body))))
    if chunked:
        fields.append(("Transfer-Encoding", "chunked"))
        if draw(st.booleans()):
            fields.append(("Expect", "100-continue"))
    if last:
        fields.append(("Connection", "close"))
    elif version == "1.0":
        fields.append(("Connection", "keep-alive"))
    head = f"{method} {target} HTTP/{version}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\n"
    out = head.encode("latin-1")
    if chunked:
        assert body is not None
        cut = draw(st.integers(0, len(body)))
        for piece in (body[:cut], body[cut:]):
            if piece:
                ext = draw(st.sampled_from(["", ";a=b", ';name="v"']))
                out += f"{len(piece):x}{ext}\r\n".encode() + piece + b"\r\n"
        # Trailers only on the last request: aiohttp hands them to the next pipelined
        # request as headers (test_trailers_stay_with_their_request below).
        trailers = [b""] + ([b"X-Trailer: 1\r\n"] if last else [])
        out += b"0\r\n" + draw(st.sampled_from(trailers)) + b"\r\n"
    elif body is not None:
        out += body
    return out


@st.composite
def pipelines(draw: st.DrawFn) -> bytes:
    count = draw(st.integers(1, 3))
    return b"".join(draw(one_request(last=i == count - 1)) for i in range(count))


def digest(wire: Any, data: bytes) -> list[dict[str, Any]]:
    """The responses in a byte stream, without what differs by nature (Date, Server).

    Interim 100 Continue answers are left out: aioweb's low-level server sends them,
    aiohttp's leaves that to the handler (docs/server.md).
    """
    out = []
    for resp in wire.parse_responses(data):
        if resp.status == 100:
            continue
        headers = sorted(
            (name.lower(), value)
            for name, value in resp.headers
            if name.lower() not in ("date", "server", "content-length")
        )
        body: Any = resp.body.decode("latin-1")
        if 200 <= resp.status < 300:
            body = json.loads(body)
        out.append({"status": resp.status, "headers": headers, "body": body})
    return out


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=pipelines())
def test_valid_requests_answered_as_aiohttp_answers_them(
    servers: Servers, wire: Any, data: bytes
) -> None:
    answers = servers.exchange(data)
    assert digest(wire, answers["aioweb"]) == digest(wire, answers["aiohttp"]), data


def test_trailers_stay_with_their_request(servers: Servers, wire: Any) -> None:
    """aioweb keeps a chunked request's trailers apart from the next request's headers.

    aiohttp 3.14 (C parser) adds them to the headers of the request pipelined after it,
    so a client could set headers on a request it did not write the head of.
    """
    data = (
        b"POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"1\r\na\r\n0\r\nX-Trailer: smuggled\r\n\r\n"
        b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
    )
    first, second = digest(wire, servers.exchange(data)["aioweb"])
    assert first["body"]["body"] == "a"
    assert second["body"]["headers"] == [["Connection", "close"]]


def test_https_target_does_not_make_a_plain_connection_secure(servers: Servers, wire: Any) -> None:
    """The scheme of an absolute-form target is the peer's word (aiohttp 3.14.5 agrees)."""
    data = b"GET https://example.com:8443/p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for answer in servers.exchange(data).values():
        (seen,) = digest(wire, answer)
        assert seen["body"]["scheme"] == "http"
        assert seen["body"]["secure"] is False
        assert seen["body"]["url"] == "http://example.com:8443/p"
        assert seen["body"]["host"] == "example.com"
