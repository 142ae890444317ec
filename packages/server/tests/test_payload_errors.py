"""RequestPayloadError and PayloadAccessError are raised where aiohttp raises them."""

from __future__ import annotations

import asyncio

from aioweb.server import BaseRequest, PayloadAccessError, RequestPayloadError, Response
from aioweb.server._testing import read_response, serve


async def test_bad_chunk_framing_reaches_the_reader_as_request_payload_error() -> None:
    seen: list[BaseException] = []

    async def handler(request: BaseRequest) -> Response:
        try:
            await request.content.read()
        except RequestPayloadError as exc:
            seen.append(exc)
        return Response(text="handled")

    async with serve(handler) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
            )
            await writer.drain()
            await asyncio.sleep(0.05)  # the head is served before the bad chunk arrives
            writer.write(b"zz\r\n")
            resp = await asyncio.wait_for(read_response(reader), 5)
        finally:
            writer.close()
            await writer.wait_closed()
    assert resp.status == 200
    assert len(seen) == 1
    assert seen[0].status == 400


async def test_reading_the_body_after_the_response_raises_payload_access_error() -> None:
    kept: list[BaseRequest] = []

    async def handler(request: BaseRequest) -> Response:
        kept.append(request)
        return Response(text="answered without reading")

    async with serve(handler) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
            resp = await asyncio.wait_for(read_response(reader), 5)
            assert resp.status == 200
            await asyncio.sleep(0.05)
            try:
                await asyncio.wait_for(kept[0].content.read(), 5)
            except PayloadAccessError:
                outcome = "payload-access-error"
            else:
                outcome = "read"
        finally:
            writer.close()
            await writer.wait_closed()
    assert outcome == "payload-access-error"
