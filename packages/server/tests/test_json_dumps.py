"""aioweb.server._json.dumps gives exactly what json.dumps gives, text and errors."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioweb.server import json_response
from aioweb.server._json import dumps

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities included: json.dumps allows them by default
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=20,
)


@given(JSON)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value)


@pytest.mark.parametrize(
    "value",
    ["caf\u00e9 \U0001f600", 1.5, math.inf, -0.0, {1: "int key", None: "none key"}, [], {}],
)
def test_edge_values(value: Any) -> None:
    assert dumps(value) == json.dumps(value)


def _error(call: Any, value: Any) -> tuple[type[BaseException], str]:
    with pytest.raises((TypeError, ValueError)) as info:
        call(value)
    return type(info.value), str(info.value)


def test_same_errors_as_json_dumps() -> None:
    circular: list[Any] = []
    circular.append(circular)
    for value in (circular, {"a": object()}, {(1, 2): "tuple key"}, {1, 2}):
        assert _error(dumps, value) == _error(json.dumps, value)
    # a failed call leaves nothing behind: the next one is not taken for a cycle
    shared = [1]
    assert dumps([shared, shared]) == "[[1], [1]]"


def test_json_response_uses_it_only_for_json_dumps() -> None:
    assert json_response({"a": "\u00e9"}).text == json.dumps({"a": "\u00e9"})
    custom = json_response({"a": 1}, dumps=lambda obj: json.dumps(obj, separators=(",", ":")))
    assert custom.text == '{"a":1}'
