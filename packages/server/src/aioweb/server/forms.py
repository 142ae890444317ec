"""``application/x-www-form-urlencoded`` request bodies."""

from __future__ import annotations

from urllib.parse import parse_qsl

from multidict import MultiDict

from aioweb.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

__all__ = ["parse_urlencoded", "too_many_fields"]


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
    :class:`~aioweb.exceptions.HTTPBadRequest`. More than *max_fields* fields
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
        raise HTTPBadRequest(text=f"Unknown form charset {charset!r}.") from None
    except (UnicodeDecodeError, ValueError):
        raise HTTPBadRequest(text=f"Form data is not valid {charset}.") from None
    return MultiDict(pairs)
