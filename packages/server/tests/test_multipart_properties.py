"""Property tests for the multipart reader: split-independence and bounded work."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from aioweb.server.multipart import BodyPartReader, MultipartReader, read_form

MIXED = CIMultiDict({"Content-Type": "multipart/mixed; boundary=BOUNDARY"})
FORM = CIMultiDict({"Content-Type": "multipart/form-data; boundary=BOUNDARY"})
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Content made of pieces that resemble boundaries, to stress the search.
_content_piece = st.sampled_from(
    [
        b"\r\n",
        b"--",
        b"BOUNDARY",
        b"--BOUNDARY",
        b"\r\n--BOUNDAR",
        b"\r\n--BOUNDARX",
        b"x",
        b"\n",
        b"\r",
    ]
)


def _valid_content(content: bytes) -> bool:
    # RFC 2046: content never holds the delimiter (the headers' CRLF counts, too).
    framed = b"\r\n" + content + b"\r\n--BOUNDARY"
    return framed.find(b"\r\n--BOUNDARY") == len(framed) - len(b"\r\n--BOUNDARY")


contents = (st.lists(_content_piece, max_size=12).map(b"".join) | st.binary(max_size=64)).filter(
    _valid_content
)


def cuts(data_size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, max(data_size, 0)), max_size=8).map(sorted)


def split_at(data: bytes, points: list[int]) -> list[bytes]:
    pieces = []
    last = 0
    for point in points:
        pieces.append(data[last:point])
        last = point
    pieces.append(data[last:])
    return pieces


async def read_parts(reader: MultipartReader, chunk: int) -> list[tuple[Any, bytes]]:
    out = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        data = bytearray()
        while piece := await part.read_chunk(chunk):
            assert len(piece) <= chunk
            data += piece
        out.append((dict(part.headers), bytes(data)))
    return out


@SETTINGS
@given(
    parts=st.lists(contents, min_size=0, max_size=4),
    preamble=st.sampled_from([b"", b"preamble", b"--BOUNDAR"]),
    epilogue=st.binary(max_size=20),
    chunk=st.integers(1, 50),
    data=st.data(),
)
def test_any_split_gives_the_same_parts(
    make_stream: Any,
    build_multipart: Any,
    parts: list[bytes],
    preamble: bytes,
    epilogue: bytes,
    chunk: int,
    data: st.DataObject,
) -> None:
    body = build_multipart(
        [([("X-Index", str(i))], content) for i, content in enumerate(parts)],
        preamble=preamble,
        epilogue=epilogue,
    )
    points = data.draw(cuts(len(body)))
    stream = make_stream(pieces=split_at(body, points))
    got = asyncio.run(read_parts(MultipartReader(MIXED, stream), chunk))
    assert got == [({"X-Index": str(i)}, content) for i, content in enumerate(parts)]


async def _consume_everything(reader: MultipartReader) -> None:
    async for part in reader:
        if isinstance(part, MultipartReader):
            await _consume_everything(part)
        else:
            await part.read(decode=True)


def _run_bounded(coro: Any) -> None:
    async def main() -> None:
        await asyncio.wait_for(coro, timeout=10)

    try:
        asyncio.run(main())
    except (HTTPBadRequest, HTTPRequestEntityTooLarge):
        pass


_fragments = st.sampled_from(
    [
        b"--BOUNDARY",
        b"--BOUNDARY--",
        b"\r\n",
        b"\n",
        b"\r",
        b"--",
        b"Content-Type: multipart/mixed; boundary=BOUNDARY\r\n",
        b"Content-Type: multipart/mixed; boundary=B\r\n",
        b"--B\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Encoding: gzip\r\n",
        b"Content-Disposition: form-data; name=a\r\n",
        b"Content-Disposition: form-data; name=_charset_\r\n",
        b"Content-Disposition: form-data; name=f; filename=x\r\n",
        b"X: y\r\n",
        b" ",
        b"=",
        b"QUJD",
        b"\x1f\x8b\x08\x00",
        b"garbage",
    ]
)
hostile_bodies = st.lists(_fragments, max_size=30).map(b"".join) | st.binary(max_size=200)


@SETTINGS
@given(body=hostile_bodies, piece=st.integers(1, 64))
def test_hostile_bodies_end_in_parts_or_400_413(make_stream: Any, body: bytes, piece: int) -> None:
    stream = make_stream(body, piece_size=piece)
    reader = MultipartReader(MIXED, stream, max_size=10_000)
    _run_bounded(_consume_everything(reader))
    # Bounded work: the reader never keeps asking once the data has ended.
    assert stream.reads <= len(body) // piece + 10


@SETTINGS
@given(body=hostile_bodies, piece=st.integers(1, 64))
def test_hostile_bodies_in_read_form(make_stream: Any, body: bytes, piece: int) -> None:
    async def run() -> None:
        form = await read_form(FORM, make_stream(body, piece_size=piece), max_size=10_000)
        for value in form.values():
            file = getattr(value, "file", None)
            if file is not None:
                file.close()

    _run_bounded(run())


@SETTINGS
@given(
    parts=st.lists(st.tuples(st.text(max_size=6), contents), min_size=1, max_size=4),
    position=st.integers(0, 10_000),
    replacement=st.binary(max_size=4),
    piece=st.integers(1, 40),
)
def test_mutated_valid_bodies(
    make_stream: Any,
    build_multipart: Any,
    parts: list[tuple[str, bytes]],
    position: int,
    replacement: bytes,
    piece: int,
) -> None:
    body = build_multipart(
        [
            ([("Content-Disposition", f'form-data; name="{name}"')], content)
            for name, content in parts
        ]
    )
    position %= len(body)
    mutated = body[:position] + replacement + body[position + 1 :]
    stream = make_stream(mutated, piece_size=piece)
    _run_bounded(_consume_everything(MultipartReader(FORM, stream)))
