"""Checks that keep status lines and header fields free of injection.

A reason phrase or header that carries CR or LF would let a caller split the
response (CVE-2026-34520 class); NUL and the other controls confuse parsers
downstream. The grammar follows RFC 9110 section 5 and RFC 9112 section 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

from multidict import CIMultiDict

__all__ = (
    "LooseHeaders",
    "check_header",
    "check_reason",
    "check_url",
    "make_headers",
)

LooseHeaders: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]
"""Headers as a mapping (``dict``, ``CIMultiDict``, ...) or ``(name, value)`` pairs."""

# token = 1*tchar (RFC 9110 section 5.6.2)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# Everything a field value or reason phrase may not hold: C0 controls except
# HTAB, DEL, the C1 controls (some decoders treat U+0085 as a line break) and
# the Unicode line/paragraph separators.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def check_reason(reason: str) -> None:
    """Raise ``ValueError`` unless *reason* is a safe reason phrase."""
    if not isinstance(reason, str):
        raise TypeError(f"reason must be str, not {type(reason).__name__}")
    bad = _FORBIDDEN.search(reason)
    if bad is not None:
        raise ValueError(f"reason contains a control character {bad.group()!r}")


def check_header(name: str, value: str) -> None:
    """Raise ``ValueError`` unless *name* is a token and *value* a safe field value."""
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError(f"header name and value must be str, got {name!r}: {value!r}")
    if _TOKEN.fullmatch(name) is None:
        raise ValueError(f"header name {name!r} is not an RFC 9110 token")
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        raise ValueError(f"value of header {name!r} contains a control character {bad.group()!r}")


def check_url(name: str, value: str) -> None:
    """Raise ``ValueError`` if the URL text for header *name* holds a control or TAB.

    yarl silently drops TAB, CR and LF the way browsers do; a caller passing
    them is almost certainly forwarding hostile input, so refuse it instead.
    """
    check_header(name, value)
    if "\t" in value:
        raise ValueError(f"value of header {name!r} contains a control character '\\t'")


def make_headers(headers: LooseHeaders | None) -> CIMultiDict[str]:
    """Copy *headers* into a new ``CIMultiDict``, checking every field."""
    result: CIMultiDict[str] = CIMultiDict()
    if headers is None:
        return result
    # items() keeps repeated names of a multidict, unlike iterating keys.
    pairs: Iterable[tuple[str, str]] = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        check_header(name, value)
        result.add(name, value)
    return result
