"""Side by side with aiohttp 3.14's web exceptions.

Needs aiohttp, which only the default (development) environment installs; the
solo environment skips this module as a whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

import aioweb.exceptions as exc

aiohttp_web_exceptions = pytest.importorskip("aiohttp.web_exceptions")

MakeExc = Callable[..., exc.HTTPException]

# Codes that aioweb adds on top of aiohttp's set.
EXTRA = {207, 208, 226, 418, 423, 425, 508}
NAMES = list(aiohttp_web_exceptions.__all__)
CONCRETE = [n for n in NAMES if getattr(aiohttp_web_exceptions, n).status_code > 0]


def test_every_aiohttp_name_exists() -> None:
    missing = [n for n in NAMES if not hasattr(exc, n)]
    assert missing == []
    assert set(NAMES) <= set(exc.__all__)


def test_status_codes_match() -> None:
    theirs = {getattr(aiohttp_web_exceptions, n).status_code: n for n in CONCRETE}
    ours = {code: cls.__name__ for code, cls in exc.status_exceptions.items()}
    assert {c: n for c, n in ours.items() if c not in EXTRA} == theirs


def test_hierarchy_matches() -> None:
    for name in NAMES:
        theirs = getattr(aiohttp_web_exceptions, name)
        ours = getattr(exc, name)
        their_bases = {b.__name__ for b in theirs.__mro__ if b.__name__ in NAMES}
        our_bases = {b.__name__ for b in ours.__mro__ if b.__name__ in NAMES}
        assert our_bases == their_bases, name
        assert ours.empty_body == theirs.empty_body, name


def _pair(name: str, **kwargs: Any) -> tuple[Any, exc.HTTPException]:
    ours_cls = getattr(exc, name)
    theirs_cls = getattr(aiohttp_web_exceptions, name)
    args: tuple[Any, ...] = ()
    if issubclass(ours_cls, exc.HTTPMove):
        args = ("/a b/ü?x=1",)
    elif ours_cls is exc.HTTPMethodNotAllowed:
        args = ("put", ["GET", "POST", "HEAD"])
    elif ours_cls is exc.HTTPRequestEntityTooLarge:
        args = (1000, 2000)
    elif ours_cls is exc.HTTPUnavailableForLegalReasons:
        args = ("https://example.org/blocked by",)
    with warnings.catch_warnings():
        # aiohttp deprecates body=; aioweb keeps it without a warning.
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs = theirs_cls(*args, **kwargs)
    return theirs, ours_cls(*args, **kwargs)


KWARGS: list[dict[str, Any]] = [
    {},
    {"reason": "Custom"},
    {"text": "héllo", "content_type": "text/html"},
    {"headers": {"X-A": "1", "Content-Type": "application/json"}},
    {"content_type": "application/json"},
    {"body": b"\x00\x01", "content_type": "application/octet-stream"},
    {"body": b"raw"},
]


@pytest.mark.parametrize("kwargs", KWARGS, ids=[str(k) for k in KWARGS])
@pytest.mark.parametrize("name", CONCRETE)
def test_instances_match(name: str, kwargs: dict[str, Any]) -> None:
    if name == "HTTPRequestEntityTooLarge" and "body" in kwargs:
        # aiohttp fills in text= and then refuses body+text; aioweb takes the body.
        with pytest.raises(ValueError, match="body and text"):
            _pair(name, **kwargs)
        assert exc.HTTPRequestEntityTooLarge(1, **kwargs).body == kwargs["body"]
        return
    theirs, ours = _pair(name, **kwargs)
    assert ours.status == theirs.status
    assert ours.reason == theirs.reason
    assert str(ours) == str(theirs)
    assert ours.args == theirs.args
    assert ours.body == theirs.body
    assert ours.text == theirs.text
    assert list(ours.headers.items()) == list(theirs.headers.items())
    if "Content-Type" in ours.headers:
        assert ours.content_type == theirs.content_type
        assert ours.charset == theirs.charset
    for attr in ("location", "method", "allowed_methods"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr
    if name == "HTTPUnavailableForLegalReasons":
        # Deliberate: .link is the value as given (a yarl.URL would need yarl);
        # aiohttp wraps it in yarl.URL. The Link headers are equal (above).
        assert ours.link == "https://example.org/blocked by"  # type: ignore[attr-defined]
        assert str(theirs.link) == "https://example.org/blocked%20by"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": b"a", "text": "b"},
        {"text": "x", "content_type": "text/plain; charset=utf-8"},
        {"reason": "a\r\nb"},
    ],
)
def test_same_errors(kwargs: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError):
            aiohttp_web_exceptions.HTTPNotFound(**kwargs)
    with pytest.raises(ValueError):
        exc.HTTPNotFound(**kwargs)


@pytest.mark.parametrize("location", ["", None])
def test_same_redirect_errors(location: Any) -> None:
    with pytest.raises(ValueError):
        aiohttp_web_exceptions.HTTPFound(location)
    with pytest.raises(ValueError):
        exc.HTTPFound(location)


def test_not_a_response() -> None:
    from aiohttp import web

    assert issubclass(aiohttp_web_exceptions.HTTPNotFound, web.Response)
    assert not issubclass(exc.HTTPNotFound, web.StreamResponse)
    assert exc.HTTPNotFound.__mro__[-3:] == (Exception, BaseException, object)
