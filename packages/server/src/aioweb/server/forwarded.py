"""RFC 7239 ``Forwarded`` header parsing.

The result only reports what the headers say: any client can send a Forwarded
header, so nothing here is trusted or applied to the request's host, scheme or
remote address. A proxy-aware application decides which elements to believe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import MappingProxyType

__all__ = ["parse_forwarded"]

# RFC 9110 5.6.2 token, 5.6.4 quoted-string (qdtext and quoted-pair, obs-text included).
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t !-~\x80-\xff])*"'
# forwarded-pair = token "=" value. An unquoted IPv4 "for=1.2.3.4:80" is not
# valid (":" is not a token character) but common, so a trailing port is accepted.
_PAIR_RE = re.compile(rf"({_TOKEN})=({_TOKEN}|{_QUOTED})(:[0-9]{{1,5}})?")
_ESCAPE_RE = re.compile(r"\\(.)")


def _parse_field(field: str, out: list[MappingProxyType[str, str]]) -> None:
    element: dict[str, str] = {}
    out.append(MappingProxyType(element))
    length = len(field)
    pos = 0
    need_separator = False
    while 0 <= pos < length:
        char = field[pos]
        if char == ",":  # next forwarded-element
            element = {}
            out.append(MappingProxyType(element))
            need_separator = False
            pos += 1
        elif char == ";":  # next forwarded-pair
            need_separator = False
            pos += 1
        elif char in " \t":  # tolerated between pairs too (Postel)
            pos += 1
        else:
            match = None if need_separator else _PAIR_RE.match(field, pos)
            if match is None:
                # Bad syntax: drop the rest of this element.
                pos = field.find(",", pos)
                continue
            name, value, port = match.groups()
            if value.startswith('"'):
                value = _ESCAPE_RE.sub(r"\1", value[1:-1])
            if port:
                value += port
            element[name.lower()] = value
            pos = match.end()
            need_separator = True


def parse_forwarded(values: Iterable[str]) -> tuple[MappingProxyType[str, str], ...]:
    """Parse every ``Forwarded`` field value, in order, into one mapping per element.

    Each comma-separated element (one per proxy, the client's nearest first)
    becomes an immutable mapping of lowercased parameter names to values, quoted
    strings unescaped. A malformed pair ends its element (keeping the pairs before
    it); parsing resumes at the next comma. ``by``/``for``/``host``/``proto``
    contents are not validated. No header gives ``()``.
    """
    out: list[MappingProxyType[str, str]] = []
    for field in values:
        _parse_field(field, out)
    return tuple(out)
