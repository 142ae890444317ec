"""The in-memory response's shortcuts against the general path.

Whatever a handler does to a Response, sending it with the head shortcut
(``_head.whole_head``) allowed and turned off must put the same bytes on the wire,
leave the same headers on the response and the same keep-alive decision, or fail with
the same error. With a prepare hook (``on_response_prepare``), sending in one step
(``_send_hooked``) must do what ``prepare()`` and ``write_eof()`` do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http import HttpVersion10, HttpVersion11, RequestHead
from aioweb.server import _head
from aioweb.server import response as response_module
from aioweb.server.response import Response
from aioweb.server.writer import StreamWriter


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return False


class _Flow:
    def __init__(self) -> None:
        self.transport = _Transport()
        self.writing_paused = False


class _Protocol:
    def __init__(self, keeps_alive: bool) -> None:
        self.keeps_alive = keeps_alive

    def keeps_alive_after(self, request: object) -> bool:
        return self.keeps_alive


class _Request:
    """What sending a Response reads of a request."""

    def __init__(self, head: RequestHead, keeps_alive: bool) -> None:
        self._head = head
        self._protocol = _Protocol(keeps_alive)
        self._flow = _Flow()
        self._writer = self.writer = StreamWriter(self._flow)  # type: ignore[arg-type]
        self._on_prepare = None


# Fields that mean something to the head logic, in several spellings, and some that
# must fail (not a token, a CR LF, not text).
FIELDS = [
    ("Connection", "close"),
    ("connection", "keep-alive"),
    ("Content-Length", "5"),
    ("CONTENT-LENGTH", "0"),
    ("content-length", "abc"),
    ("Transfer-Encoding", "chunked"),
    ("Date", "yesterday"),
    ("server", "other"),
    ("Content-Type", "text/html"),
    ("content-type", "a/b"),
    ("Set-Cookie", "a=b"),
    ("X-Trace", "1"),
    ("x-trace", "é"),
    ("X-Trace", ""),
    ("Bad Name", "v"),
    ("X-Split", "a\r\nb"),
]
# How the connection goes on: the request, the server (keeps_alive_after) or the
# handler (force_close) may end it.
ALIVE = ["yes", "yes", "request closes", "server closes", "handler closes"]


def _request(spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> _Request:
    monkeypatch.setattr(_head, "http_date", lambda: "Sat, 21 Nov 2026 12:00:00 GMT")
    alive = spec["alive"]
    head = RequestHead.build(
        spec["method"], "/", version=spec["version"], should_close=alive == "request closes"
    )
    return _Request(head, alive != "server closes")


def _response(spec: dict[str, Any]) -> Response:
    """The Response a handler made and changed as ``spec`` says."""
    resp = Response(status=spec["status"], reason=spec["reason"], **spec["body"])
    for name, value in spec["headers"]:
        resp.headers.add(name, value)
    if spec["alive"] == "handler closes":
        resp.force_close()
    if spec["cookie"]:
        resp.set_cookie("k", "v")
    return resp


def _send(spec: dict[str, Any], shortcut: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    if not shortcut:
        monkeypatch.setattr(response_module, "whole_head", lambda *args: None)
    request = _request(spec, monkeypatch)
    try:
        resp = _response(spec)
        sent = resp._send_at_once(request)  # type: ignore[arg-type]
    except Exception as exc:  # the same failure is the same outcome
        return (type(exc), str(exc))
    finally:
        monkeypatch.undo()
    return (
        sent,
        b"".join(request._flow.transport.written),
        list(resp.headers.items()),
        resp.keep_alive,
    )


specs = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "GET", "HEAD", "POST"]),
        "version": st.sampled_from([HttpVersion11, HttpVersion11, HttpVersion10]),
        "alive": st.sampled_from(ALIVE),
        "status": st.sampled_from([200, 201, 204, 299, 304, 404, 500, 599, 101]),
        "reason": st.sampled_from([None, None, "OK", "Fine"]),
        "body": st.sampled_from(
            [{}, {"body": b""}, {"body": b"hello"}, {"text": "héllo"}, {"content_type": "a/b"}]
        ),
        "headers": st.lists(st.sampled_from(FIELDS), max_size=3),
        "cookie": st.sampled_from([False, False, False, True]),
    }
)


@settings(max_examples=600, deadline=None)
@given(spec=specs)
def test_shortcut_sends_what_the_general_path_sends(spec: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast = _send(spec, True, monkeypatch)
        general = _send(spec, False, monkeypatch)
    assert fast == general


def test_plain_response_takes_the_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    # The property above would pass if the shortcut were never taken: pin that it is.
    taken: list[bytes | None] = []
    real = response_module.whole_head

    def spy(*args: Any) -> bytes | None:
        taken.append(real(*args))
        return taken[-1]

    monkeypatch.setattr(response_module, "whole_head", spy)
    request = _Request(RequestHead.build("GET", "/", headers={"Host": "h"}), True)
    resp = Response(text="hi", headers={"X-A": "1"})
    assert resp._send_at_once(request)  # type: ignore[arg-type]
    assert len(taken) == 1
    assert taken[0] is not None
    wire = b"".join(request._flow.transport.written)
    assert wire.startswith(
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: 2\r\nDate: "
    )
    assert wire.endswith(b"\r\nServer: aioweb\r\n\r\nhi")
    assert list(resp.headers) == ["X-A", "Content-Type", "Content-Length", "Date", "Server"]


async def _hook(request: Any, response: Any) -> None:
    # what receivers do: read the completed headers, add and drop some
    response.headers["X-Seen-Length"] = response.headers.get("Content-Length", "-")
    response.headers.popall("Server", None)


def _send_with_hook(
    spec: dict[str, Any], one_step: bool, monkeypatch: pytest.MonkeyPatch
) -> object:
    request = _request(spec, monkeypatch)
    request._on_prepare = _hook  # type: ignore[assignment]

    async def send() -> bool:
        resp = _response(spec)
        sent.append(resp)
        if one_step and await resp._send_hooked(request, _hook):  # type: ignore[arg-type]
            return True
        await resp.prepare(request)  # type: ignore[arg-type]
        await resp.write_eof()
        return False

    sent: list[Response] = []
    try:
        asyncio.run(send())
    except Exception as exc:
        return (type(exc), str(exc))
    finally:
        monkeypatch.undo()
    resp = sent[0]
    return (
        b"".join(request._flow.transport.written),
        list(resp.headers.items()),
        resp.keep_alive,
        resp.body_length,
    )


@settings(max_examples=300, deadline=None)
@given(spec=specs)
def test_one_step_with_a_hook_sends_what_prepare_and_write_eof_send(spec: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        one_step = _send_with_hook(spec, True, monkeypatch)
        general = _send_with_hook(spec, False, monkeypatch)
    assert one_step == general
