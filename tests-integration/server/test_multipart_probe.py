"""Forms and multipart bodies, over a real socket.

Each test is one difference the side-by-side probe of form and multipart handling
(``request.post()``, ``request.multipart()`` and the part reader, aiohttp.web against
aioweb) found; unless marked ``aioweb_only`` both implementations must pass it
(AIOWEB_IMPL=aiohttp).
"""

from __future__ import annotations

import json
import logging

import pytest

FORM = "multipart/form-data; boundary=BND"


def post(body: bytes, content_type: str | None) -> bytes:
    head = f"Content-Type: {content_type}\r\n" if content_type else ""
    return (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + head.encode("latin-1")
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )


def part(headers: str, content: bytes) -> bytes:
    return b"--BND\r\n" + headers.encode().replace(b"\n", b"\r\n") + b"\r\n\r\n" + content + b"\r\n"


def field(name: str, content: bytes, *more_headers: str) -> bytes:
    head = "\n".join([f'Content-Disposition: form-data; name="{name}"', *more_headers])
    return part(head, content)


END = b"--BND--\r\n"


async def exchange(srv, wire, data: bytes):
    (resp,) = wire.parse_responses(await wire.exchange(srv.port, data))
    return resp


# --- errors in what the client sent are ValueErrors (as in aiohttp) and 400s ---------
#
# aiohttp raises ValueError (or a subclass: UnicodeDecodeError, JSONDecodeError,
# binascii.Error) for these bodies, so handlers written for it catch ValueError to
# answer their own way. aioweb raised a bare HTTPBadRequest, which such a handler
# did not catch: the client got aioweb's 400 instead of the handler's answer.

BAD_FORMS = {
    "urlencoded not UTF-8": (b"a=\xff", "application/x-www-form-urlencoded"),
    "text field not UTF-8": (field("a", b"caf\xe9") + END, FORM),
    "field without a name": (part("Content-Type: text/plain", b"x") + END, FORM),
    "no closing boundary": (field("a", b"x"), FORM),
    "no boundary at all": (b"a=1", FORM),
    "boundary over 70 chars": (field("a", b"x") + END, "multipart/form-data; boundary=" + "b" * 71),
    "no boundary parameter": (field("a", b"x") + END, "multipart/form-data"),
    "a longer boundary inside": (field("a", b"x\r\n--BNDX") + END, FORM),
    "truncated base64": (field("a", b"abc", "Content-Transfer-Encoding: base64") + END, FORM),
    "nested multipart": (
        field("a", b"--IN\r\n\r\nx\r\n--IN--", "Content-Type: multipart/mixed; boundary=IN") + END,
        FORM,
    ),
}


@pytest.mark.parametrize("case", list(BAD_FORMS))
async def test_a_malformed_form_is_a_value_error_to_the_handler(serve, web, wire, case):
    async def handler(request):
        try:
            await request.post()
        except ValueError as exc:
            return web.Response(status=422, text=type(exc).__name__)
        return web.Response(text="read")

    srv = await serve(handler)
    resp = await exchange(srv, wire, post(*BAD_FORMS[case]))
    assert resp.status == 422, resp.body


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"a=1", "application/x-www-form-urlencoded; charset=no-such-charset"),
        (field("a", b"x", "Content-Type: text/plain; charset=no-such-charset") + END, FORM),
    ],
    ids=["urlencoded", "multipart"],
)
async def test_an_unknown_charset_is_a_lookup_error_to_the_handler(
    serve, web, wire, body, content_type
):
    async def handler(request):
        try:
            await request.post()
        except LookupError:
            return web.Response(status=422, text="charset")
        return web.Response(text="read")

    srv = await serve(handler)
    resp = await exchange(srv, wire, post(body, content_type))
    assert (resp.status, resp.body) == (422, b"charset")


@pytest.mark.parametrize(
    ("body", "content_type", "caught"),
    [
        (b"caf\xe9", "text/plain", ValueError),
        (b"caf\xe9", "text/plain; charset=no-such-charset", LookupError),
        (b"{caf\xe9", "application/json", ValueError),
    ],
    ids=["not-utf-8", "unknown-charset", "json-not-utf-8"],
)
async def test_request_text_errors_are_those_aiohttp_raises(
    serve, web, wire, body, content_type, caught
):
    # request.text() (and json(), which reads through it): aiohttp raises
    # UnicodeDecodeError (a ValueError) and LookupError; a handler catching those
    # answers its own way. Uncaught, aioweb answers 400 (aiohttp: a logged 500).
    async def handler(request):
        try:
            await (request.json() if content_type == "application/json" else request.text())
        except caught:
            return web.Response(status=422, text=caught.__name__)
        return web.Response(text="read")

    srv = await serve(handler)
    resp = await exchange(srv, wire, post(body, content_type))
    assert (resp.status, resp.body) == (422, caught.__name__.encode())


@pytest.mark.parametrize("method", ["text", "json", "form"])
async def test_a_part_that_does_not_decode_is_a_value_error_to_the_handler(
    serve, web, wire, method
):
    async def handler(request):
        reader = await request.multipart()
        got = await reader.next()
        try:
            await getattr(got, method)()
        except ValueError:
            return web.Response(status=422, text=method)
        return web.Response(text="read")

    srv = await serve(handler)
    body = field("a", b"{caf\xe9" if method != "json" else b"{not json") + END
    resp = await exchange(srv, wire, post(body, FORM))
    assert (resp.status, resp.body) == (422, method.encode())


async def test_a_part_that_is_not_json_is_a_json_decode_error(serve, web, wire):
    async def handler(request):
        reader = await request.multipart()
        got = await reader.next()
        try:
            await got.json()
        except json.JSONDecodeError as exc:
            return web.json_response([exc.pos, exc.lineno, exc.colno, exc.doc])
        return web.Response(text="read")

    srv = await serve(handler)
    resp = await exchange(srv, wire, post(field("a", b"[1, x]") + END, FORM))
    assert (resp.status, json.loads(resp.body)) == (200, [4, 1, 5, "[1, x]"])


@pytest.mark.parametrize("method", ["post", "json"])
async def test_a_malformed_body_left_unhandled_is_a_400_without_error_log(
    serve, web, wire, caplog, impl, method
):
    async def handler(request):
        if method == "post":
            await request.post()
        else:
            await (await (await request.multipart()).next()).json()
        return web.Response(text="read")

    srv = await serve(handler)
    with caplog.at_level(logging.ERROR):
        resp = await exchange(srv, wire, post(field("a", b"{not json"), FORM))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    if impl == "aiohttp":  # the ValueError escapes: a logged 500
        assert resp.status == 500
        assert errors
    else:
        assert resp.status == 400
        assert not errors
    await srv.alive()


# --- part headers ---------------------------------------------------------------------


async def test_a_part_with_two_content_types_is_refused(serve, web, wire, impl):
    # Two Content-Types make a part ambiguous (a file to one reader, text to the
    # next); aiohttp refuses it (its BadHttpMessage escapes as a 500), aioweb
    # took the first and read the form.
    async def handler(request):
        form = await request.post()
        return web.json_response({k: type(v).__name__ for k, v in form.items()})

    srv = await serve(handler)
    body = field("a", b"x", "Content-Type: text/plain", "Content-Type: application/octet-stream")
    resp = await exchange(srv, wire, post(body + END, FORM))
    assert resp.status == (500 if impl == "aiohttp" else 400), resp.body
    if impl == "aioweb":
        assert b"duplicate Content-Type part header" in resp.body
    await srv.alive()


async def test_repeated_content_disposition_takes_the_first_as_aiohttp(serve, web, wire):
    async def handler(request):
        return web.json_response(list((await request.post()).items()))

    srv = await serve(handler)
    body = field("a", b"x", 'Content-Disposition: form-data; name="b"')
    resp = await exchange(srv, wire, post(body + END, FORM))
    assert (resp.status, json.loads(resp.body)) == (200, [["a", "x"]])


# --- the form's _charset_ field (RFC 7578 4.6) -----------------------------------------


@pytest.mark.aioweb_only(
    reason="aiohttp 3.14 reads only part of the _charset_ field and then fails on the "
    "next boundary (InvalidHeader, a 500)"
)
async def test_charset_field_sets_the_default_charset_of_text_fields(serve, web, wire):
    async def handler(request):
        return web.json_response(list((await request.post()).items()))

    srv = await serve(handler)
    body = field("_charset_", b"iso-8859-1") + field("a", b"caf\xe9") + END
    resp = await exchange(srv, wire, post(body, FORM))
    assert (resp.status, json.loads(resp.body)) == (200, [["a", "café"]])


@pytest.mark.aioweb_only(reason="aiohttp 3.14 fails on any _charset_ field (a 500)")
async def test_an_unknown_charset_field_is_a_400_that_names_it(serve, web, wire):
    async def handler(request):
        await request.post()
        return web.Response(text="read")

    srv = await serve(handler)
    body = field("_charset_", b"no-such-charset") + field("a", b"x") + END
    resp = await exchange(srv, wire, post(body, FORM))
    assert resp.status == 400
    assert resp.body == b"Malformed multipart body: unknown _charset_ b'no-such-charset'."


# --- request.post() of a multipart form ------------------------------------------------


async def test_the_charset_of_a_multipart_content_type_is_not_the_fields_charset(serve, web, wire):
    # multipart/form-data has no charset parameter: a text field without its own
    # charset is UTF-8 (aiohttp), not the charset a client put on the whole body.
    async def handler(request):
        return web.json_response(list((await request.post()).items()))

    srv = await serve(handler)
    body = field("a", "café".encode()) + END
    resp = await exchange(srv, wire, post(body, FORM + "; charset=iso-8859-1"))
    assert (resp.status, json.loads(resp.body)) == (200, [["a", "café"]])
    resp = await exchange(srv, wire, post(body, FORM + "; charset=no-such-charset"))
    assert (resp.status, json.loads(resp.body)) == (200, [["a", "café"]])


@pytest.mark.aioweb_only(
    reason="aiohttp's post() reads a multipart body from the stream only: after read() "
    "it finds no boundary (ValueError, a 500)"
)
async def test_post_after_read_parses_the_multipart_body_read(serve, web, wire):
    async def handler(request):
        raw = await request.read()
        form = await request.post()
        upload = form["f"]
        return web.json_response(
            [len(raw), form["a"], upload.filename, upload.file.read().decode()]
        )

    srv = await serve(handler)
    upload = 'Content-Disposition: form-data; name="f"; filename="f.txt"\nContent-Type: text/plain'
    body = field("a", b"x") + part(upload, b"file\r\ndata") + END
    resp = await exchange(srv, wire, post(body, FORM))
    assert (resp.status, json.loads(resp.body)) == (200, [len(body), "x", "f.txt", "file\r\ndata"])
