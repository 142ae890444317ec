"""``application/x-www-form-urlencoded`` request bodies."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from multidict import MultiDict

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

__all__ = ["BadJSON", "MalformedBody", "UnknownCharset", "parse_urlencoded", "too_many_fields"]


class MalformedBody(HTTPBadRequest, ValueError):
    """A form or multipart body that cannot be read as what it claims to be (400).

    Also a :class:`ValueError`: aiohttp raises a ValueError (or a subclass of it)
    there, so a handler written for aiohttp that catches ``ValueError`` still
    catches it, and one that lets it out answers 400 where aiohttp answers 500.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text=text)


class UnknownCharset(MalformedBody, LookupError):
    """A charset Python does not know; also a :class:`LookupError`, as in aiohttp."""


class _JSONErrorBase(json.JSONDecodeError):
    # Sits between HTTPException and JSONDecodeError in the MRO: HTTPException
    # passes only the reason up, which JSONDecodeError's own __init__ refuses.
    def __init__(self, *args: object) -> None:
        ValueError.__init__(self, *args)


class BadJSON(MalformedBody, _JSONErrorBase):
    """Content that is not JSON; also the :class:`json.JSONDecodeError` aiohttp raises."""

    def __init__(self, text: str, error: json.JSONDecodeError) -> None:
        super().__init__(text)
        self.msg = error.msg
        self.doc = error.doc
        self.pos = error.pos
        self.lineno = error.lineno
        self.colno = error.colno


def too_many_fields(max_fields: int, actual: int) -> HTTPRequestEntityTooLarge:
    """The error for a form with more than *max_fields* fields (413, as aiohttp)."""
    return HTTPRequestEntityTooLarge(
        max_fields, actual, text=f"Maximum number of form fields {max_fields} exceeded."
    )


def parse_urlencoded(
    body: bytes, *, charset: str = "utf-8", max_fields: int = 1000
) -> MultiDict[str]:
    """Decode a urlencoded form body into a ``MultiDict`` of ``str``.

    Semantics of ``urllib.parse.parse_qsl(keep_blank_values=True)``: ``+`` is a
    space, ``a`` alone is ``("a", "")``, empty ``&&`` members are dropped. Trailing
    whitespace of the body is ignored, as aiohttp does. The body and every
    percent-decoded name and value must be valid in *charset*, otherwise
    :class:`MalformedBody` (an ``HTTPBadRequest`` and a ``ValueError``; an
    unknown charset is also a ``LookupError``). More than *max_fields* fields
    (counted before any decoding; ``0`` or less means no limit) raises
    :class:`~aioweb.exceptions.HTTPRequestEntityTooLarge`.
    """
    body = body.rstrip()
    if not body:
        return MultiDict()
    if max_fields > 0:
        # parse_qsl would count the same way, but only after decoding everything.
        fields = body.count(b"&") + 1
        if fields > max_fields:
            raise too_many_fields(max_fields, fields)
    try:
        text = body.decode(charset)
        pairs = parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
    except LookupError:
        raise UnknownCharset(f"Unknown form charset {charset!r}.") from None
    except (UnicodeDecodeError, ValueError):
        raise MalformedBody(f"Form data is not valid {charset}.") from None
    return MultiDict(pairs)
