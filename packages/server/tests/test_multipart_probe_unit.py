"""Unit checks behind the fixes of tests-integration/server/test_multipart_probe.py."""

from __future__ import annotations

import asyncio
import json

import pytest
from multidict import CIMultiDict

from aioweb.exceptions import HTTPBadRequest
from aioweb.server.forms import BadJSON, MalformedBody, UnknownCharset, parse_urlencoded
from aioweb.server.multipart import MultipartReader, read_form
from aioweb.server.streams import finished_stream

FORM = CIMultiDict({"Content-Type": "multipart/form-data; boundary=BND"})
BODY = (
    b'--BND\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n'
    b'--BND\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\n'
    b"line one\nline two\r\n--BND--\r\n"
)


def test_errors_are_400s_and_the_builtin_classes_aiohttp_raises() -> None:
    exc = MalformedBody("bad")
    assert isinstance(exc, HTTPBadRequest)
    assert isinstance(exc, ValueError)
    assert (exc.status, exc.text) == (400, "bad")
    unknown = UnknownCharset("no such charset")
    assert isinstance(unknown, LookupError)
    assert isinstance(unknown, MalformedBody)
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads("[1, x]")
    bad = BadJSON("not json", info.value)
    assert isinstance(bad, json.JSONDecodeError)
    assert (bad.status, bad.text) == (400, "not json")
    assert (bad.msg, bad.doc, bad.pos, bad.lineno, bad.colno) == (
        "Expecting value",
        "[1, x]",
        4,
        1,
        5,
    )


@pytest.mark.parametrize(
    ("body", "charset", "error"),
    [(b"a=\xff", "utf-8", MalformedBody), (b"a=1", "no-such-charset", UnknownCharset)],
)
def test_parse_urlencoded_errors(body: bytes, charset: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_urlencoded(body, charset=charset)


async def test_finished_stream_serves_a_form_read_before() -> None:
    form = await read_form(FORM, finished_stream(BODY), max_size=0)
    assert form["a"] == "x"
    assert form["f"].file.read() == b"line one\nline two"  # type: ignore[union-attr]
    form["f"].file.close()  # type: ignore[union-attr]


async def test_finished_stream_reads() -> None:
    stream = finished_stream(b"ab\ncd\nef")
    assert await stream.readline() == b"ab\n"
    assert await stream.read(1) == b"c"
    assert await stream.readany() == b"d\nef"
    assert stream.at_eof()
    assert await stream.readline() == b""
    stream = finished_stream(b"abc")
    assert await stream.readexactly(2) == b"ab"
    with pytest.raises(asyncio.IncompleteReadError):
        await stream.readexactly(2)


async def test_a_second_content_type_in_a_part_is_refused() -> None:
    body = (
        b'--BND\r\nContent-Disposition: form-data; name="a"\r\n'
        b"Content-Type: text/plain\r\ncontent-type: application/octet-stream\r\n"
        b"\r\nx\r\n--BND--\r\n"
    )
    reader = MultipartReader(FORM, finished_stream(body))
    with pytest.raises(MalformedBody) as info:
        await reader.next()
    assert info.value.text == "Malformed multipart body: duplicate content-type part header."
