"""``HTTPException`` and the abstract classes of each status family."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from multidict import CIMultiDict

from ._validation import LooseHeaders, check_header, check_reason, make_headers

__all__ = (
    "HTTPClientError",
    "HTTPError",
    "HTTPException",
    "HTTPRedirection",
    "HTTPServerError",
    "HTTPSuccessful",
)

_CONTENT_TYPE = "Content-Type"
_BodyInput = bytes | bytearray | memoryview
CookieChange = tuple[str, str | None, dict[str, Any]]


def default_reason(status: int) -> str:
    """The standard reason phrase for *status*, as Python's ``http.HTTPStatus`` has it."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _split_content_type(value: str) -> tuple[str, dict[str, str]]:
    media_type, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for item in rest.split(";"):
        key, sep, val = item.partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return media_type.strip().lower(), params


def _restore(
    cls: type[HTTPException], args: tuple[Any, ...], state: dict[str, Any]
) -> HTTPException:
    # Bypass __init__: subclasses take different positional arguments
    # (location, method, ...), and the state is already validated.
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class HTTPException(Exception):
    """Base of every HTTP status exception.

    Raise a concrete subclass (``HTTPNotFound``, ``HTTPFound``, ...) from a
    handler; the server answers with its status, reason, headers and body.
    It is a plain exception, not a response object.

    :param headers: extra response headers; every name must be an RFC 9110
        token and no value may hold CR, LF, NUL or another control character.
    :param reason: the reason phrase; defaults to the standard one.
    :param body: the response body as bytes (a str is taken as *text*, as aiohttp takes it).
    :param text: the response body as text, encoded with the charset of the
        Content-Type (UTF-8 unless a Content-Type header says otherwise).
    :param content_type: media type without parameters (``text/html``); with
        *text* it gets ``; charset=utf-8`` appended.

    Without *body* and *text* the body is ``"<status>: <reason>"`` as
    ``text/plain; charset=utf-8``, except for classes whose :attr:`empty_body`
    is true (204, 205, 304), which carry no body.

    Class attributes, also readable on instances: ``status_code`` (the
    status; -1 on the abstract classes), ``status`` (the same, under the name
    aiohttp's responses use) and ``empty_body`` (true if responses with this
    status never carry a body).
    """

    status_code: ClassVar[int] = -1
    """The HTTP status code of the class; -1 on the abstract classes."""
    status: ClassVar[int] = -1
    """Same as :attr:`status_code` (the name aiohttp's responses use)."""
    empty_body: ClassVar[bool] = False
    """True if responses with this status never carry a body (RFC 9110)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "status_code" not in cls.__dict__ and "status" in cls.__dict__:
            cls.status_code = cls.status
        cls.status = cls.status_code

    def __init__(
        self,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        body: _BodyInput | str | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        status = type(self).status_code
        if not 100 <= status <= 999:
            raise TypeError(f"{type(self).__name__} has no status code: raise a concrete subclass")
        if reason is None:
            reason = default_reason(status)
        else:
            check_reason(reason)
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if content_type is not None:
            if "charset" in content_type:
                raise ValueError("charset must not be in content_type argument")
            check_header(_CONTENT_TYPE, content_type)
        real_headers = make_headers(headers)
        if content_type is not None and _CONTENT_TYPE in real_headers:
            raise ValueError("passing both a Content-Type header and content_type is not allowed")

        super().__init__(reason)
        self._reason = reason
        self._headers = real_headers
        self._body: bytes | None = None
        self._cookie_changes: list[CookieChange] = []

        if text is None and body is None and not self.empty_body:
            # The default page goes through the text setter, which relabels
            # application/octet-stream as text/plain (aiohttp does the same).
            if content_type is not None:
                real_headers[_CONTENT_TYPE] = content_type
            self.text = f"{status}: {reason}"
        elif text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text must be str, not {type(text).__name__}")
            if _CONTENT_TYPE in real_headers:
                self.text = text
            else:  # the caller's content_type is kept as given, as in aiohttp
                real_headers[_CONTENT_TYPE] = f"{content_type or 'text/plain'}; charset=utf-8"
                self._body = text.encode()
        else:
            if content_type is not None:
                real_headers[_CONTENT_TYPE] = content_type
            self.body = body

    @property
    def reason(self) -> str:
        """The reason phrase of the status line."""
        return self._reason

    @property
    def headers(self) -> CIMultiDict[str]:
        """The response headers; mutable, so a server must check them again on output."""
        return self._headers

    @property
    def body(self) -> bytes | None:
        """The response body, or ``None`` when there is none."""
        return self._body

    @body.setter
    def body(self, value: _BodyInput | str | None) -> None:
        if value is None:
            self._body = None
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._body = bytes(value)
        elif isinstance(value, str):  # as aiohttp takes it: text in the Content-Type's charset
            self.text = value
        else:
            raise TypeError(f"body must be bytes-like, str or None, not {type(value).__name__}")

    def set_cookie(self, name: str, value: str, **attributes: Any) -> None:
        """Send a ``Set-Cookie`` field with the answer (a login redirect, say).

        Takes the keyword arguments of ``StreamResponse.set_cookie`` (``expires``,
        ``domain``, ``max_age``, ``path``, ``secure``, ``httponly``, ``version``,
        ``samesite``, ``partitioned``). The server builds the field, and checks it,
        when it turns the exception into its response.
        """
        self._cookie_changes.append((name, value, attributes))

    def del_cookie(self, name: str, **attributes: Any) -> None:
        """Tell the client to delete a cookie (see :meth:`set_cookie`)."""
        self._cookie_changes.append((name, None, attributes))

    @property
    def cookie_changes(self) -> tuple[CookieChange, ...]:
        """What :meth:`set_cookie` and :meth:`del_cookie` asked for, in order.

        Each is ``(name, value, attributes)``; ``value`` is ``None`` for a deletion.
        """
        return tuple(self._cookie_changes)

    @property
    def text(self) -> str | None:
        """The body decoded with :attr:`charset` (UTF-8 if none), or ``None``."""
        if self._body is None:
            return None
        return self._body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"text must be str, not {type(value).__name__}")
        current = self._headers.get(_CONTENT_TYPE)
        # Text labelled as opaque bytes would be wrong; aiohttp relabels too.
        if current is None or current.strip().lower() == "application/octet-stream":
            current = "text/plain"
            self._headers[_CONTENT_TYPE] = current
        _, params = _split_content_type(current)
        charset = params.get("charset")
        if charset is None:
            charset = "utf-8"
            self._headers[_CONTENT_TYPE] = f"{current}; charset={charset}"
        try:
            self._body = value.encode(charset)
        except LookupError:
            raise ValueError(f"unknown charset {charset!r} in Content-Type") from None

    @property
    def content_type(self) -> str | None:
        """The media type of the Content-Type header, lower-cased, or ``None``."""
        value = self._headers.get(_CONTENT_TYPE)
        if value is None:
            return None
        return _split_content_type(value)[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of the Content-Type header, or ``None``."""
        value = self._headers.get(_CONTENT_TYPE)
        if value is None:
            return None
        return _split_content_type(value)[1].get("charset")

    def __bool__(self) -> bool:
        return True

    def _repr_details(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self._reason!r}{self._repr_details()}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, self.__dict__.copy()))


class HTTPSuccessful(HTTPException):
    """Base class of the 2xx statuses."""


class HTTPRedirection(HTTPException):
    """Base class of the 3xx statuses."""


class HTTPError(HTTPException):
    """Base class of the 4xx and 5xx statuses."""


class HTTPClientError(HTTPError):
    """Base class of the 4xx statuses."""


class HTTPServerError(HTTPError):
    """Base class of the 5xx statuses."""
