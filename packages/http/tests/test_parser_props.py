"""Property tests: split invariance, the generated model, and hostile bytes.

* any split of a valid pipelined stream gives the same events as feeding it whole, and
  those events are exactly the requests that were generated;
* random and mutated bytes raise only HttpProcessingError subclasses (never a wrapped
  internal error), and the parser never holds more than its limits allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead
from aioweb.http.parser import FORBIDDEN_TRAILERS, MAX_CHUNK_LINE, RequestParser

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
SPECIAL = {"content-length", "transfer-encoding", "host", "connection", "upgrade"}

tokens = st.text(alphabet=TCHAR, min_size=1, max_size=12)
field_names = tokens.filter(lambda n: n.lower() not in SPECIAL)
trailer_names = field_names.filter(lambda n: n.lower() not in FORBIDDEN_TRAILERS)
# VCHAR and obs-text, with inner SP/HTAB; no leading or trailing whitespace
value_chars = st.sampled_from([chr(c) for c in (*range(0x21, 0x7F), *range(0x80, 0x100))])
field_values = st.one_of(
    st.just(""),
    st.builds(
        lambda a, mid, b: a + mid + b,
        value_chars,
        st.text(alphabet=st.one_of(value_chars, st.sampled_from(" \t")), max_size=20),
        value_chars,
    ),
    value_chars,
)
path_chars = st.sampled_from([chr(c) for c in range(0x21, 0x7F)])
targets = st.builds(lambda p: "/" + p, st.text(alphabet=path_chars, max_size=20))
bodies = st.binary(max_size=64)
ows = st.sampled_from(["", " ", "\t", " \t "])


@dataclass
class Request:
    method: str
    target: str
    fields: list[tuple[str, str]]
    framing: str  # "none", "length", "chunked"
    body: bytes
    chunks: list[int]
    extensions: list[str]
    trailers: list[tuple[str, str]]
    spacing: list[tuple[str, str]]

    def wire(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1"]
        lines += [
            f"{n}:{a}{v}{b}" for (n, v), (a, b) in zip(self.fields, self.spacing, strict=True)
        ]
        if self.framing == "length":
            lines.append(f"Content-Length: {len(self.body)}")
        elif self.framing == "chunked":
            lines.append("Transfer-Encoding: chunked")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.framing != "chunked":
            return head + self.body
        out = [head]
        pos = 0
        for size, ext in zip(self.chunks, self.extensions, strict=False):
            piece = self.body[pos : pos + size]
            if not piece:
                break
            out.append(b"%x%s\r\n%s\r\n" % (len(piece), ext.encode(), piece))
            pos += len(piece)
        if pos < len(self.body):
            rest = self.body[pos:]
            out.append(b"%x\r\n%s\r\n" % (len(rest), rest))
        out.append(b"0\r\n")
        out += [f"{n}: {v}\r\n".encode("latin-1") for n, v in self.trailers]
        out.append(b"\r\n")
        return b"".join(out)

    def expected(self) -> list[Any]:
        events: list[Any] = [
            ("head", self.method, self.target, tuple((n, v) for n, v in self.fields)),
        ]
        if self.body and self.framing != "none":
            events.append(self.body)
        events.append(("end", tuple(self.trailers) if self.framing == "chunked" else ()))
        return events


@st.composite
def requests(draw: st.DrawFn) -> Request:
    fields = draw(st.lists(st.tuples(field_names, field_values), max_size=6))
    framing = draw(st.sampled_from(["none", "length", "chunked"]))
    return Request(
        # CONNECT takes an authority-form target and no body: tested on its own
        method=draw(
            st.one_of(
                st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
                tokens.filter(lambda m: m != "CONNECT"),
            )
        ),
        target=draw(targets),
        fields=fields,
        framing=framing,
        body=b"" if framing == "none" else draw(bodies),
        chunks=draw(st.lists(st.integers(1, 20), max_size=5)),
        extensions=draw(
            st.lists(st.sampled_from(["", ";a", ";a=b", ' ; x="y \\" z"']), max_size=5)
        ),
        trailers=draw(st.lists(st.tuples(trailer_names, st.just("t")), max_size=2)),
        spacing=[(draw(ows), draw(ows)) for _ in fields],
    )


def summarise(events: list[RequestHead | bytes | EndOfMessage]) -> list[Any]:
    out: list[Any] = []
    for e in events:
        if isinstance(e, bytes):
            if out and isinstance(out[-1], bytes):
                out[-1] += e
            else:
                out.append(e)
        elif isinstance(e, RequestHead):
            fields = tuple((n.decode(), v.decode("latin-1")) for n, v in e.raw_headers)
            framing = {"content-length", "transfer-encoding"}
            fields = tuple((n, v) for n, v in fields if n.lower() not in framing)
            out.append(("head", e.method, e.target, fields))
        else:
            out.append(("end", tuple(e.trailers.items())))
    return out


def feed_split(data: bytes, cuts: list[int], parser: RequestParser | None = None) -> list[Any]:
    parser = parser or RequestParser()
    events: list[RequestHead | bytes | EndOfMessage] = []
    prev = 0
    for cut in [*sorted(cuts), len(data)]:
        events += parser.feed(data[prev:cut])
        prev = cut
    events += parser.feed_eof()
    return summarise(events)


@SETTINGS
@given(st.lists(requests(), min_size=1, max_size=4), st.data())
def test_any_split_gives_the_same_events(reqs: list[Request], data: st.DataObject) -> None:
    stream = b"".join(r.wire() for r in reqs)
    expected = [e for r in reqs for e in r.expected()]
    assert feed_split(stream, []) == expected
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    assert feed_split(stream, cuts) == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=3))
def test_byte_by_byte_gives_the_same_events(reqs: list[Request]) -> None:
    stream = b"".join(r.wire() for r in reqs)
    assert feed_split(stream, list(range(len(stream)))) == feed_split(stream, [])


LIMITS = {"max_line_size": 64, "max_field_size": 48, "max_headers": 6}
# the most a parser with LIMITS may hold: a whole head in progress, or a chunk line
HEAD_BOUND = (64 + 2) + 6 * (48 + 2) + (48 + 2)
MAX_BUFFERED = max(HEAD_BOUND, MAX_CHUNK_LINE + 1)


def feed_hostile(data: bytes, cuts: list[int]) -> None:
    """Feed ``data``; only protocol errors may escape, and buffering stays bounded."""
    parser = RequestParser(**LIMITS)  # type: ignore[arg-type]
    prev = 0
    error: HttpProcessingError | None = None
    try:
        for cut in [*sorted(cuts), len(data)]:
            parser.feed(data[prev:cut])
            prev = cut
            assert parser.buffered <= MAX_BUFFERED
        parser.feed_eof()
    except HttpProcessingError as exc:
        error = exc
    if error is not None:
        check_error(error, parser)


def check_error(error: HttpProcessingError, parser: RequestParser) -> None:
    # a wrapped internal error (IndexError, ...) would mean a bug, not a bad request
    assert error.__cause__ is None, f"internal error: {error.__cause__!r}"
    assert error.status in {400, 413, 414, 431, 501, 505}
    assert error.reason
    assert parser.buffered == 0


@SETTINGS
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=8))
def test_random_bytes_only_raise_protocol_errors(data: bytes, cuts: list[int]) -> None:
    feed_hostile(data, [c for c in cuts if c <= len(data)])


_FRAGMENTS = [
    b"GET ",
    b"POST ",
    b"CONNECT ",
    b"/",
    b"*",
    b"a:1",
    b" HTTP/1.1",
    b" HTTP/1.0",
    b"\r\n",
    b"\r",
    b"\n",
    b"Host: a",
    b"Content-Length: ",
    b"Transfer-Encoding: chunked",
    b"5",
    b"0",
    b"ffffffff",
    b";x=y",
    b"hello",
    b"Connection: upgrade",
    b"Upgrade: w",
    b": ",
    b" ",
    b"\t",
    b"\x00",
    b"\xff",
    b"X-Y: z",
]


@SETTINGS
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=60),
    st.lists(st.integers(0, 400), max_size=8),
)
def test_http_ish_fragments_only_raise_protocol_errors(
    pieces: list[bytes], cuts: list[int]
) -> None:
    data = b"".join(pieces)
    feed_hostile(data, [c for c in cuts if c <= len(data)])


_INTERESTING = [b"\r", b"\n", b"\r\n", b" ", b"\t", b":", b";", b"\x00", b"0", b"f", b"\xff", b","]


@st.composite
def mutated_streams(draw: st.DrawFn) -> bytes:
    stream = bytearray(
        b"".join(r.wire() for r in draw(st.lists(requests(), min_size=1, max_size=3)))
    )
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(stream)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        piece = draw(st.one_of(st.sampled_from(_INTERESTING), st.binary(min_size=1, max_size=3)))
        if action == "insert":
            stream[pos:pos] = piece
        elif action == "delete":
            del stream[pos : pos + len(piece)]
        elif action == "replace":
            stream[pos : pos + len(piece)] = piece
        else:
            stream[pos:pos] = stream[pos : pos + 40] * draw(st.integers(1, 300))
    return bytes(stream)


@SETTINGS
@given(mutated_streams(), st.data())
def test_mutated_streams_only_raise_protocol_errors(stream: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    feed_hostile(stream, cuts)
    # and the verdict does not depend on the split. (Which error is reported may: when a
    # line is both too long and malformed, an incremental parser names the first problem
    # it can see with the bytes it has.)
    outcomes: list[object] = []
    for split in ([], cuts):
        try:
            outcomes.append(feed_split(stream, split, RequestParser(**LIMITS)))  # type: ignore[arg-type]
        except HttpProcessingError:
            outcomes.append("error")
    assert outcomes[0] == outcomes[1]
