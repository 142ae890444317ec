"""aioweb.server.forwarded: RFC 7239 parsing (reporting only, never trusting)."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.server.forwarded import parse_forwarded


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], ()),
        (
            ["for=192.0.2.60;proto=http;by=203.0.113.43"],
            ({"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"},),
        ),
        (['for="_gazonk"'], ({"for": "_gazonk"},)),
        (['For="[2001:db8:cafe::17]:4711"'], ({"for": "[2001:db8:cafe::17]:4711"},)),
        (["for=192.0.2.43, for=198.51.100.17"], ({"for": "192.0.2.43"}, {"for": "198.51.100.17"})),
        # one mapping per element, across several header fields, in order
        (["for=a", "for=b, for=c"], ({"for": "a"}, {"for": "b"}, {"for": "c"})),
        # names are lowercased; the last duplicate wins
        (["FOR=a;For=b"], ({"for": "b"},)),
        # quoted-pair escapes are undone
        (['for="a\\"b\\\\c"'], ({"for": 'a"b\\c'},)),
        (['host="a,b";proto=https'], ({"host": "a,b", "proto": "https"},)),
        # a port after an unquoted value (common, though not valid syntax)
        (["for=1.2.3.4:65535;proto=https"], ({"for": "1.2.3.4:65535", "proto": "https"},)),
        # whitespace is tolerated between pairs
        (["for=a ; proto=http ,\tfor=b"], ({"for": "a", "proto": "http"}, {"for": "b"})),
        # bad syntax ends that element only; parsing resumes at the next comma
        (["for=a;garbage;proto=http, for=b"], ({"for": "a"}, {"for": "b"})),
        (["for=a proto=http, for=b"], ({"for": "a"}, {"for": "b"})),
        (['for="unterminated, for=b'], ({}, {"for": "b"})),
        (["bad syntax"], ({},)),
        ([""], ({},)),
        ([",,"], ({}, {}, {})),
        (["for=\u0661:\u0662"], ({},)),
    ],
)
def test_parse_forwarded(values: list[str], expected: tuple[dict[str, str], ...]) -> None:
    result = parse_forwarded(values)
    assert tuple(dict(element) for element in result) == expected
    assert all(isinstance(element, MappingProxyType) for element in result)


def test_elements_are_read_only() -> None:
    (element,) = parse_forwarded(["for=a"])
    with pytest.raises(TypeError):
        element["for"] = "b"  # type: ignore[index]


def test_accepts_any_iterable() -> None:
    assert parse_forwarded(iter(["for=a"])) == (MappingProxyType({"for": "a"}),)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('for=ab;,"\\ :1\t'), max_size=40), max_size=3))
def test_never_raises(values: list[str]) -> None:
    result = parse_forwarded(values)
    assert len(result) >= len(values)


def test_linear_on_long_input() -> None:
    header = ", ".join(f"for=h{i};proto=http" for i in range(3000))
    assert len(parse_forwarded([header])) == 3000
