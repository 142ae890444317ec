"""The URL text of Location and Link, encoded without yarl.

Every expected value in ``SAME_AS_YARL`` is what ``str(yarl.URL(text))`` gives
(yarl 1.25), i.e. what aiohttp sends. ``tests-integration/exceptions`` compares
with yarl itself on generated input; this module runs without yarl installed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aioweb.exceptions as exc
from aioweb.exceptions._location import encode_url, url_header_value

PACKAGE = Path(__file__).resolve().parents[1]

SAME_AS_YARL = [
    # ASCII URLs that are already valid pass unchanged.
    ("/login", "/login"),
    ("https://example.com/a/b?x=1&y=2#top", "https://example.com/a/b?x=1&y=2#top"),
    ("/a;b,c/~d/'e'/(f)*!$", "/a;b,c/~d/'e'/(f)*!$"),
    ("mailto:a@b", "mailto:a@b"),
    ("javascript:alert(1)", "javascript:alert(1)"),
    # Non-ASCII characters: percent-encoded UTF-8 in every component.
    ("/ünïcode path?q=ä", "/%C3%BCn%C3%AFcode%20path?q=%C3%A4"),
    ("/中文?中=文#文", "/%E4%B8%AD%E6%96%87?%E4%B8%AD=%E6%96%87#%E6%96%87"),
    ("/😀", "/%F0%9F%98%80"),
    ("http://h/\u00a0\ufeff", "http://h/%C2%A0%EF%BB%BF"),
    ("http://us er:pä ss@h/", "http://us%20er:p%C3%A4%20ss@h/"),
    ("mailto:ä@ü.de", "mailto:%C3%A4@%C3%BC.de"),
    # Characters a component cannot hold raw.
    ("/a b", "/a%20b"),
    ("/a<b>c", "/a%3Cb%3Ec"),
    ("/a{b}c|d^e`f", "/a%7Bb%7Dc%7Cd%5Ee%60f"),
    ("/a[b]c", "/a%5Bb%5Dc"),
    ('/a"b', "/a%22b"),
    ("/a\\b", "/a%5Cb"),  # not "//b": a browser would read "/\\evil" as "//evil"
    ("?a[b]=c d", "?a%5Bb%5D=c+d"),  # a space in the query is "+"
    ("?a+b=c", "?a+b=c"),
    ("#frag ment", "#frag%20ment"),
    ("/p#a#b", "/p#a%23b"),
    ("/p?x#y?z", "/p?x#y?z"),
    ("/a?b?c", "/a?b?c"),
    # Escapes: valid ones kept (hex upper-cased), unreserved ones decoded, bad ones escaped.
    ("/a%20b", "/a%20b"),
    ("/%2f", "/%2F"),
    ("/a%2Fb", "/a%2Fb"),
    ("/%41%7e", "/A~"),
    ("/%e4%b8%ad", "/%E4%B8%AD"),
    ("/%C3%28", "/%C3("),
    ("/%FF", "/%FF"),
    ("/%zz", "/%25zz"),
    ("/%", "/%25"),
    ("/%4", "/%254"),
    ("/%%41", "/%25A"),
    ("/a%3Ab", "/a:b"),
    ("/%2B%26%3D%3B%24%40%3A%2F%3F%23%5B%5D", "/%2B&=;$@:%2F%3F%23%5B%5D"),
    ("?a%3Fb%2F%40%3A%23%25%2B%20%26", "?a?b/@:%23%25%2B%20%26"),
    ("?q=%zz", "?q=%25zz"),
    ("?a=%2b", "?a=%2B"),
    ("#%23%3F%2B%3D%20", "#%23?+=%20"),
    ("#%2F", "#/"),
    # Scheme and host are lower-cased, default ports dropped, others kept.
    ("HTTP://Example.COM:80/X", "http://example.com/X"),
    ("HTTPS://U:P@H:443/", "https://U:P@h/"),
    ("https://h:80/", "https://h:80/"),
    ("http://h:8080", "http://h:8080"),
    ("http://h:0080", "http://h"),
    ("http://h:/", "http://h/"),
    ("ws://h:80/", "ws://h/"),
    ("wss://h:443/x", "wss://h/x"),
    ("ftp://h:21/", "ftp://h/"),
    ("foo://h:80/", "foo://h:80/"),
    ("http://[::1]:80", "http://[::1]"),
    ("http://h", "http://h"),
    ("http://h?x=1", "http://h/?x=1"),
    ("http://h#f", "http://h/#f"),
    ("http://h/p?", "http://h/p"),
    ("http://h/p#", "http://h/p"),
    # Userinfo.
    ("http://user:p%40ss@h/", "http://user:p%40ss@h/"),
    ("http://u:p:q@h/", "http://u:p%3Aq@h/"),
    ("http://a@b@h/", "http://a%40b@h/"),
    ("http://@h/", "http://h/"),
    ("http://:@h/", "http://:@h/"),
    ("http://u%41@h/", "http://uA@h/"),
    # IP literals: IPv6 compressed and lower-cased, RFC 6874 zones kept.
    ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
    ("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"),
    ("http://[fe80::1%25eth0]:8080/", "http://[fe80::1%25eth0]:8080/"),
    ("http://127.0.0.1:80/", "http://127.0.0.1/"),
    ("http://A%2Fb/", "http://a%2fb/"),
    # Internationalised hosts: IDNA (punycode).
    ("http://bücher.de/", "http://xn--bcher-kva.de/"),
    ("http://BÜCHER.de/x", "http://xn--bcher-kva.de/x"),
    ("http://ÜBER.example/", "http://xn--ber-goa.example/"),
    ("http://мойдомен.рф/путь", "http://xn--d1acklchcc.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"),
    ("http://例え.テスト/", "http://xn--r8jz45g.xn--zckzah/"),
    ("http://ß.de/", "http://xn--zca.de/"),
    ("http://ΑΣ.gr/", "http://xn--mxa0b.gr/"),
    ("http://σς.gr/", "http://xn--3xab.gr/"),
    ("http://İ.com/", "http://xn--i-9bb.com/"),
    ("http://\uff21\uff22\uff23.com/", "http://abc.com/"),
    ("http://ĳ.com/", "http://ij.com/"),
    ("http://bücher。de/", "http://xn--bcher-kva.de/"),
    ("http://bücher.de./", "http://xn--bcher-kva.de./"),
    ("http://😀.com/", "http://xn--e28h.com/"),
    ("http://xn--bcher-kva.DE/", "http://xn--bcher-kva.de/"),
    ("http://Ü.DE:8080", "http://xn--tda.de:8080"),
    # Dot segments: resolved when there is an authority, kept in a relative reference.
    ("http://h/a/../b", "http://h/b"),
    ("http://h/a/./b/", "http://h/a/b/"),
    ("http://h/../a", "http://h/a"),
    ("http://h/a/..", "http://h/"),
    ("http://h/a/b/./../c/.", "http://h/a/c/"),
    ("http://h/%2e%2e/a", "http://h/a"),
    ("http://h/a/.../b", "http://h/a/.../b"),
    ("//h/a/../b", "//h/b"),
    ("/a/../b", "/a/../b"),
    ("../up", "../up"),
    ("./x", "./x"),
    ("/%2e%2e/a", "/../a"),
    # Relative references.
    ("?x=1", "?x=1"),
    ("#frag", "#frag"),
    ("//h/path", "//h/path"),
    ("//h", "//h"),
    ("//h?x", "//h/?x"),
    ("///a", "/a"),
    ("%61:b", "a%3Ab"),  # "a:b" would read as a scheme
    ("a b:c", "a%20b:c"),
    ("localhost:8080/x", "localhost:8080/x"),  # a scheme, as for yarl
    # Odd forms, as yarl writes them.
    ("http:x", "http:///x"),
    ("http:/x", "http:///x"),
    ("http:", "http://"),
    ("http://", "http://"),
    ("foo:///x", "foo:/x"),
    ("file:///etc/passwd", "file:///etc/passwd"),
    ("data:text/plain,hi there", "data:text/plain,hi%20there"),
    ("  /a ", "/a%20"),
]


@pytest.mark.parametrize(("text", "expected"), SAME_AS_YARL)
def test_same_as_yarl(text: str, expected: str) -> None:
    assert encode_url(text) == expected
    assert exc.HTTPFound(text).headers["Location"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://[::1",
        "http://[::1]x/",
        "http://x[::1]/",
        "http://[a]@h/",
        "http://h\\a",
        "http://h:abc/",
        "http://h:65536/",
        "http://h:-1/",
        "http://:80/",
        "http://u@/",
        "http://a..ü/",
        "http://" + "ü" * 70 + ".de/",
        "http://e\u200bvil.com/",
        "http://ü\u00ad.com/",
        "http://\uff41\uff0fb.com/",
    ],
)
def test_refused_like_yarl(text: str) -> None:
    with pytest.raises(ValueError):
        encode_url(text)
    with pytest.raises(ValueError, match="Location"):
        exc.HTTPFound(text)


# Where aioweb deliberately differs from str(yarl.URL(text)); docs/packages/exceptions.rst
# lists each. The second item is yarl's result, kept to show what would have gone out.
DIFFERENCES = [
    # A host with characters no host has: yarl writes them raw, an invalid header
    # whose space or ">" ends the URL early (in a Link field, the <...>).
    ("http://ex ample.com/", "http://ex ample.com/"),
    ("http://a<b>/", "http://a<b>/"),
    ("http://a%zz/", "http://a%zz/"),
    ('http://a"b/', 'http://a"b/'),
    ("http://\uff41\uff1cb.com/", "http://a<b.com/"),
    # A bracketed host that is no IPv6 address: yarl drops the brackets.
    ("http://[::g]/", "http://::g/"),
    # A zone without RFC 6874's "%25", or an empty one.
    ("http://[fe80::1%eth0]/", "http://[fe80::1%eth0]/"),
    ("http://[fe80::1%25]/", "http://[fe80::1%25]/"),
    # A port that only int() reads as one.
    ("http://h: 80/", "http://h/"),
    ("http://h:+80/", "http://h/"),
    ("http://h:8_0/", "http://h/"),
    ("http://h:\u0668\u0660/", "http://h/"),
    # A lone surrogate: yarl drops it.
    ("/\ud800x", "/x"),
]


@pytest.mark.parametrize(("text", "yarl_result"), DIFFERENCES)
def test_refused_where_yarl_writes_something(text: str, yarl_result: str) -> None:
    with pytest.raises(ValueError):
        encode_url(text)
    with pytest.raises(ValueError, match="Location"):
        exc.HTTPFound(text)


def test_ip_future_keeps_its_brackets() -> None:
    # yarl writes "http://v1.abc/": another host.
    assert encode_url("http://[v1.abc]:8080/") == "http://[v1.abc]:8080/"


def test_idna_without_validity_rules() -> None:
    # yarl (the idna package, IDNA 2008) refuses a label that starts with a digit
    # and holds a right-to-left letter; aioweb maps and encodes without those rules.
    assert encode_url("http://1\u05d0.com/") == "http://xn--1-0hc.com/"
    # IDNA 2008 refuses emoji; yarl then falls back to IDNA 2003, which maps "ß" to
    # "ss" ("xn--ss-oo82a.de"). aioweb keeps "ß" as IDNA 2008 does.
    assert encode_url("http://ß😀.de/") == "http://xn--zca2967w.de/"


@pytest.mark.parametrize("text", ["?", "#", "?#", "   ", "//", " ?"])
def test_a_location_that_encodes_to_nothing_is_refused(text: str) -> None:
    # yarl gives "", so aiohttp sent an empty Location (this same document).
    assert encode_url(text) == ""
    with pytest.raises(ValueError, match="empty"):
        exc.HTTPFound(text)
    with pytest.raises(ValueError, match="empty"):
        exc.HTTPUnavailableForLegalReasons(text)


class URLObject:
    """Anything whose str() is a URL: yarl.URL, httpx.URL, a user's own class."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def test_url_objects_are_read_through_str() -> None:
    url = URLObject("http://bücher.de/ä")
    e = exc.HTTPSeeOther(url)
    assert e.location is url
    assert e.headers["Location"] == "http://xn--bcher-kva.de/%C3%A4"
    assert "location='http://bücher.de/ä'" in repr(e)
    # A yarl.URL built with encoded=True may hold raw spaces; aiohttp sent them as is.
    assert exc.HTTPFound(URLObject("/a b")).headers["Location"] == "/a%20b"


@pytest.mark.parametrize("value", [b"/a", bytearray(b"/a"), memoryview(b"/a")])
def test_bytes_are_refused(value: object) -> None:
    # str(b"/a") is "b'/a'", not a URL; yarl refused bytes too.
    with pytest.raises(TypeError, match="Location"):
        exc.HTTPFound(value)


def test_url_header_value_names_the_header() -> None:
    with pytest.raises(ValueError, match="Link"):
        url_header_value("Link", "http://h:x/")
    assert url_header_value("Link", "/ä") == "/%C3%A4"


# Any text the control check lets through (no C0/C1 controls, DEL, U+2028/9, surrogates).
LOCATION_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cs", "Zl", "Zp"),
        include_characters=" ",
    )
    | st.sampled_from("/?#%:@[].!$&'()*+,;=~-_ AbZ09\\ü😀中"),
    max_size=40,
)
URI_REFERENCE_TEXT = set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)


@settings(max_examples=500, deadline=None)
@given(LOCATION_TEXT | LOCATION_TEXT.map(lambda t: "http://h/" + t))
def test_output_is_a_uri_reference_and_stable(text: str) -> None:
    try:
        encoded = encode_url(text)
    except ValueError:
        return
    assert set(encoded) <= URI_REFERENCE_TEXT, encoded
    for pos, char in enumerate(encoded):
        if char == "%":
            assert all(c in "0123456789ABCDEFabcdef" for c in encoded[pos + 1 : pos + 3]), encoded
            assert len(encoded[pos + 1 : pos + 3]) == 2, encoded
    # A yarl.URL is passed through str() and encoded again: that must change nothing.
    assert encode_url(encoded) == encoded


def test_package_declares_multidict_only() -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    names = [d.split(">")[0].split("=")[0].split("<")[0].strip() for d in project["dependencies"]]
    assert names == ["multidict"]


def test_no_module_imports_yarl() -> None:
    for path in sorted((PACKAGE / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "yarl" for m in modules), path


def test_works_with_yarl_blocked() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["yarl"] = None  # any "import yarl" now raises ImportError
        import aioweb.exceptions as exc
        e = exc.HTTPFound("http://bücher.de/ä b?q=ü")
        assert e.headers["Location"] == "http://xn--bcher-kva.de/%C3%A4%20b?q=%C3%BC"
        l = exc.HTTPUnavailableForLegalReasons("/ä")
        assert l.headers["Link"] == '</%C3%A4>; rel="blocked-by"'
        assert sys.modules["yarl"] is None
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
