"""Property: the parser's fast paths (one whole head per ``bytes`` buffer, heads decoded
once per buffer) give exactly the outcome of the general path, for hostile input too.

A ``bytearray`` always takes the general path; the same bytes as ``bytes`` take the fast
ones whenever they can. Both must produce the same events and the same error (type,
status and reason); fed byte by byte, the same events and an error of the same status.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb.http import EndOfMessage, HttpProcessingError, RequestHead
from aioweb.http.parser import RequestParser

FRAGMENTS = [
    b"GET / HTTP/1.1\r\n",
    b"POST /p HTTP/1.0\r\n",
    b"CONNECT a:1 HTTP/1.1\r\n",
    b"OPTIONS * HTTP/1.1\r\n",
    b"GET http://a/b HTTP/1.1\r\n",
    b"Host: a\r\n",
    b"Host: b\r\n",
    b"X-Long: " + b"v" * 40 + b"\r\n",
    b"Content-Length: 3\r\n",
    b"Content-Length: 0\r\n",
    b"Content-Length: 3, 3\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive, Upgrade\r\n",
    b"Upgrade: websocket\r\n",
    b"Content-Encoding: GZIP\r\n",
    b"A: 1 \r\n",
    b"B:\t\r\n",
    b"C : 1\r\n",
    b" folded\r\n",
    b"D: \x00\r\n",
    b"E: \xe9\r\n",
    b"\xe9: x\r\n",
    b"F: a\rb\r\n",
    b"G: a\nb\r\n",
    b"\r\n",
    b"\n",
    b"\r",
    b"abc",
    b"3\r\nabc\r\n0\r\n\r\n",
    b"0\r\nT: 1\r\n\r\n",
    b"0\r\nHost: x\r\n\r\n",
    b"GET / HTTP/2.0\r\n",
    b"GET  / HTTP/1.1\r\n",
]

LIMITS = {"max_line_size": 40, "max_field_size": 40, "max_headers": 5}


def run(data: bytes | bytearray, bytewise: bool = False, **kwargs: Any) -> tuple[Any, ...]:
    parser = RequestParser(**kwargs)
    events: list[Any] = []
    error: HttpProcessingError | None = None
    pieces = [data[i : i + 1] for i in range(len(data))] if bytewise else [data]
    try:
        for piece in pieces:
            events += parser.feed(piece)
        events += parser.feed_eof()
    except HttpProcessingError as exc:
        error = exc
    assert (error is None) == (parser.error is None)
    out: list[Any] = []
    for e in events:
        if isinstance(e, RequestHead):
            out.append(
                (
                    e.method,
                    e.target,
                    e.version,
                    e.raw_headers,
                    tuple(e.headers.items()),
                    e.should_close,
                    e.upgrade,
                    e.chunked,
                    e.content_length,
                    e.compression,
                )
            )
        elif isinstance(e, EndOfMessage):
            out.append(("end", tuple(e.trailers.items())))
        elif out and isinstance(out[-1], bytes):
            out[-1] += e
        else:
            out.append(bytes(e))
    failure = None if error is None else (type(error), error.status, error.reason)
    return tuple(out), failure, parser.upgraded


streams = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10).map(b"".join)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(streams, st.booleans(), st.booleans())
def test_fast_paths_match_the_general_path(data: bytes, end_head: bool, limited: bool) -> None:
    if end_head:
        data += b"\r\n\r\n"  # so that the one-whole-head guess is tried
    kwargs: dict[str, Any] = LIMITS if limited else {}
    fast = run(data, **kwargs)
    general = run(bytearray(data), **kwargs)
    assert fast == general
    events, failure, upgraded = fast
    split_events, split_failure, split_upgraded = run(data, bytewise=True, **kwargs)
    if failure is None:
        assert split_failure is None
        assert split_events == events
        assert split_upgraded == upgraded
    else:
        # fed byte by byte, a limit may be noticed on an incomplete line, or a bad byte
        # before the line is complete: the same status, maybe an earlier event list
        assert split_failure is not None
        assert split_failure[1] == failure[1]
