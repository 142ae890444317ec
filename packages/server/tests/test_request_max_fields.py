"""``BaseRequest(client_max_fields=N)``: ``post()`` refuses more than N form fields.

Status and text as aiohttp's ``web_request``: 413, "Maximum number of form fields N
exceeded.", for urlencoded and multipart bodies; 0 or less means no limit.
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from aioweb.exceptions import HTTPRequestEntityTooLarge
from aioweb.http.message import RequestHead
from aioweb.server import BaseRequest
from aioweb.server.streams import StreamReader

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=BB"


class _Protocol:
    transport = None


def post_request(content_type: str, body: bytes, **kwargs: Any) -> BaseRequest:
    headers = CIMultiDict({"Host": "h", "Content-Type": content_type})
    head = RequestHead.build("POST", "/", headers, content_length=len(body))
    stream = StreamReader()
    stream.feed_data(body)
    stream.feed_eof()
    none: Any = None  # post() touches neither the writer nor the task
    return BaseRequest(head, stream, _Protocol(), none, none, **kwargs)  # type: ignore[arg-type]


def urlencoded(n: int) -> bytes:
    return "&".join(f"f{i}={i}" for i in range(n)).encode()


def multipart(n: int) -> bytes:
    parts = b"".join(
        b'--BB\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(n)
    )
    return parts + b"--BB--\r\n"


def test_default_is_aiohttps_1000() -> None:
    assert post_request(URLENCODED, b"").client_max_fields == 1000


@pytest.mark.parametrize(
    ("content_type", "make"), [(URLENCODED, urlencoded), (MULTIPART, multipart)]
)
async def test_n_fields_pass_and_one_more_is_413(content_type: str, make: Any) -> None:
    ok = post_request(content_type, make(3), client_max_fields=3)
    assert ok.client_max_fields == 3
    assert len(await ok.post()) == 3
    over = post_request(content_type, make(4), client_max_fields=3)
    with pytest.raises(HTTPRequestEntityTooLarge) as error:
        await over.post()
    assert error.value.status == 413
    assert error.value.text == "Maximum number of form fields 3 exceeded."


@pytest.mark.parametrize(
    ("content_type", "make"), [(URLENCODED, urlencoded), (MULTIPART, multipart)]
)
@pytest.mark.parametrize("limit", [0, -1])
async def test_zero_or_less_is_no_limit(content_type: str, make: Any, limit: int) -> None:
    request = post_request(content_type, make(1500), client_max_fields=limit)
    assert len(await request.post()) == 1500


async def test_clone_keeps_or_replaces_client_max_fields() -> None:
    request = post_request(URLENCODED, urlencoded(3), client_max_fields=5)
    assert request.clone().client_max_fields == 5
    clone = request.clone(client_max_fields=2)
    assert clone.client_max_fields == 2
    with pytest.raises(HTTPRequestEntityTooLarge) as error:
        await clone.post()
    assert error.value.text == "Maximum number of form fields 2 exceeded."
