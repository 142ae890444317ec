"""is_valid_host: the Host values a server accepts (RFC 9110 7.2, RFC 9112 3.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from aioweb.http import _host, is_valid_host


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "www.example.com:8080",
        "127.0.0.1",
        "127.0.0.1:65535",
        "[::1]",
        "[::1]:443",
        "[2001:db8::7]:8000",
        "[::ffff:1.2.3.4]",
        "x:",  # port = *DIGIT
        "x:0080",
        "",  # an empty Host, as sent for a target without authority
        "a_b.example",
        "%41.example",
        "xn--9ca.com",
        "café.com",  # raw non-ASCII: not RFC 3986, but IDNA can encode it (aiohttp accepts it)
    ],
)
def test_valid(value: str) -> None:
    assert is_valid_host(value)


@pytest.mark.parametrize(
    "value",
    [
        "x:65536",
        "x:99999",
        "x:" + "9" * 5000,  # never int() on a huge string
        "x:abc",
        "x:-1",
        "x:8080:1",
        "ex ample.com",
        "a/b",
        "a?b",
        "a#b",
        "a\\b",
        "user@example.com",
        "%zz.example",
        "[::1",
        "::1",
        "[zz]",
        "[::1::2]",
        "[127.0.0.1]",
        "\udcff\udcfe",  # bytes that were not UTF-8 (the parser's surrogateescape)
        "é" * 64 + ".com",  # a label IDNA cannot encode
        "a\tb",
        '"x"',
    ],
)
def test_invalid(value: str) -> None:
    assert not is_valid_host(value)


@given(st.text(max_size=40))
def test_any_text_is_either_rejected_or_forms_a_url(value: str) -> None:
    if is_valid_host(value):
        url = URL.build(scheme="http", authority=value).join(URL("/p"))
        assert url.port is not None
        assert str(url)
        assert url.path == "/p"


_LABEL = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?", fullmatch=True)


@given(
    st.one_of(
        st.lists(_LABEL, min_size=1, max_size=4).map(".".join),
        st.ip_addresses(v=4).map(str),
        st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
    ),
    st.none() | st.integers(0, 65535),
)
def test_well_formed_hosts_are_valid(host: str, port: int | None) -> None:
    value = host if port is None else f"{host}:{port}"
    assert is_valid_host(value)
    url = URL.build(scheme="http", authority=value)
    assert url.host is not None


def test_the_cache_of_valid_values_is_bounded() -> None:
    for i in range(3 * _host._VALID_MAX):
        assert is_valid_host(f"host{i}.example")
    assert 0 < len(_host._valid) <= _host._VALID_MAX
    assert not is_valid_host("x:99999")  # an invalid value is never cached
    assert "x:99999" not in _host._valid
