"""Unit checks behind tests-integration/server/test_response_wire_probe.py.

The writer forgets a head that has not left (so an error page can take its place),
and refuses to forget one that has.
"""

from __future__ import annotations

import asyncio

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

    async def wait_writable(self) -> None:  # pragma: no cover - never paused here
        await asyncio.sleep(0)


def test_a_queued_head_is_forgotten_with_its_framing() -> None:
    flow = _Flow()
    writer = StreamWriter(flow)  # type: ignore[arg-type]
    writer.send_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    writer.enable_chunking()
    writer.enable_compression("gzip")
    writer.set_content_length(3)
    writer.set_no_body()
    assert writer.discard_unsent_head()
    assert flow.transport.written == []
    # What comes next is framed by its own head only.
    writer.send_whole(b"HEAD\r\n\r\n", b"page")
    writer2 = StreamWriter(flow)  # type: ignore[arg-type]
    writer2.send_head(b"H\r\n\r\n")
    assert writer2.discard_unsent_head()
    writer2.send_head(b"H2\r\n\r\n")
    writer2.write_eof_nowait(b"body")
    assert flow.transport.written == [b"HEAD\r\n\r\npage", b"H2\r\n\r\nbody"]


def test_a_head_that_has_left_is_not_forgotten() -> None:
    flow = _Flow()
    writer = StreamWriter(flow)  # type: ignore[arg-type]
    writer.send_head(b"H\r\n\r\n")
    writer.flush_head()
    assert not writer.discard_unsent_head()
    ended = StreamWriter(flow)  # type: ignore[arg-type]
    ended.send_whole(b"H\r\n\r\n", b"")
    assert not ended.discard_unsent_head()
