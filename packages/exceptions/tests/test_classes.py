"""Every concrete class: status, reason, default body, headers, str/repr, pickling."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from http import HTTPStatus

import pytest
from multidict import CIMultiDict

import aioweb.exceptions as exc

MakeExc = Callable[..., exc.HTTPException]

CONCRETE = list(exc.status_exceptions.values())
ABSTRACT = [
    exc.HTTPException,
    exc.HTTPError,
    exc.HTTPSuccessful,
    exc.HTTPRedirection,
    exc.HTTPMove,
    exc.HTTPClientError,
    exc.HTTPServerError,
]
EMPTY = {204, 205, 304}
ids = [c.__name__ for c in CONCRETE]


def test_all_is_complete_and_sorted() -> None:
    public = {n for n in dir(exc) if n.startswith("HTTP")}
    assert public <= set(exc.__all__)
    assert list(exc.__all__) == sorted(exc.__all__)
    for name in exc.__all__:
        assert getattr(exc, name) is not None


def test_mapping_covers_every_standard_status() -> None:
    standard = {s.value for s in HTTPStatus if 200 <= s.value < 600}
    assert set(exc.status_exceptions) == standard
    assert list(exc.status_exceptions) == sorted(exc.status_exceptions)
    with pytest.raises(TypeError):
        exc.status_exceptions[999] = exc.HTTPOk  # type: ignore[index]


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
def test_family(cls: type[exc.HTTPException]) -> None:
    code = cls.status_code
    family = {
        2: exc.HTTPSuccessful,
        3: exc.HTTPRedirection,
        4: exc.HTTPClientError,
        5: exc.HTTPServerError,
    }[code // 100]
    assert issubclass(cls, family)
    assert issubclass(cls, Exception)
    assert issubclass(cls, exc.HTTPError) == (code >= 400)
    assert exc.status_exceptions[code] is cls
    assert cls.status == code
    assert cls.empty_body == (code in EMPTY)
    assert cls.__doc__
    assert cls.__doc__.startswith(str(code))
    assert issubclass(cls, exc.HTTPMove) == (code in {300, 301, 302, 303, 305, 307, 308})


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
def test_defaults(cls: type[exc.HTTPException], make_exc: MakeExc) -> None:
    e = make_exc(cls)
    phrase = HTTPStatus(cls.status_code).phrase
    assert e.status == e.status_code == cls.status_code
    assert e.reason == phrase
    assert str(e) == phrase
    assert e.args == (phrase,)
    assert bool(e) is True
    assert isinstance(e.headers, CIMultiDict)
    assert repr(e).startswith(f"<{cls.__name__} {cls.status_code} {phrase!r}")
    if cls.empty_body:
        assert e.body is None
        assert e.text is None
        assert e.content_type is None
        assert e.charset is None
        assert "Content-Type" not in e.headers
    else:
        expected = f"{cls.status_code}: {phrase}"
        if cls is exc.HTTPRequestEntityTooLarge:
            expected = "Maximum request body size 1024 exceeded."
        assert e.text == expected
        assert e.body == expected.encode()
        assert e.content_type == "text/plain"
        assert e.charset == "utf-8"
        assert e.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
def test_custom_fields(cls: type[exc.HTTPException], make_exc: MakeExc) -> None:
    e = make_exc(
        cls,
        reason="Custom Reason",
        headers=[("X-Tag", "a"), ("x-tag", "b")],
        text="<p>hi é</p>",
        content_type="text/html",
    )
    assert e.reason == str(e) == "Custom Reason"
    assert e.headers.getall("X-TAG") == ["a", "b"]
    assert e.text == "<p>hi é</p>"
    assert e.body == "<p>hi é</p>".encode()
    assert e.content_type == "text/html"
    assert e.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
def test_raise_and_catch(cls: type[exc.HTTPException], make_exc: MakeExc) -> None:
    with pytest.raises(exc.HTTPException) as info:
        raise make_exc(cls)
    assert info.value.status == cls.status_code


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle(cls: type[exc.HTTPException], make_exc: MakeExc, protocol: int) -> None:
    e = make_exc(cls, reason="Why Not", headers={"X-A": "1"}, body=b"\x00raw")
    e.add_note("context")
    back = pickle.loads(pickle.dumps(e, protocol=protocol))
    assert type(back) is cls
    assert back.status == cls.status_code
    assert back.reason == str(back) == "Why Not"
    assert back.args == e.args
    assert back.body == b"\x00raw"
    assert list(back.headers.items()) == list(e.headers.items())
    assert isinstance(back.headers, CIMultiDict)
    assert back.__notes__ == ["context"]
    assert vars(back).keys() == vars(e).keys()
    assert repr(back) == repr(e)


@pytest.mark.parametrize("cls", CONCRETE, ids=ids)
def test_copy(cls: type[exc.HTTPException], make_exc: MakeExc) -> None:
    e = make_exc(cls)
    clone = copy.deepcopy(e)
    clone.headers["X-Only-Clone"] = "1"
    assert "X-Only-Clone" not in e.headers
    assert clone.reason == e.reason
    assert clone.body == e.body


@pytest.mark.parametrize("cls", ABSTRACT, ids=[c.__name__ for c in ABSTRACT])
def test_abstract_classes_refuse_instances(cls: type[exc.HTTPException]) -> None:
    assert cls.status_code == cls.status == -1
    args = ("/x",) if cls is exc.HTTPMove else ()
    with pytest.raises(TypeError, match="no status code"):
        cls(*args)


class HTTPEnhanceYourCalm(exc.HTTPClientError):
    status_code = 420


def test_user_subclass_with_own_status() -> None:
    e = HTTPEnhanceYourCalm()
    assert e.status == HTTPEnhanceYourCalm.status == 420
    assert e.reason == ""
    assert e.text == "420: "
    assert 420 not in exc.status_exceptions
    back = pickle.loads(pickle.dumps(HTTPEnhanceYourCalm(reason="Calm")))
    assert back.status == 420
    assert back.reason == "Calm"


def test_user_subclass_setting_status_only() -> None:
    class Legacy(exc.HTTPServerError):
        status = 599

    assert Legacy.status_code == 599
    assert Legacy().text == "599: "
