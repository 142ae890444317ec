"""The same application on aiohttp.web and on aioweb.web answers the same requests alike.

One app definition (differential_app.py) is built with each framework and served on
127.0.0.1, aiohttp's in a subprocess (differential_harness.py); hypothesis makes
requests and aiohttp's client sends each to both servers. Status, reason, version,
headers (but Date, Server and Vary) and body must match. Three tests:

- requests: methods, targets with percent-encodings and odd segments, query strings,
  content types, cookies, Range, conditional, Forwarded and Host headers, HTTP/1.0,
  compression; the handlers echo what the request object reports, so a difference
  in parsing shows up as a difference in bodies;
- responses: responses, streamed responses and raised HTTP exceptions built from
  generated recipes;
- request bodies: read, text, json, post, multipart, readline and chunks, with
  urlencoded and multipart bodies (some malformed) around client_max_size.

Where aioweb differs from aiohttp on purpose, docs/server.md says so and the tests
step around it (each place says why). This is the promise to users who change
``from aiohttp import web`` to ``from aioweb import web``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).parent


def load(name: str) -> ModuleType:
    """A helper module of this folder, by its path (no folder here is a package)."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = load("differential_harness")
Servers = harness.Servers
MAX_SIZE: int = harness.app.MAX_SIZE
REDIRECTS: tuple[str, ...] = harness.app.REDIRECTS


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with contextlib.closing(Servers()) as both:
        both.start()
        yield both


# Path segments: unreserved and sub-delims characters, and percent-encodings of
# reserved, non-ASCII and percent characters (some of them invalid).
SEGMENT_PIECES = st.sampled_from(
    [
        "a", "Z", "0", "7", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+",
        ",", ";", "=", ":", "@", "%20", "%2F", "%2f", "%25", "%3F", "%23", "%C3%A9",
        "%e2%82%ac", "%41", "%zz", "%", "%2",
    ]
)  # fmt: skip
SEGMENT = st.lists(SEGMENT_PIECES, min_size=0, max_size=5).map("".join)
QUERY_PIECES = st.sampled_from(["a", "b", "1", "+", "%20", "%26", "%3D", "%C3%A9", "=", "/", "?"])
QUERY_TEXT = st.lists(QUERY_PIECES, max_size=4).map("".join)
QUERY = st.lists(st.tuples(QUERY_TEXT, st.booleans(), QUERY_TEXT), max_size=3).map(
    lambda items: "&".join(k + ("=" + v if eq else "") for k, eq, v in items)
)


@st.composite
def targets(draw: st.DrawFn) -> str:
    seg = SEGMENT
    path = draw(
        st.one_of(
            st.just("/echo"),
            st.just("/echo/"),
            st.just("//echo"),
            seg.map(lambda s: "/users/" + s),
            st.tuples(seg, seg, seg).map(lambda t: "/items/{}/{}/{}".format(*t)),
            seg.map(lambda s: "/sub/x/" + s),
            st.just("/sub"),
            st.just("/text"),
            st.just("/slash"),
            st.just("/form"),
            st.just("/compress"),
            st.just("/domain"),
            st.tuples(
                st.sampled_from(["ok", "boom", "nope", "url", "items/a/b"]),
                st.lists(st.sampled_from(MIDDLEWARE_QUERY), max_size=3),
            ).map(lambda t: f"/mw/{t[0]}?" + "&".join(t[1])),
            st.sampled_from(
                [
                    "/cookie?name=a&value=b",
                    "/cookie?max_age=10&secure&httponly&samesite=Lax",
                    "/cookie?domain=example.com&path=/x&del",
                    "/cookie?value=with%20space",
                    "/cookie?value=%22q%22",
                    "/cookie?samesite=None&secure",
                ]
            ),
            seg.map(lambda s: "/nope/" + s),
            st.sampled_from(["/redirect", "/redirect?to=/x%20y", "/redirect?to=//evil.example"]),
        )
    )
    if "?" not in path and draw(st.booleans()):
        path += "?" + draw(QUERY)
    return path


MIDDLEWARE_QUERY = [
    "catch",
    "before=HTTPForbidden",
    "before=HTTPNoContent",
    "after=HTTPConflict",
    "after=HTTPNotModified",
    "n=%C3%A9%20x",
    "n=a/b",
    "r=c/d%2Fe",
    "r=%25",
    "q=a%3Db%26c",
]
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "text/plain; charset=utf-8",
        "text/plain;charset=UTF-8",
        'text/plain; charset="latin-1"',
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "TEXT/HTML; Charset=ISO-8859-1",
        "application/octet-stream",
        "bogus",
        "",
    ]
)
COOKIES = st.sampled_from(
    [None, "a=1", "a=1; b=2", 'a="quoted value"', "a=1;;b=2", "a=%20x", "noequals", "a=1; a=2"]
)
OPTIONAL_HEADERS = {
    "If-Match": st.sampled_from(['"abc"', 'W/"abc"', "*", '"a", "b"', "junk"]),
    "If-Unmodified-Since": st.sampled_from(["Sun, 06 Nov 1994 08:49:37 GMT", "nope"]),
    "If-Range": st.sampled_from(['"abc"', "Sun, 06 Nov 1994 08:49:37 GMT", "x"]),
    "X-Dup": st.sampled_from(["1", "1, 2", " padded ", "café €"]),
    "Range": st.sampled_from(
        ["bytes=0-9", "bytes=5-", "bytes=-3", "bytes=9-2", "bytes=a-b", "items=0-1", "bytes=0-1,3"]
    ),
    "If-Modified-Since": st.sampled_from(
        ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "garbage", ""]
    ),
    "If-None-Match": st.sampled_from(['"abc"', 'W/"abc", "def"', "*", "abc", '"a,b"']),
    "Forwarded": st.sampled_from(
        [
            "for=192.0.2.60;proto=http;by=203.0.113.43",
            'for="[2001:db8:cafe::17]:4711"',
            "for=a, for=b;host=example.com",
            "for=",
            "bogus",
        ]
    ),
    "Host": st.sampled_from(
        ["example.com", "a.example.com:8080", "b.a.EXAMPLE.com", "[::1]:80", "bad host"]
    ),
    "Connection": st.sampled_from(["close", "keep-alive", "Keep-Alive", "upgrade", "foo, close"]),
}
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=40),
    st.lists(st.tuples(QUERY_TEXT, QUERY_TEXT), max_size=3).map(
        lambda items: "&".join(f"{k}={v}" for k, v in items).encode()
    ),
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]))
    # Codings both servers compress with and aiohttp's client decodes; aioweb's
    # preference among them, and its br and zstd, differ on purpose (docs/server.md).
    encodings = st.sampled_from(["gzip", "deflate", "identity", "gzip;q=1"])
    headers = {"Accept-Encoding": draw(encodings)}
    content_type = draw(CONTENT_TYPES)
    if content_type is not None:
        headers["Content-Type"] = content_type
    cookie = draw(COOKIES)
    if cookie is not None:
        headers["Cookie"] = cookie
    for name, values in OPTIONAL_HEADERS.items():
        value = draw(st.one_of(st.none(), values))
        if value is not None:
            headers[name] = value
    body = draw(BODIES) if method not in ("GET", "HEAD", "OPTIONS") else b""
    version = draw(st.sampled_from([aiohttp.HttpVersion11, aiohttp.HttpVersion10]))
    return {
        "method": method,
        "target": draw(targets()),
        "headers": headers,
        "body": body,
        "version": version,
    }


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_same_answers_as_aiohttp(servers: Servers, request: dict[str, Any]) -> None:
    answers = servers.exchange(request)
    ours, theirs = answers["aioweb"], answers["aiohttp"]
    if theirs["status"] == 500 and 400 <= ours["status"] < 500:
        # Bad input that crashes aiohttp's handler code (a form body that is not
        # valid UTF-8, say) is the client's error in aioweb (docs list each case).
        return
    if request["headers"].get("Host") == "bad host":
        # An invalid Host is 400 in aioweb (RFC 9112 3.2); aiohttp serves it.
        assert ours["status"] == 400, ours
        return
    assert ours == theirs, request


RECIPE_TEXT = st.sampled_from(["", "plain", "é ü", "line\nbreak", "x" * 300])
RECIPE = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["raise", "json", "response", "stream"]),
        "status": st.sampled_from([200, 201, 202, 204, 206, 299, 301, 304, 400, 404, 418, 503]),
        "reason": st.sampled_from([None, "Custom Reason", ""]),
        "headers": st.lists(
            st.sampled_from(
                [
                    ("X-A", "1"),
                    ("X-Name", "résumé €.pdf"),
                    ("Content-Type", "text/csv"),
                    ("Set-Cookie", "a=b"),
                    ("Cache-Control", "no-cache"),
                    # Not ("Transfer-Encoding", "chunked"): aiohttp sends it beside
                    # Content-Length (tests-integration/server/test_status.py). Not a
                    # wrong Content-Length either: both clients would wait for bytes
                    # that never come.
                    ("Connection", "close"),
                ]
            ),
            max_size=2,
            unique=True,
        ),
        "text": st.one_of(st.none(), RECIPE_TEXT),
        "body": st.sampled_from(["text", "bytes", "none"]),
        "content_type": st.sampled_from([None, "text/html", "application/octet-stream"]),
        "charset": st.sampled_from([None, "utf-8", "latin-1"]),
        "chunked": st.booleans(),
        "length": st.booleans(),
        "etag": st.sampled_from([None, "abc", "W/x"]),
        "last_modified": st.sampled_from([None, 0, 1700000000, "Sun, 06 Nov 1994 08:49:37 GMT"]),
        "exc": st.sampled_from(
            [
                "HTTPNotFound",
                "HTTPBadRequest",
                "HTTPNoContent",
                "HTTPNotModified",
                "HTTPOk",
                "HTTPCreated",
                "HTTPTooManyRequests",
                "HTTPServiceUnavailable",
                "HTTPMethodNotAllowed",
                *REDIRECTS,
            ]
        ),
        "location": st.sampled_from(["/there", "http://example.com/x y", "", "//evil"]),
        "cookie": st.sampled_from(
            [
                None,
                {},
                {"max_age": 0, "httponly": True},
                {"expires": "Thu, 01 Jan 2037 00:00:00 GMT", "domain": ".example.com"},
                {"secure": True, "samesite": "Strict", "path": "/a b"},
                # Not partitioned=True: aiohttp raises on Python < 3.14, aioweb sets
                # it everywhere (docs/forms-and-multipart.md).
            ]
        ),
        "later_status": st.sampled_from([None, 201, 404, 299]),
        "later_text": st.sampled_from([None, "", "later é"]),
        "force_close": st.booleans(),
        "compress": st.booleans(),
    }
).map(lambda r: r if r["text"] is not None or r["kind"] == "raise" else {**r, "text": ""})


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(recipe=RECIPE, method=st.sampled_from(["GET", "HEAD", "POST"]))
def test_same_responses_as_aiohttp(servers: Servers, recipe: dict[str, Any], method: str) -> None:
    """Responses, streamed responses and raised HTTP exceptions come out alike."""
    # aiohttp writes a streamed body after a head that has none (HEAD, 204, 304),
    # which its own client then reads as a broken response (docs/server.md).
    bodiless = method == "HEAD" or recipe["status"] in (204, 304)
    writes = recipe["text"] or recipe["compress"]  # a compressor writes even for ""
    assume(not (bodiless and recipe["kind"] == "stream" and writes))
    # codings both servers have (aioweb's choice between them differs on purpose)
    headers = {"Accept-Encoding": "gzip, deflate"}
    if method == "HEAD":
        # aiohttp writes a streamed body after a HEAD head (the bytes would be read
        # as the next response on a kept-alive connection): one connection each.
        headers["Connection"] = "close"
    request = {
        "method": method,
        "target": "/respond?" + urlencode({"r": json.dumps(recipe)}),
        "headers": headers,
        "body": b"",
        "version": aiohttp.HttpVersion11,
    }
    answers = servers.exchange(request)
    ours, theirs = answers["aioweb"], answers["aiohttp"]
    if "error" in theirs and "error" not in ours:
        # aiohttp dropped the connection without an answer (Response() without a
        # body after enable_compression(), say); aioweb must still answer, with the
        # recipe's own status or at least not with a failure of its own.
        assert ours["status"] < 500 or ours["status"] == recipe["status"], (ours, recipe)
        return
    assert ours == theirs, recipe


BOUNDARY = "b0und"
PART_DATA = st.sampled_from([b"", b"value", "é".encode(), b"line\r\nbreak", b"--b0und", b"x" * 200])


@st.composite
def multipart_bodies(draw: st.DrawFn) -> bytes:
    """multipart/form-data bodies, sometimes broken on purpose."""
    out = b""
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(['"a"', '"b c"', '"é"', "plain", '"a\\"q"', '""']))
        disposition = b"Content-Disposition: form-data; name=" + name.encode()
        filename = draw(st.sampled_from([None, '"f.txt"', '""', '"d\u00e9j\u00e0.txt"']))
        if filename is not None:
            disposition += b"; filename=" + filename.encode()
            if draw(st.booleans()):  # and bytes that are not UTF-8
                disposition += b'; x="caf\xe9"'
        headers = [disposition]
        content_type = draw(st.sampled_from([None, "text/plain", "application/octet-stream"]))
        if content_type is not None:
            headers.append(b"Content-Type: " + content_type.encode())
        out += b"--" + BOUNDARY.encode() + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n"
        out += draw(PART_DATA) + b"\r\n"
    ending = draw(st.sampled_from(["close", "close", "none", "garbage"]))
    if ending == "close":
        out += b"--" + BOUNDARY.encode() + b"--\r\n"
    elif ending == "garbage":
        out += b"--" + BOUNDARY.encode() + b"\r\nno colon here\r\n\r\nx\r\n"
    return out


READ_BODIES = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [b'{"a": [1, 2.5, null]}', b"[", b'"\xff"', '{"é": 1}'.encode(), b"a=1&b=%C3%A9&a"]
    ),
    st.lists(st.sampled_from([b"line\n", b"no end", b"\r\n", b"x" * 40]), max_size=8).map(b"".join),
    st.integers(MAX_SIZE - 2, MAX_SIZE + 2).map(lambda n: b"y" * n),
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mode=st.sampled_from(["read", "text", "json", "post", "multipart", "readline", "chunks"]),
    data=st.data(),
)
def test_same_request_bodies_as_aiohttp(servers: Servers, mode: str, data: st.DataObject) -> None:
    """Request bodies read every way a handler can come out alike, limits included."""
    multipart = data.draw(st.booleans())
    if multipart:
        body = data.draw(multipart_bodies())
        content_type: str | None = f"multipart/form-data; boundary={BOUNDARY}"
    else:
        body = data.draw(READ_BODIES)
        content_type = data.draw(CONTENT_TYPES)
    headers = {"Accept-Encoding": "identity"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    request = {
        "method": "POST",
        "target": f"/read/{mode}",
        "headers": headers,
        "body": body,
        "version": aiohttp.HttpVersion11,
        # the client sends the body only after the server's 100 Continue
        "expect100": data.draw(st.booleans()),
    }
    answers = servers.exchange(request)
    ours, theirs = answers["aioweb"], answers["aiohttp"]
    if theirs["status"] == 500 and ours["status"] < 500:
        # aiohttp's form or multipart code failed: on bad input, which aioweb refuses
        # with a 4xx, or on input it should read (a part header byte that is not
        # UTF-8), which aioweb reads (docs/server.md). aioweb must not fail.
        return
    assert ours == theirs, (mode, body)
