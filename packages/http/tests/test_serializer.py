"""Response head serialisation and chunked framing (no third-party decoders here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http import HTTPStatus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from aioweb.http import HttpVersion, HttpVersion10, HttpVersion11
from aioweb.http.serializer import (
    ChunkedEncoder,
    build_head,
    reason_phrase,
    status_allows_body,
)

# -- build_head ------------------------------------------------------------------------


def test_build_head_typical() -> None:
    head = build_head(
        200,
        None,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "5")],
    )
    assert head == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n"
    )


def test_build_head_no_headers() -> None:
    assert build_head(204, None, []) == b"HTTP/1.1 204 No Content\r\n\r\n"


def test_build_head_http10() -> None:
    assert build_head(404, None, [], HttpVersion10) == b"HTTP/1.0 404 Not Found\r\n\r\n"


def test_build_head_other_version() -> None:
    assert build_head(200, None, [], HttpVersion(2, 0)) == b"HTTP/2.0 200 OK\r\n\r\n"
    with pytest.raises(ValueError, match="version"):
        build_head(200, None, [], HttpVersion(10, 1))


def test_build_head_custom_reason() -> None:
    assert build_head(200, "Fine", []) == b"HTTP/1.1 200 Fine\r\n\r\n"
    assert build_head(200, "", []) == b"HTTP/1.1 200 \r\n\r\n"
    # The standard phrase given explicitly is the same as None.
    assert build_head(200, "OK", []) == build_head(200, None, [])


def test_build_head_unknown_status() -> None:
    assert build_head(599, None, []) == b"HTTP/1.1 599 \r\n\r\n"
    assert build_head(599, "Custom", []) == b"HTTP/1.1 599 Custom\r\n\r\n"
    assert build_head(999, None, []) == b"HTTP/1.1 999 \r\n\r\n"
    assert build_head(100, None, []) == b"HTTP/1.1 100 Continue\r\n\r\n"


def test_build_head_intenum_status() -> None:
    assert build_head(HTTPStatus.NOT_FOUND, None, []) == b"HTTP/1.1 404 Not Found\r\n\r\n"


@pytest.mark.parametrize("status", [99, 1000, 0, -200, 200.0, "200", True, None])
def test_build_head_rejects_bad_status(status: object) -> None:
    with pytest.raises(ValueError, match="status"):
        build_head(status, None, [])  # type: ignore[arg-type]


def test_build_head_accepts_any_iterable() -> None:
    expected = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"
    pairs = [("A", "1"), ("B", "2")]
    assert build_head(200, None, tuple(pairs)) == expected
    assert build_head(200, None, iter(pairs)) == expected
    assert build_head(200, None, CIMultiDict(pairs).items()) == expected


def test_build_head_keeps_order_case_and_duplicates() -> None:
    head = build_head(200, None, [("set-cookie", "a=1"), ("X-B", "2"), ("Set-Cookie", "b=2")])
    assert head == b"HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nX-B: 2\r\nSet-Cookie: b=2\r\n\r\n"


def test_build_head_allows_htab_obs_text_and_empty_value() -> None:
    head = build_head(200, "A\tB\xe9", [("X", "a\tb"), ("Y", "caf\xe9"), ("Z", "")])
    # reason phrases and header values are UTF-8 (as aiohttp writes them)
    assert head == b"HTTP/1.1 200 A\tB\xc3\xa9\r\nX: a\tb\r\nY: caf\xc3\xa9\r\nZ: \r\n\r\n"


def test_build_head_all_token_chars_in_name() -> None:
    name = "!#$%&'*+-.^_`|~09AZaz"
    assert build_head(200, None, [(name, "v")]).endswith(name.encode() + b": v\r\n\r\n")


_CONTROLS = [chr(c) for c in range(0x20) if c != 0x09] + ["\x7f"]


@pytest.mark.parametrize(
    "value",
    ["a\rb", "a\nb", "a\r\nb", "a\r\nSet-Cookie: evil=1", "\r\n", "a\x00b", "a\x7f", "a\x1b[0m"]
    + [f"x{c}y" for c in _CONTROLS],
)
def test_header_value_injection_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="invalid character"):
        build_head(200, None, [("X-Test", value)])


_SPLIT = st.sampled_from(["\r\n", "\r", "\n", "\r\n\r\n", "\x00"])
_FRAGMENT = st.sampled_from(["a", "Set-Cookie: x=1", "X: y", ": ", "HTTP/1.1 200 OK", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_SPLIT, _FRAGMENT), min_size=1, max_size=6), st.booleans())
def test_smuggled_lines_always_rejected(parts: list[str], in_name: bool) -> None:
    text = "".join(parts)
    if not any(c in text for c in "\r\n\x00"):
        text += "\r\n"
    field = (text, "v") if in_name else ("X", text)
    with pytest.raises(ValueError):
        build_head(200, None, [("A", "1"), field, ("B", "2")])
    with pytest.raises(ValueError):
        ChunkedEncoder().end([field])


@pytest.mark.parametrize(
    "name",
    [
        "",
        "X Foo",
        "X:Foo",
        "X-Foo:",
        " X",
        "X\t",
        "X\r\nY",
        "X\x00",
        "X\x7f",
        "(x)",
        "a/b",
        "é",
        "X\n",
    ],
)
def test_header_name_not_token_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="invalid header name"):
        build_head(200, None, [(name, "v")])


@pytest.mark.parametrize(
    "reason", ["OK\r\nSet-Cookie: a=b", "OK\r", "OK\n", "O\x00K", "OK\x7f", "\x01", "\r\n\r\n"]
)
def test_reason_injection_rejected(reason: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        build_head(200, reason, [])


def test_reason_injection_rejected_for_unknown_status_too() -> None:
    with pytest.raises(ValueError, match="reason"):
        build_head(599, "x\r\ny", [])


def test_bad_field_after_good_ones_is_named() -> None:
    with pytest.raises(ValueError, match="'X-Bad'"):
        build_head(200, None, [("A", "1"), ("B", "2"), ("X-Bad", "1\r\n2")])


def test_bad_field_from_spent_iterator_still_rejected() -> None:
    def fields() -> Iterator[tuple[str, str]]:
        yield ("A", "1")
        yield ("B", "x\ny")

    with pytest.raises(ValueError):
        build_head(200, None, fields())


def test_header_values_are_utf8_surrogates_give_back_their_bytes() -> None:
    head = build_head(200, None, [("Content-Disposition", 'attachment; filename="\u2603.txt"')])
    assert head.endswith(b'filename="\xe2\x98\x83.txt"\r\n\r\n')
    # what the parser made of bytes that are not UTF-8 goes out as those bytes
    assert build_head(200, None, [("X", "a\udcff")]).endswith(b"X: a\xff\r\n\r\n")
    with pytest.raises(ValueError, match="cannot be encoded"):
        build_head(200, None, [("X", "a\ud800")])  # a lone surrogate of no byte
    # a reason phrase the same way (aiohttp's client reads it back as UTF-8)
    assert build_head(200, "\u2603", []) == b"HTTP/1.1 200 \xe2\x98\x83\r\n\r\n"
    with pytest.raises(ValueError, match="cannot be encoded"):
        build_head(200, "a\ud800", [])


def test_non_str_value_is_value_error() -> None:
    with pytest.raises(ValueError):
        build_head(200, None, [("Content-Length", 5)])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        build_head(200, None, [(b"X", "1")])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        build_head(200, 5, [])  # type: ignore[arg-type]


def test_name_cache_is_bounded() -> None:
    from aioweb.http import serializer

    for i in range(serializer._TOKEN_NAMES_MAX + 50):
        assert build_head(200, None, [(f"X-Name-{i}", "v")]).endswith(b"-%d: v\r\n\r\n" % i)
    assert len(serializer._TOKEN_NAMES) <= serializer._TOKEN_NAMES_MAX
    # A bad name is never remembered, however often it is tried.
    for _ in range(3):
        with pytest.raises(ValueError, match="invalid header name"):
            build_head(200, None, [("X Bad", "v")])
    assert "X Bad" not in serializer._TOKEN_NAMES


def test_returns_single_bytes_object() -> None:
    assert type(build_head(200, None, [("A", "b")])) is bytes


# -- reason_phrase / status_allows_body ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(200, "OK"), (404, "Not Found"), (418, "I'm a Teapot"), (500, "Internal Server Error")],
)
def test_reason_phrase(status: int, phrase: str) -> None:
    assert reason_phrase(status) == phrase


def test_reason_phrase_agrees_with_httpstatus() -> None:
    for status in HTTPStatus:
        assert reason_phrase(status.value) == status.phrase


def test_reason_phrase_unknown() -> None:
    assert reason_phrase(599) == ""
    assert reason_phrase(0) == ""


def test_every_known_status_has_prebuilt_line() -> None:
    for status in HTTPStatus:
        for version in (HttpVersion10, HttpVersion11):
            head = build_head(status.value, None, [], version)
            expected = f"HTTP/{version.major}.{version.minor} {status.value} {status.phrase}"
            assert head == expected.encode() + b"\r\n\r\n"


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (100, False),
        (101, False),
        (103, False),
        (199, False),
        (200, True),
        (201, True),
        (204, False),
        (205, True),
        (206, True),
        (301, True),
        (304, False),
        (404, True),
        (500, True),
    ],
)
def test_status_allows_body(status: int, allowed: bool) -> None:
    assert status_allows_body(status) is allowed


# -- ChunkedEncoder --------------------------------------------------------------------


def test_chunked_encode() -> None:
    enc = ChunkedEncoder()
    assert enc.encode(b"hello") == b"5\r\nhello\r\n"
    assert enc.encode(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
    assert enc.encode(b"") == b""
    assert not enc.ended
    assert enc.end() == b"0\r\n\r\n"
    assert enc.ended


def test_chunked_encode_accepts_bytearray_and_memoryview() -> None:
    enc = ChunkedEncoder()
    assert enc.encode(bytearray(b"ab")) == b"2\r\nab\r\n"  # type: ignore[arg-type]
    assert enc.encode(memoryview(b"abc")) == b"3\r\nabc\r\n"  # type: ignore[arg-type]


def test_chunked_trailers() -> None:
    enc = ChunkedEncoder()
    out = enc.end([("Server-Timing", "db;dur=53"), ("X-Checksum", "abc")])
    assert out == b"0\r\nServer-Timing: db;dur=53\r\nX-Checksum: abc\r\n\r\n"


@pytest.mark.parametrize(
    "trailer", [("X", "a\r\nb"), ("X Y", "1"), ("", "1"), ("X", "\x00"), ("X", "\ud800")]
)
def test_chunked_trailer_injection_rejected(trailer: tuple[str, str]) -> None:
    enc = ChunkedEncoder()
    with pytest.raises(ValueError, match="trailer"):
        enc.end([trailer])
    assert not enc.ended  # a failed end() may be retried with valid trailers
    assert enc.end() == b"0\r\n\r\n"


def test_chunked_after_end_is_error() -> None:
    enc = ChunkedEncoder()
    enc.end()
    with pytest.raises(RuntimeError):
        enc.encode(b"x")
    with pytest.raises(RuntimeError):
        enc.end()


def _dechunk(data: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """A strict little chunked decoder for the property test (trailers included)."""
    body = bytearray()
    pos = 0
    while True:
        eol = data.index(b"\r\n", pos)
        size_text = data[pos:eol]
        assert re.fullmatch(rb"[0-9a-f]+", size_text), size_text
        size = int(size_text, 16)
        pos = eol + 2
        if size == 0:
            break
        body += data[pos : pos + size]
        assert data[pos + size : pos + size + 2] == b"\r\n"
        pos += size + 2
    trailers = []
    while True:
        eol = data.index(b"\r\n", pos)
        line = data[pos:eol]
        pos = eol + 2
        if not line:
            break
        name, _, value = line.decode("latin-1").partition(": ")
        trailers.append((name, value))
    assert pos == len(data)
    return bytes(body), trailers


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_chunked_round_trip(pieces: list[bytes]) -> None:
    enc = ChunkedEncoder()
    wire = b"".join(enc.encode(p) for p in pieces) + enc.end([("X-Sum", str(len(pieces)))])
    body, trailers = _dechunk(wire)
    assert body == b"".join(pieces)
    assert trailers == [("X-Sum", str(len(pieces)))]


_TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_names = st.text(alphabet=_TCHARS, min_size=1, max_size=20)
_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
    | st.just("\t"),
    max_size=50,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_names, _values), max_size=10))
def test_valid_fields_serialise_exactly(fields: list[tuple[str, str]]) -> None:
    head = build_head(200, None, fields)
    lines = head.decode("utf-8", "surrogateescape").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert lines[-2:] == ["", ""]
    assert [tuple(line.split(": ", 1)) for line in lines[1:-2]] == fields


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=20)), max_size=5))
def test_any_fields_either_serialise_safely_or_raise(fields: list[tuple[str, str]]) -> None:
    try:
        head = build_head(200, None, fields)
    except ValueError:
        return
    # Whatever was accepted produces exactly one line per field and no stray CR or LF.
    assert head.count(b"\r\n") == len(fields) + 2
    assert head.count(b"\r") == head.count(b"\n") == len(fields) + 2


def test_istr_names_from_a_cimultidict_are_accepted() -> None:
    """CIMultiDict hands back its keys as multidict.istr, a str subclass."""
    from multidict import CIMultiDict, istr

    from aioweb.http.serializer import build_head

    headers: CIMultiDict[str] = CIMultiDict()
    headers["X-Never-Seen-Before-Istr"] = "1"
    headers[istr("X-Another-Istr")] = "2"
    head = build_head(200, None, headers.items())
    assert b"X-Never-Seen-Before-Istr: 1\r\n" in head
    assert b"X-Another-Istr: 2\r\n" in head


def test_field_line_cache_is_bounded_and_never_holds_a_bad_line() -> None:
    from aioweb.http import serializer

    for i in range(3 * serializer._LINES_MAX):
        head = build_head(200, None, [("X-Unique", f"v{i}"), ("Server", "aioweb")])
        assert head.endswith(b"X-Unique: v%d\r\nServer: aioweb\r\n\r\n" % i)
        assert len(serializer._LINES) <= serializer._LINES_MAX
    for _ in range(2):  # refused every time, never remembered
        with pytest.raises(ValueError, match="invalid character"):
            build_head(200, None, [("X-Bad", "a\r\nInjected: 1")])
    assert all(b"Injected" not in line for line in serializer._LINES.values())
    # a cached line and a fresh one are the same bytes, name case kept as given
    assert build_head(200, None, [("x-case", "1")]) != build_head(200, None, [("X-Case", "1")])
