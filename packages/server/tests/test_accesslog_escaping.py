"""The access log line survives request bytes that are not UTF-8, over a real socket.

Header values may carry obs-text (RFC 9110 5.5); bytes that are not UTF-8 reach the
handler as lone surrogates (surrogateescape), and a log line holding them cannot be
written to a UTF-8 stream: the logging module prints an error and the line is lost (as
in aiohttp, where any client can do this). aioweb writes such bytes as ``\\xhh``,
keeps valid UTF-8 text, and escapes control characters (C1 included), so the line is
always written and never drives a terminal.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest

from aioweb.server import BaseRequest, Response, Server


@pytest.fixture
def log_stream() -> Iterator[io.TextIOWrapper]:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("aioweb.access")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


async def exchange(request: bytes) -> bytes:
    async def handler(req: BaseRequest) -> Response:
        return Response(text="ok")

    loop = asyncio.get_running_loop()
    listener = await loop.create_server(Server(handler), "127.0.0.1", 0)
    server_port = listener.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server_port)
        writer.write(request)
        async with asyncio.timeout(5):
            answer = await reader.read()
        writer.close()
        await asyncio.sleep(0.05)  # the access line is written after the response
        return answer
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("user_agent", "logged"),
    [
        (b"caf\xff\xe9", r'"caf\xff\xe9"'),  # not UTF-8: each byte as \xhh
        ("café ☕".encode(), '"café ☕"'),  # UTF-8 text as it is
        ("a\u009bb".encode(), r'"a\x9bb"'),  # a C1 control (CSI), sent as UTF-8
        (b"tab\there", '"tab\there"'),  # HTAB is a valid field character
    ],
)
async def test_the_line_is_written_whatever_the_header_bytes(
    log_stream: io.TextIOWrapper, capsys: pytest.CaptureFixture[str], user_agent: bytes, logged: str
) -> None:
    answer = await exchange(
        b"GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: "
        + user_agent
        + b"\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    log_stream.flush()
    line = log_stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    assert '"GET /x HTTP/1.1" 200 ' in line
    assert line.endswith(f' "-" {logged}\n'), line
    assert "Logging error" not in capsys.readouterr().err
