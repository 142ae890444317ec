"""The ceiling for Python: a bare asyncio.Protocol that answers keep-alive requests.

It parses just enough HTTP/1.1 for the bench (request line, Content-Length, pipelining) and
nothing else: no header validation, no chunked bodies. Never use it for anything but the bench.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import cast

from _common import JSON_MESSAGE, PLAINTEXT, parse_args, serve

_JSON = json.dumps(JSON_MESSAGE).encode()

_date = b""
_date_at = 0


def _http_date() -> bytes:
    global _date, _date_at
    now = int(time.time())
    if now != _date_at:
        _date_at = now
        _date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now)).encode()
    return _date


def _response(content_type: bytes, body: bytes) -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: ",
            content_type,
            b"\r\nContent-Length: ",
            str(len(body)).encode(),
            b"\r\nDate: ",
            _http_date(),
            b"\r\n\r\n",
            body,
        )
    )


class RawProtocol(asyncio.Protocol):
    """One connection; requests may arrive split or pipelined."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        out = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            if len(buffer) < end + 4 + length:
                break
            body = buffer[end + 4 : end + 4 + length]
            buffer = buffer[end + 4 + length :]
            target = head[head.find(b" ") + 1 : head.find(b" ", head.find(b" ") + 1)]
            if target == b"/plaintext":
                out.append(_response(b"text/plain; charset=utf-8", PLAINTEXT))
            elif target == b"/json":
                out.append(_response(b"application/json", _JSON))
            elif target == b"/echo":
                out.append(_response(b"application/octet-stream", body))
            else:
                out.append(_response(b"text/plain; charset=utf-8", b"404: Not Found"))
        self._buffer = buffer
        if out and self._transport is not None:
            self._transport.write(b"".join(out))

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


if __name__ == "__main__":
    serve(parse_args(__doc__ or ""), lambda: RawProtocol)
