"""aioweb's multipart reader and read_form against aiohttp's, on bodies aiohttp writes."""

from __future__ import annotations

import asyncio
import io
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("aiohttp")

from aiohttp import FormData, MultipartWriter, StreamReader
from aiohttp import multipart as aiohttp_multipart
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from aioweb.server.multipart import BodyPartReader, FileField, MultipartReader, read_form


def aiohttp_stream(body: bytes) -> StreamReader:
    stream = StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=asyncio.get_running_loop())
    stream.feed_data(body)
    stream.feed_eof()
    return stream


async def serialize(payload: Any) -> tuple[str, bytes]:
    return payload.headers["Content-Type"], await payload.as_bytes()


async def walk_ours(reader: MultipartReader) -> list[Any]:
    out: list[Any] = []
    async for part in reader:
        if isinstance(part, MultipartReader):
            out.append(await walk_ours(part))
        else:
            assert isinstance(part, BodyPartReader)
            out.append((part.name, part.filename, await part.read(decode=True)))
    return out


async def walk_aiohttp(reader: aiohttp_multipart.MultipartReader) -> list[Any]:
    out: list[Any] = []
    async for part in reader:
        if isinstance(part, aiohttp_multipart.MultipartReader):
            out.append(await walk_aiohttp(part))
        else:
            out.append((part.name, part.filename, bytes(await part.read(decode=True))))
    return out


def form_data() -> FormData:
    form = FormData()
    form.add_field("a", "1")
    form.add_field("text", "caf\xe9 \u20ac")
    form.add_field("f", io.BytesIO(b"file\r\n--data"), filename="x.txt", content_type="text/plain")
    form.add_field("b", io.BytesIO(bytes(range(256))), filename="b.bin")
    form.add_field("a", "2")
    form.add_field("\u20ac", "non-ascii name")
    return form


@pytest.mark.parametrize("piece", [1, 7, 100_000])
async def test_form_data_parts_like_aiohttp(make_stream: Any, piece: int) -> None:
    content_type, body = await serialize(form_data()())
    headers = CIMultiDict({"Content-Type": content_type})
    ours = await walk_ours(MultipartReader(headers, make_stream(body, piece_size=piece)))
    theirs = await walk_aiohttp(aiohttp_multipart.MultipartReader(headers, aiohttp_stream(body)))
    assert ours == theirs
    assert len(ours) == 6


async def test_nested_mixed_like_aiohttp(make_stream: Any) -> None:
    with MultipartWriter("mixed") as outer:
        outer.append("hello")
        outer.append_json({"a": 1})
        with MultipartWriter("related") as inner:
            inner.append("in one")
            inner.append(b"\x00in two")
        outer.append(inner)
        outer.append("after")
    content_type, body = await serialize(outer)
    headers = CIMultiDict({"Content-Type": content_type})
    ours = await walk_ours(MultipartReader(headers, make_stream(body, piece_size=3)))
    theirs = await walk_aiohttp(aiohttp_multipart.MultipartReader(headers, aiohttp_stream(body)))
    assert ours == theirs
    assert ours[2] == [(None, None, b"in one"), (None, None, b"\x00in two")]


async def test_compressed_parts_like_aiohttp(make_stream: Any) -> None:
    with MultipartWriter("mixed") as writer:
        part = writer.append("zipped " * 100)
        part.set_content_disposition("attachment", filename="z.txt")
        writer.append("plain")
    # aiohttp only compresses when asked per part
    writer._parts[0][0].headers["Content-Encoding"] = "identity"
    content_type, body = await serialize(writer)
    headers = CIMultiDict({"Content-Type": content_type})
    ours = await walk_ours(MultipartReader(headers, make_stream(body)))
    theirs = await walk_aiohttp(aiohttp_multipart.MultipartReader(headers, aiohttp_stream(body)))
    assert ours == theirs


async def aiohttp_post(content_type: str, body: bytes) -> Any:
    request = make_mocked_request(
        "POST",
        "/",
        headers=CIMultiDict({"Content-Type": content_type, "Content-Length": str(len(body))}),
        payload=aiohttp_stream(body),
    )
    request._loop = asyncio.get_running_loop()  # type: ignore[attr-defined]
    return await request.post()


def normalise(form: Any) -> list[Any]:
    out = []
    for key, value in form.items():
        if isinstance(value, FileField) or hasattr(value, "file"):
            out.append((key, "file", value.filename, value.content_type, value.file.read()))
            value.file.close()
        else:
            out.append(
                (key, type(value) is str, bytes(value) if not isinstance(value, str) else value)
            )
    return out


async def test_read_form_like_aiohttp_post(make_stream: Any) -> None:
    form = form_data()
    form.add_field("raw", "\x00\x01", content_type="application/octet-stream")
    form.add_field("latin", "\xe9", content_type="text/plain; charset=latin-1")
    content_type, body = await serialize(form())
    ours = await read_form(
        {"Content-Type": content_type}, make_stream(body, piece_size=11), max_size=1 << 20
    )
    theirs = await aiohttp_post(content_type, body)
    assert normalise(ours) == normalise(theirs)


@pytest.mark.parametrize(
    ("disposition", "aiohttp_name"),
    [
        ('form-data; name="f"; filename="a.txt"', "a.txt"),
        ("form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC.txt", "\u20ac.txt"),
        ('form-data; name="f"; filename="x"; filename*=UTF-8\'\'%C3%A9.txt', "\xe9.txt"),
        ('form-data; name="f"; filename="/etc/passwd"', "etc/passwd"),
        ('form-data; name="f"; filename="../../etc/passwd"', "../../etc/passwd"),
    ],
)
async def test_filenames_against_aiohttp(
    make_stream: Any, disposition: str, aiohttp_name: str
) -> None:
    body = b"--B\r\nContent-Disposition: " + disposition.encode() + b"\r\n\r\nx\r\n--B--\r\n"
    headers = CIMultiDict({"Content-Type": "multipart/form-data; boundary=B"})
    theirs = await aiohttp_multipart.MultipartReader(headers, aiohttp_stream(body)).next()
    assert theirs is not None
    assert theirs.filename == aiohttp_name
    ours = await MultipartReader(headers, make_stream(body)).next()
    assert isinstance(ours, BodyPartReader)
    # Same name, except that only the last path component is kept here.
    assert ours.filename == aiohttp_name.replace("\\", "/").rsplit("/", 1)[-1]
