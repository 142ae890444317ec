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


# --- request parser additions -------------------------------------------------------------

# field-line = field-name ":" OWS field-value OWS                (RFC 9112 5)
# field-value holds VCHAR, obs-text, SP and HTAB; no whitespace before the colon.
SINGLE_FIELD_LINE: Final = re.compile(
    rf"([{_TCHAR}]+):[ \t]*((?:[ \t]*+[\x21-\x7e\x80-\xff]++)*+)[ \t]*".encode(), re.ASCII
)

# chunk-size [ chunk-ext ]                                      (RFC 9112 7.1, 7.1.1)
# chunk-size = 1*HEXDIG (at most 16 digits here); chunk-ext = *( BWS ";" BWS ext-name
# [ BWS "=" BWS ext-val ] ); ext-val = token / quoted-string. No CR, LF or NUL anywhere.
_QDTEXT: Final = r"\t !#-\[\]-~\x80-\xff"
_QUOTED_PAIR: Final = r"\\[\t -~\x80-\xff]"
CHUNK_LINE: Final = re.compile(
    (
        rf"([0-9A-Fa-f]{{1,16}})"
        rf"(?:[ \t]*;[ \t]*[{_TCHAR}]+"
        rf'(?:[ \t]*=[ \t]*(?:[{_TCHAR}]+|"(?:[{_QDTEXT}]|{_QUOTED_PAIR})*"))?)*'
    ).encode("latin-1"),
    re.ASCII,
)
