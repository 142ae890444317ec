"""RFC 9110 / 9112 grammar pieces shared by the parser and the serialiser.

Each pattern is compiled once; all are ASCII-only (``re.ASCII`` or explicit byte ranges),
so no Unicode digit or letter ever matches where the RFC means ASCII.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "FIELD_VALUE_FORBIDDEN",
    "TOKEN",
    "TOKEN_BYTES",
    "is_token",
    "is_valid_field_value",
]

# token = 1*tchar ; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
#                          / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA      (RFC 9110 5.6.2)
_TCHAR: Final = r"!#$%&'*+\-.^_`|~0-9A-Za-z"
TOKEN: Final = re.compile(rf"[{_TCHAR}]+", re.ASCII)
TOKEN_BYTES: Final = re.compile(rf"[{_TCHAR}]+".encode(), re.ASCII)

# A field value may hold VCHAR, obs-text, SP and HTAB (RFC 9110 5.5); CR, LF, NUL and the
# other controls are never allowed, on input or on output (response splitting, smuggling).
FIELD_VALUE_FORBIDDEN: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def is_token(value: str) -> bool:
    """Whether ``value`` is a non-empty RFC 9110 token."""
    return TOKEN.fullmatch(value) is not None


def is_valid_field_value(value: str) -> bool:
    """Whether ``value`` may be sent as a field value (no CR, LF, NUL or other control)."""
    return FIELD_VALUE_FORBIDDEN.search(value) is None
