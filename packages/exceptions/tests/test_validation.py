"""No response splitting: reason phrases and header fields are checked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aioweb.exceptions as exc

CONTROLS = [chr(c) for c in (*range(0x09), *range(0x0A, 0x20), 0x7F, 0x85)]
CONTROLS += ["\u2028", "\u2029"]


@pytest.mark.parametrize("char", CONTROLS, ids=[hex(ord(c)) for c in CONTROLS])
def test_reason_controls(char: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        exc.HTTPNotFound(reason=f"Not{char}Found")


@pytest.mark.parametrize("char", CONTROLS, ids=[hex(ord(c)) for c in CONTROLS])
def test_header_value_controls(char: str) -> None:
    with pytest.raises(ValueError, match="X-A"):
        exc.HTTPNotFound(headers={"X-A": f"1{char}2"})


@pytest.mark.parametrize(
    "name", ["", "X A", "X:A", "X\r\nA", "X\x00", "Ünï", "(x)", "a/b", "X\tA", 'x"']
)
def test_header_names_must_be_tokens(name: str) -> None:
    with pytest.raises(ValueError, match="token"):
        exc.HTTPOk(headers={name: "v"})


def test_header_types() -> None:
    with pytest.raises(TypeError):
        exc.HTTPOk(headers={"X-N": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        exc.HTTPOk(reason=b"OK")  # type: ignore[arg-type]


def test_content_type_argument_checked() -> None:
    with pytest.raises(ValueError):
        exc.HTTPOk(content_type="text/html\r\nX-Evil: 1")


def test_allowed_values() -> None:
    e = exc.HTTPOk(
        reason="Fine\tand dandy ünïcode",
        headers={"X-Weird!#$%&'*+-.^_`|~09az": "tab\tspace obs-text \xff é"},
    )
    assert e.reason == "Fine\tand dandy ünïcode"
    assert e.headers["x-weird!#$%&'*+-.^_`|~09AZ"] == "tab\tspace obs-text \xff é"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_reason_property(reason: str) -> None:
    unsafe = any(c in CONTROLS or 0x80 <= ord(c) <= 0x9F for c in reason)
    if unsafe:
        with pytest.raises(ValueError):
            exc.HTTPBadRequest(reason=reason)
    else:
        e = exc.HTTPBadRequest(reason=reason)
        assert e.reason == reason
        assert "\r" not in e.reason
        assert "\n" not in e.reason
