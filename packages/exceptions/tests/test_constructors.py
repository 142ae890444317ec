"""Constructor rules: body/text/content type, redirects, 405, 413, 451."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

import aioweb.exceptions as exc

MOVES = [c for c in exc.status_exceptions.values() if issubclass(c, exc.HTTPMove)]


class URLObject:
    """A stand-in for yarl.URL (not installed in the solo environment): str() is the URL.

    tests-integration/exceptions checks the same rules with real yarl.URL objects.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def test_body_and_text_together() -> None:
    with pytest.raises(ValueError, match="body and text"):
        exc.HTTPNotFound(body=b"a", text="b")


def test_body_bytes_like() -> None:
    assert exc.HTTPBadRequest(body=bytearray(b"ab")).body == b"ab"
    assert exc.HTTPBadRequest(body=memoryview(b"cd")).body == b"cd"
    with pytest.raises(TypeError, match="bytes-like"):
        exc.HTTPBadRequest(body=123)  # type: ignore[arg-type]


def test_body_str_is_text_as_in_aiohttp() -> None:
    e = exc.HTTPBadRequest(body="caf\u00e9")
    assert e.body == "caf\u00e9".encode()
    assert e.headers["Content-Type"] == "text/plain; charset=utf-8"
    e = exc.HTTPBadRequest(body="caf\u00e9", content_type="text/html")
    assert e.headers["Content-Type"] == "text/html; charset=utf-8"


def test_body_without_content_type_has_none() -> None:
    e = exc.HTTPBadRequest(body=b"\x01\x02")
    assert e.body == b"\x01\x02"
    assert "Content-Type" not in e.headers
    assert e.content_type is None
    assert e.charset is None


def test_body_with_content_type() -> None:
    e = exc.HTTPBadRequest(body=b"{}", content_type="application/json")
    assert e.headers["Content-Type"] == "application/json"
    assert e.content_type == "application/json"
    assert e.charset is None
    assert e.text == "{}"


def test_text_type_checked() -> None:
    with pytest.raises(TypeError, match="text must be str"):
        exc.HTTPBadRequest(text=b"x")  # type: ignore[arg-type]


def test_empty_text_is_kept() -> None:
    e = exc.HTTPNotFound(text="")
    assert e.text == ""
    assert e.body == b""


def test_charset_in_content_type_argument() -> None:
    with pytest.raises(ValueError, match="charset"):
        exc.HTTPNotFound(text="x", content_type="text/html; charset=latin-1")


def test_content_type_argument_and_header_conflict() -> None:
    with pytest.raises(ValueError, match="Content-Type"):
        exc.HTTPNotFound(headers={"Content-Type": "text/html"}, content_type="text/x")


def test_default_text_keeps_header_content_type_and_adds_charset() -> None:
    e = exc.HTTPNotFound(headers={"content-type": "application/json"})
    assert e.headers["Content-Type"] == "application/json; charset=utf-8"
    assert e.text == "404: Not Found"


def test_content_type_argument_without_text() -> None:
    e = exc.HTTPConflict(content_type="application/problem+json")
    assert e.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert e.text == "409: Conflict"


def test_text_uses_charset_of_header() -> None:
    e = exc.HTTPNotFound(text="café", headers={"Content-Type": 'text/html; Charset="ISO-8859-1"'})
    assert e.body == "café".encode("latin-1")
    assert e.charset == "ISO-8859-1"
    assert e.content_type == "text/html"
    assert e.text == "café"


def test_unknown_charset() -> None:
    with pytest.raises(ValueError, match="unknown charset"):
        exc.HTTPNotFound(text="x", headers={"Content-Type": "text/plain; charset=nope"})


def test_text_and_body_setters() -> None:
    e = exc.HTTPBadRequest(body=b"x")
    e.text = "now text"
    assert e.body == b"now text"
    assert e.headers["Content-Type"] == "text/plain; charset=utf-8"
    e.body = None
    assert e.text is None
    opaque = exc.HTTPBadRequest(body=b"x", content_type="application/octet-stream")
    opaque.text = "readable"
    assert opaque.headers["Content-Type"] == "text/plain; charset=utf-8"
    with pytest.raises(TypeError):
        e.text = 1  # type: ignore[assignment]


def test_headers_input_kinds() -> None:
    md: CIMultiDict[str] = CIMultiDict([("A", "1"), ("a", "2")])
    assert exc.HTTPOk(headers=md).headers.getall("A") == ["1", "2"]
    assert exc.HTTPOk(headers=[("B", "1"), ("B", "2")]).headers.getall("b") == [
        "1",
        "2",
    ]
    source = {"C": "1"}
    e = exc.HTTPOk(headers=source)
    e.headers["C"] = "changed"
    assert source == {"C": "1"}


def test_empty_body_classes_with_explicit_text() -> None:
    # Like aiohttp the text is kept; a server must still not send it (RFC 9110).
    e = exc.HTTPNoContent(text="ignored")
    assert e.empty_body
    assert e.body == b"ignored"


@pytest.mark.parametrize("cls", MOVES, ids=[c.__name__ for c in MOVES])
def test_redirect_location(cls: type[exc.HTTPMove]) -> None:
    e = cls("/path with space?q=ü")
    assert e.location == "/path with space?q=ü"
    assert e.headers["Location"] == "/path%20with%20space?q=%C3%BC"
    assert e.text == f"{cls.status_code}: {e.reason}"
    assert "location='/path with space?q=ü'" in repr(e)
    url = URLObject("https://Example.com:443/a b")
    e2 = cls(url, headers={"Location": "/old"})
    assert e2.location is url
    assert e2.headers.getall("Location") == ["https://example.com/a%20b"]


@pytest.mark.parametrize("cls", MOVES, ids=[c.__name__ for c in MOVES])
@pytest.mark.parametrize("location", ["", URLObject(""), None])
def test_redirect_needs_location(cls: type[exc.HTTPMove], location: object) -> None:
    with pytest.raises(ValueError, match="location"):
        cls(location)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "location", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "/a\x00", "/\tb", "/\x7f"]
)
def test_redirect_location_controls_refused(location: str) -> None:
    with pytest.raises(ValueError, match="Location"):
        exc.HTTPFound(location)


def test_redirect_location_invalid_url() -> None:
    with pytest.raises(ValueError):
        exc.HTTPFound("http://[::1")


def test_not_modified_is_not_a_move() -> None:
    e = exc.HTTPNotModified()
    assert not isinstance(e, exc.HTTPMove)
    assert "Location" not in e.headers
    assert e.body is None


def test_method_not_allowed() -> None:
    e = exc.HTTPMethodNotAllowed("patch", iter(["PUT", "GET", "DELETE", "GET"]))
    assert e.method == "PATCH"
    assert e.allowed_methods == {"PUT", "GET", "DELETE"}
    assert e.headers["Allow"] == "DELETE,GET,PUT"
    assert e.text == "405: Method Not Allowed"
    assert "method='PATCH'" in repr(e)


def test_method_not_allowed_overrides_allow_header_and_empty_set() -> None:
    e = exc.HTTPMethodNotAllowed("GET", [], headers={"Allow": "X"})
    assert e.headers.getall("Allow") == [""]
    assert e.allowed_methods == set()


def test_method_not_allowed_refuses_bad_method_names() -> None:
    with pytest.raises(ValueError):
        exc.HTTPMethodNotAllowed("GET", ["GET\r\nX-Evil: 1"])


def test_request_entity_too_large() -> None:
    e = exc.HTTPRequestEntityTooLarge(max_size=100, actual_size=250)
    assert e.text == "Maximum request body size 100 exceeded."
    assert e.max_size == 100
    assert e.actual_size == 250
    assert str(e) == e.reason
    assert exc.HTTPRequestEntityTooLarge(5).actual_size == 0
    assert exc.HTTPRequestEntityTooLarge(5, text="too big").text == "too big"
    assert exc.HTTPRequestEntityTooLarge(5, body=b"raw").body == b"raw"


def test_unavailable_for_legal_reasons() -> None:
    e = exc.HTTPUnavailableForLegalReasons("https://example.org/a b")
    # As given, like HTTPMove.location; aiohttp returns yarl.URL(link) here.
    assert e.link == "https://example.org/a b"
    assert e.headers["Link"] == '<https://example.org/a%20b>; rel="blocked-by"'
    url = URLObject("http://bücher.example/ä")
    e2 = exc.HTTPUnavailableForLegalReasons(url)
    assert e2.link is url
    assert e2.headers["Link"] == '<http://xn--bcher-kva.example/%C3%A4>; rel="blocked-by"'
    for empty in (None, ""):
        plain = exc.HTTPUnavailableForLegalReasons(empty)
        assert plain.link is None
        assert "Link" not in plain.headers
    with pytest.raises(ValueError):
        exc.HTTPUnavailableForLegalReasons("https://e.org/\r\nX: y")
    # A host with ">" would end the <...> of the Link field early.
    with pytest.raises(ValueError, match="Link"):
        exc.HTTPUnavailableForLegalReasons("http://a>b/")
    with pytest.raises(TypeError):
        exc.HTTPUnavailableForLegalReasons(b"https://e.org/")
