"""The same application on aiohttp.web and on aioweb.web answers the same requests alike.

One app definition is built with each framework and served on 127.0.0.1 (aiohttp's
in a subprocess); hypothesis makes requests and aiohttp's client sends each to both
servers. Status, reason, version, headers (but Date, Server and Vary) and body must
match. Three tests:

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

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import aiohttp
import aiohttp.web as aiohttp_web
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from yarl import URL

from aioweb import web as aioweb_web


def build_app(web: ModuleType) -> Any:
    """The application under comparison, written once for either framework."""

    async def echo(request: Any) -> Any:
        body = await request.read()
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "raw_path": request.raw_path,
                "path_qs": request.path_qs,
                "query": sorted(request.query.items()),
                "query_string": request.query_string,
                "match": dict(request.match_info),
                "content_type": request.content_type,
                "charset": request.charset,
                "content_length": request.content_length,
                "body": body.decode("latin-1"),
                "body_exists": request.body_exists,
                "can_read_body": request.can_read_body,
                "keep_alive": request.keep_alive,
                "version": list(request.version),
                "cookies": sorted(request.cookies.items()),
                "scheme": request.scheme,
                "secure": request.secure,
                # The two servers listen on different ports.
                "host": request.host.rsplit(":", 1)[0],
                "url": str(request.url.with_port(None)),
                "range": _range(request),
                "if_modified_since": str(request.if_modified_since),
                "if_none_match": _etags(request.if_none_match),
                "forwarded": [dict(item) for item in request.forwarded],
                "if_match": _etags(request.if_match),
                "if_unmodified_since": str(request.if_unmodified_since),
                "if_range": str(request.if_range),
                "raw_headers": [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in request.raw_headers
                    if name.lower() != b"host"  # the ports differ
                ],
            }
        )

    async def cookie(request: Any) -> Any:
        response = web.Response(text="cookie")
        query = request.query
        response.set_cookie(
            query.get("name", "c"),
            query.get("value", "v"),
            max_age=query.get("max_age"),
            path=query.get("path", "/"),
            domain=query.get("domain"),
            secure="secure" in query,
            httponly="httponly" in query,
            samesite=query.get("samesite"),
        )
        if "del" in query:
            response.del_cookie("gone")
        return response

    async def compress(request: Any) -> Any:
        response = web.Response(text="squeeze me " * 40)
        response.enable_compression()
        return response

    async def form(request: Any) -> Any:
        fields = await request.post()
        return web.json_response(sorted((k, str(v)) for k, v in fields.items()))

    async def text(request: Any) -> Any:
        return web.Response(text="text é", charset="latin-1")

    async def redirect(request: Any) -> Any:
        raise web.HTTPFound(request.query.get("to", "/echo"))

    async def slash(request: Any) -> Any:
        return web.Response(text="slash")

    async def respond(request: Any) -> Any:
        return await follow_recipe(web, request, json.loads(request.query["r"]))

    @web.middleware
    async def tag(request: Any, handler: Any) -> Any:
        response = await handler(request)
        response.headers["X-Tag"] = "on"
        return response

    async def read(request: Any) -> Any:
        return web.json_response(await read_body(request, request.match_info["mode"]))

    # A small client_max_size, so that generated bodies can pass it.
    app = web.Application(
        middlewares=[tag, web.normalize_path_middleware()], client_max_size=MAX_SIZE
    )
    app.router.add_post("/read/{mode}", read)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get(r"/users/{id:\d+}", echo)
    app.router.add_route("*", "/items/{name}/{rest:.*}", echo)
    app.router.add_post("/form", form)
    app.router.add_get("/text", text)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/slash/", slash)
    app.router.add_get("/cookie", cookie)
    app.router.add_get("/compress", compress)
    app.router.add_route("*", "/respond", respond)
    sub = web.Application()
    sub.router.add_get("/x/{y}", echo)
    app.add_subapp("/sub/", sub)
    domain = web.Application()
    domain.router.add_get("/domain", echo)
    app.add_domain("*.example.com", domain)
    app.add_subapp("/mw/", middleware_app(web, echo))
    return app


def middleware_app(web: ModuleType, echo: Any) -> Any:
    """A sub-application whose middlewares raise, catch and rewrite, driven by the query."""

    @web.middleware
    async def catcher(request: Any, handler: Any) -> Any:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if "catch" not in request.query:
                raise
            return web.Response(text=f"caught {exc.status} {exc.reason}", status=exc.status)

    @web.middleware
    async def raiser(request: Any, handler: Any) -> Any:
        name = request.query.get("before")
        if name:
            raise getattr(web, name)()
        response = await handler(request)
        name = request.query.get("after")
        if name:
            raise getattr(web, name)()
        response.headers["X-Inner"] = request.match_info.route.name or "-"
        return response

    async def boom(request: Any) -> Any:
        raise ValueError("boom")

    async def url(request: Any) -> Any:
        parts = {"name": request.query.get("n", "a"), "rest": request.query.get("r", "b")}
        built = request.app.router["items"].url_for(**parts)
        return web.Response(text=str(built.with_query(request.query.get("q", ""))))

    app = web.Application(middlewares=[catcher, raiser])
    app.router.add_get("/ok", echo, name="ok")
    app.router.add_get("/boom", boom)
    app.router.add_get("/url", url)
    app.router.add_get("/items/{name}/{rest:.*}", echo, name="items")
    return app


MAX_SIZE = 300


async def read_body(request: Any, mode: str) -> Any:
    """What the handler of ``/read/{mode}`` got from the body, read in that way."""
    if mode == "read":
        return (await request.read()).decode("latin-1")
    if mode == "text":
        return await request.text()
    if mode == "json":
        return await request.json()
    if mode == "post":
        fields = await request.post()
        return [[name, _field(value)] for name, value in fields.items()]
    if mode == "multipart":
        parts = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            data = await part.read(decode=True)
            parts.append([part.name, part.filename, dict(part.headers), data.decode("latin-1")])
        return parts
    if mode == "readline":
        lines = []
        while line := await request.content.readline():
            lines.append(line.decode("latin-1"))
        return lines
    assert mode == "chunks"
    return b"".join([c async for c in request.content.iter_chunked(7)]).decode("latin-1")


def _field(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).decode("latin-1")]
    with value.file:
        content = value.file.read().decode("latin-1")
    return [value.name, value.filename, value.content_type, content]


REDIRECTS = ("HTTPFound", "HTTPMovedPermanently", "HTTPSeeOther", "HTTPPermanentRedirect")


async def follow_recipe(web: ModuleType, request: Any, recipe: dict[str, Any]) -> Any:
    """Build the response a generated recipe describes, with either framework's names."""
    kind = recipe["kind"]
    common = {"headers": dict(recipe["headers"]) or None, "reason": recipe["reason"]}
    if kind == "raise":
        cls = getattr(web, recipe["exc"])
        kwargs = {**common, "text": recipe["text"], "content_type": recipe["content_type"]}
        if recipe["exc"] in REDIRECTS:
            raise cls(recipe["location"], **kwargs)
        if recipe["exc"] == "HTTPMethodNotAllowed":
            raise cls("PATCH", ["GET", "PUT"], **kwargs)
        raise cls(**kwargs)
    if kind == "json":
        response = web.json_response({"k": recipe["text"]}, status=recipe["status"], **common)
    elif kind == "response":
        body = recipe["body"]
        response = web.Response(
            status=recipe["status"],
            text=recipe["text"] if body == "text" else None,
            body=recipe["text"].encode() if body == "bytes" else None,
            content_type=recipe["content_type"],
            charset=recipe["charset"],
            **common,
        )
    else:
        response = web.StreamResponse(status=recipe["status"], **common)
        if recipe["content_type"] is not None:
            response.content_type = recipe["content_type"]
        if recipe["charset"] is not None:
            response.charset = recipe["charset"]
        if recipe["chunked"]:
            response.enable_chunked_encoding()
        elif recipe["length"]:
            response.content_length = len(recipe["text"].encode())
    if recipe["etag"] is not None:
        response.etag = recipe["etag"]
    if recipe["last_modified"] is not None:
        response.last_modified = recipe["last_modified"]
    if recipe["cookie"] is not None:
        response.set_cookie("c", "v w", **recipe["cookie"])
        response.del_cookie("gone", path="/x")
    if recipe["later_status"] is not None:
        response.set_status(recipe["later_status"], recipe["reason"])
    if recipe["later_text"] is not None and kind == "response":
        response.text = recipe["later_text"]
    if recipe["force_close"]:
        response.force_close()
    if recipe["compress"]:
        response.enable_compression()
    if kind == "stream":
        await response.prepare(request)
        await response.write(recipe["text"].encode())
        await response.write_eof()
    return response


def _range(request: Any) -> Any:
    try:
        rng = request.http_range
    except ValueError as exc:
        return f"ValueError {exc}"
    return [rng.start, rng.stop, rng.step]


def _etags(etags: Any) -> Any:
    if etags is None:
        return None
    return sorted((etag.value, etag.is_weak) for etag in etags)


#: Response headers that differ by nature between the two servers, and Vary, which
#: aioweb sends whenever compression was negotiated, compressed or not (docs/server.md).
UNCOMPARED = {"Date", "Server", "Vary"}


def serve_reference() -> None:
    """Serve the app on aiohttp.web at 127.0.0.1, print the port, stop when stdin closes.

    Runs in a subprocess: aiohttp leaks the temporary files of a form whose reading
    fails, and this process turns every leak into a test failure (aioweb's included).
    """

    async def main() -> None:
        runner = aiohttp_web.AppRunner(build_app(aiohttp_web), access_log=None)
        await runner.setup()
        await aiohttp_web.TCPSite(runner, "127.0.0.1", 0).start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()

    asyncio.run(main())


class Servers:
    """aioweb in this process's loop (it runs while a request is sent), aiohttp aside."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.runner: Any = None
        self.reference: subprocess.Popen[str] | None = None
        self.bases: dict[str, str] = {}
        self.sessions: dict[aiohttp.HttpVersion, aiohttp.ClientSession] = {}

    def start(self) -> None:
        here = str(Path(__file__).resolve().parent)
        self.reference = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {here!r}); "
             "import test_differential; test_differential.serve_reference()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        assert self.reference.stdout is not None
        self.bases["aiohttp"] = f"http://127.0.0.1:{int(self.reference.stdout.readline())}"
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        self.runner = aioweb_web.AppRunner(build_app(aioweb_web), access_log=None)
        await self.runner.setup()
        await aioweb_web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.bases["aioweb"] = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        for version in (aiohttp.HttpVersion10, aiohttp.HttpVersion11):
            self.sessions[version] = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10), version=version
            )

    def close(self) -> None:
        try:
            self.loop.run_until_complete(self._close())
            self.loop.close()
        finally:
            reference = self.reference
            if reference is not None:
                assert reference.stdin is not None
                assert reference.stdout is not None
                reference.stdin.close()  # it stops by itself
                try:
                    reference.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    reference.kill()  # by its pid, which we started
                    reference.wait(timeout=10)
                reference.stdout.close()

    async def _close(self) -> None:
        for session in self.sessions.values():
            await session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    def exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.loop.run_until_complete(self._exchange_both(request))

    async def _exchange_both(self, request: dict[str, Any]) -> dict[str, Any]:
        return {name: await self._exchange(base, request) for name, base in self.bases.items()}

    async def _exchange(self, base: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._exchange_once(base, request)
        except (TimeoutError, aiohttp.ClientError) as exc:
            # An answer the client cannot read (broken framing, a connection closed
            # early) must be just as broken from both servers.
            return {"error": type(exc).__name__}

    async def _exchange_once(self, base: str, request: dict[str, Any]) -> dict[str, Any]:
        url = URL(base + request["target"], encoded=True)
        async with self.sessions[request["version"]].request(
            request["method"],
            url,
            headers=request["headers"],
            data=request["body"],
            allow_redirects=False,
            skip_auto_headers=("Content-Type",),
            expect100=request.get("expect100", False),
        ) as resp:
            body = await resp.read()  # decoded by the client if compressed
            skip = UNCOMPARED
            unframed: set[tuple[str, str]] = set()
            if request["method"] == "HEAD":
                # Deliberate (docs/server.md): aioweb's HEAD answers carry the fields a
                # GET would get (Content-Length: 0, chunked, the default Content-Type);
                # aiohttp drops some.
                skip = UNCOMPARED | {"Content-Length", "Transfer-Encoding"}
                unframed = {("Content-Type", "application/octet-stream")}
            # No content, no coding: aioweb leaves Content-Encoding off a 204 or 304,
            # aiohttp names one after enable_compression() (docs/server.md).
            compressed = "Content-Encoding" in resp.headers and resp.status not in (204, 304)
            if "Content-Encoding" in resp.headers:
                # Deliberate (docs/server.md): aioweb prefers zstd, br, gzip, then
                # deflate, honours q-values and sends Vary; aiohttp takes deflate first.
                skip = skip | {"Content-Encoding", "Content-Length"}
            return {
                "status": resp.status,
                "reason": resp.reason,
                "version": resp.version,
                "compressed": compressed,
                "headers": sorted(
                    (name, value)
                    for name, value in resp.headers.items()
                    if name not in skip and (name, value) not in unframed
                ),
                "body": body.decode("latin-1"),
            }


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
    if "error" in theirs and "error" not in ours and ours["status"] < 500:
        # aiohttp dropped the connection without an answer (Response() without a
        # body after enable_compression(), say); aioweb must still answer.
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
