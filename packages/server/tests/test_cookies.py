"""aioweb.server.cookies: Cookie parsing, Set-Cookie building."""

from __future__ import annotations

import logging
import pickle
import time
from http.cookies import CookieError, Morsel, SimpleCookie

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.server.cookies import (
    COOKIE_EPOCH,
    cookie_header_values,
    del_cookie,
    parse_cookie_header,
    set_cookie,
)

# --- request side ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ("a=b", {"a": "b"}),
        ("a=b; c=d", {"a": "b", "c": "d"}),
        ("a=b;c=d", {"a": "b", "c": "d"}),
        (" a = b ; c=d ", {"a": "b", "c": "d"}),
        (";;;a=1;;", {"a": "1"}),
        ("a", {"a": ""}),
        ("a=b; c", {"a": "b", "c": ""}),
        ("a=", {"a": ""}),
        ('a=""', {"a": ""}),
        ("a=b=c", {"a": "b=c"}),
        ("a=b,c=d", {"a": "b,c=d"}),
        # browsers keep spaces inside a value; only ";" separates pairs
        ("a=b c=d", {"a": "b c=d"}),
        # quoted values: unquoted, may hold ";", escapes decoded
        ('a="x;y"; b=2', {"a": "x;y", "b": "2"}),
        ('a="x\\"y"', {"a": 'x"y'}),
        ('a="\\073"', {"a": ";"}),
        ('a="x" ; b=1', {"a": "x", "b": "1"}),
        # a broken quote is kept verbatim up to the next ";"
        ('a="unterminated; b=2', {"a": '"unterminated', "b": "2"}),
        ('a="q"junk; b=2', {"a": '"q"junk', "b": "2"}),
        # bad names are skipped, the rest survives
        ("bad name=1; ok=2", {"ok": "2"}),
        ("=x; b=1", {"b": "1"}),
        ('"q"=1; b=1', {"b": "1"}),
        ("a\\b=1; b=1", {"b": "1"}),
        # names browsers really send
        ("$Version=1; a=b", {"$Version": "1", "a": "b"}),
        ("{x}[y](z)=1", {"{x}[y](z)": "1"}),
        ("path=1; secure", {"path": "1", "secure": ""}),
        # later duplicates win, as in aiohttp
        ("a=1; a=2", {"a": "2"}),
        ("a=\xe9; b=1", {"a": "\xe9", "b": "1"}),
    ],
)
def test_parse_cookie_header(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab=;" \\\t,x\x00\xe9'), max_size=60))
def test_parse_cookie_header_never_raises(header: str) -> None:
    result = parse_cookie_header(header)
    assert all(name and ";" not in name and "=" not in name for name in result)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_parse_cookie_header_never_raises_any_text(header: str) -> None:
    parse_cookie_header(header)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[A-Za-z0-9_\-]{1,10}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9_\-.]{0,10}", fullmatch=True),
        max_size=8,
    )
)
def test_parse_cookie_header_round_trip(cookies: dict[str, str]) -> None:
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    assert parse_cookie_header(header) == cookies


@pytest.mark.parametrize(
    "header",
    [
        'a="' * 4000,  # every pair opens a quote that never closes
        'a="\\' * 3000,
        "a=" + '"x' * 4000,
        ";" * 8000,
        "x" * 8000,
        'a="' + "\\;" * 4000,
    ],
)
def test_parse_cookie_header_is_linear_on_hostile_input(header: str) -> None:
    start = time.perf_counter()
    for _ in range(10):
        parse_cookie_header(header)
    assert time.perf_counter() - start < 1.0


def test_parse_cookie_header_does_not_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    parse_cookie_header("; ".join(f"bad name{i}=x" for i in range(500)))
    assert caplog.records == []


# --- response side -------------------------------------------------------------------


def test_set_cookie_basic() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "name", "value")
    assert cookie_header_values(jar) == ["name=value; Path=/"]
    assert isinstance(jar["name"], Morsel)


def test_set_cookie_all_attributes() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(
        jar,
        "n",
        "v",
        expires="Thu, 01 Jan 2030 00:00:00 GMT",
        domain="example.com",
        max_age=10,
        path="/p",
        secure=True,
        httponly=True,
        version="1",
        samesite="Lax",
        partitioned=True,
    )
    (value,) = cookie_header_values(jar)
    parts = value.split("; ")
    assert parts[0] == "n=v"
    assert set(parts[1:]) == {
        "expires=Thu, 01 Jan 2030 00:00:00 GMT",
        "Domain=example.com",
        "Max-Age=10",
        "Path=/p",
        "Secure",
        "HttpOnly",
        "Version=1",
        "SameSite=Lax",
        "Partitioned",
    }


def test_set_cookie_partitioned_false_is_omitted() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "n", "v", partitioned=False, secure=False)
    assert cookie_header_values(jar) == ["n=v; Path=/"]


def test_set_cookie_quotes_special_values() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "n", "a b;c")
    assert cookie_header_values(jar) == ['n="a b\\073c"; Path=/']
    assert jar["n"].value == "a b;c"


def test_set_cookie_updates_keep_earlier_attributes() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "n", "1", domain="a.example", httponly=True, max_age=5)
    set_cookie(jar, "n", "2")
    (value,) = cookie_header_values(jar)
    # None keeps domain/httponly; max_age=None drops Max-Age (as aiohttp)
    assert value == "n=2; Domain=a.example; HttpOnly; Path=/"


def test_set_cookie_illegal_name() -> None:
    jar: SimpleCookie = SimpleCookie()
    with pytest.raises(CookieError):
        set_cookie(jar, "bad name", "v")
    with pytest.raises(CookieError):
        set_cookie(jar, "a;b", "v")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"domain": "a\r\nSet-Cookie: evil=1"},
        {"path": "/; HttpOnly"},
        {"path": "/\n"},
        {"expires": "x\rY"},
        {"samesite": "Lax; Secure"},
        {"max_age": "1; Domain=evil"},
        {"version": "\x00"},
    ],
)
def test_set_cookie_rejects_attribute_injection(kwargs: dict[str, str]) -> None:
    jar: SimpleCookie = SimpleCookie()
    with pytest.raises(ValueError, match="forbidden character"):
        set_cookie(jar, "n", "v", **kwargs)  # type: ignore[arg-type]
    assert "n" not in jar


def test_cookie_header_values_rejects_tampered_jar() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["n"] = "v"
    jar["n"]["domain"] = "a\r\nX-Evil: 1"
    with pytest.raises(ValueError, match="invalid Set-Cookie"):
        cookie_header_values(jar)


def test_del_cookie() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "n", "v", httponly=True)
    del_cookie(jar, "n")
    assert cookie_header_values(jar) == [
        f'n=""; expires={COOKIE_EPOCH}; Max-Age=0; Path=/',
    ]


def test_del_cookie_with_attributes() -> None:
    jar: SimpleCookie = SimpleCookie()
    del_cookie(jar, "n", domain="example.com", path="/x", secure=True, samesite="Strict")
    (value,) = cookie_header_values(jar)
    assert set(value.split("; ")) == {
        'n=""',
        f"expires={COOKIE_EPOCH}",
        "Max-Age=0",
        "Domain=example.com",
        "Path=/x",
        "Secure",
        "SameSite=Strict",
    }


def test_set_after_del_drops_the_epoch_expiry() -> None:
    jar: SimpleCookie = SimpleCookie()
    del_cookie(jar, "n")
    set_cookie(jar, "n", "back")
    assert cookie_header_values(jar) == ["n=back; Path=/"]


def test_jar_with_partitioned_cookie_pickles_and_copies() -> None:
    jar: SimpleCookie = SimpleCookie()
    set_cookie(jar, "n", "v", partitioned=True)
    clone = pickle.loads(pickle.dumps(jar))
    assert cookie_header_values(clone) == cookie_header_values(jar)
    assert jar["n"].copy()["partitioned"] is True
    assert "Partitioned" in jar.output()


def test_plain_simplecookie_entries_are_output() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["plain"] = "1"
    set_cookie(jar, "other", "2")
    assert cookie_header_values(jar) == ["plain=1", "other=2; Path=/"]
