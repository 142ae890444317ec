"""json_response / json_bytes_response: the same responses as the constructor builds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aioweb.server import Response, json_bytes_response, json_response


def same(a: Response, b: Response) -> None:
    assert list(a.headers.items()) == list(b.headers.items())
    assert (a.body, a.status, a.reason, a.charset, a.content_type) == (
        b.body,
        b.status,
        b.reason,
        b.charset,
        b.content_type,
    )


@pytest.mark.parametrize("data", [{"a": 1}, [1, "é"], None, "text", 3.5])
@pytest.mark.parametrize(("status", "reason"), [(200, None), (201, "Made"), (299, None)])
def test_data_gives_the_constructor_response(data: Any, status: int, reason: str | None) -> None:
    built = Response(
        text=json.dumps(data), status=status, reason=reason, content_type="application/json"
    )
    same(json_response(data, status=status, reason=reason), built)


def test_text_and_custom_content_type_and_dumps() -> None:
    same(
        json_response(text="[1]", content_type="application/vnd.api+json"),
        Response(text="[1]", content_type="application/vnd.api+json"),
    )
    resp = json_response({"b": 2, "a": 1}, dumps=lambda d: json.dumps(d, sort_keys=True))
    assert resp.text == '{"a": 1, "b": 2}'


def test_headers_and_body_take_the_constructor() -> None:
    resp = json_response([1], headers={"X-A": "1"})
    assert resp.headers["X-A"] == "1"
    assert resp.content_type == "application/json"
    assert json_response(body=b"[2]").body == b"[2]"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": 1000}, ValueError),
        ({"reason": "a\r\nb"}, ValueError),
        ({"content_type": "application/json; charset=latin-1"}, ValueError),
        ({"dumps": lambda d: b"[1]"}, TypeError),  # text must be str, as in aiohttp
        ({"text": "[1]"}, ValueError),  # data and text together
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        json_response([1], **kwargs)


def test_json_bytes_response() -> None:
    resp = json_bytes_response({"a": 1})
    assert resp.body == b'{"a":1}'
    assert resp.content_type == "application/json"
    assert resp.charset is None
