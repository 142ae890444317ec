"""The Host field and request-target authorities (RFC 9110 4.2, 7.2; RFC 9112 3.2).

A server must answer 400 to a request whose Host value is invalid (RFC 9112 3.2). The
check matters beyond the letter of the RFC: a request's URL is built from this value
when a handler asks for it, and a value that cannot form one would otherwise fail
there, as a 500 and a logged traceback per request, for any client who sends it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from yarl import URL

__all__ = ["is_valid_host"]

# uri-host [ ":" port ]; uri-host = IP-literal / IPv4address / reg-name     (RFC 3986 3.2)
# An IPv4address is also a reg-name, and so is the empty host (RFC 9112 3.2 allows an
# empty Host when the target has no authority). Userinfo ("user@") is never allowed.
_IP_LITERAL: Final = r"\[([0-9A-Fa-f:.]++)\]|\[[vV][0-9A-Fa-f]++\.[-A-Za-z0-9._~!$&'()*+,;=:]++\]"
_REG_NAME_CHAR: Final = r"[-A-Za-z0-9._~!$&'()*+,;=]|%[0-9A-Fa-f]{2}"
_PORT: Final = r"(?::([0-9]*+))?"
_HOST: Final = re.compile(rf"(?:{_IP_LITERAL}|(?:{_REG_NAME_CHAR})*+){_PORT}")
# Non-ASCII names should come as punycode, but some clients send them raw and aiohttp
# accepts them (IDNA-encoded in the URL): allowed here when IDNA can encode them. Lone
# surrogates (bytes that were not UTF-8) never can.
_HOST_INTL: Final = re.compile(
    rf"(?:{_IP_LITERAL}|(?:{_REG_NAME_CHAR}|[^\x00-\x7f\ud800-\udfff])*+){_PORT}"
)

# Clients send the same few Host values over and over: each is checked once. Bounded,
# so that a client sending endless distinct values only costs the check.
_valid: Final[set[str]] = set()
_VALID_MAX: Final = 256


def is_valid_host(value: str) -> bool:
    """Whether ``value`` is a valid Host field value (``uri-host [":" port]``).

    The host is an IP literal, an IPv4 address or a registered name (raw non-ASCII names
    are accepted when IDNA can encode them); the port, if any, is at most 65535. A valid
    value always forms a :class:`yarl.URL` authority, so a request URL built from it
    never fails.
    """
    if value in _valid:
        return True
    m = (_HOST if value.isascii() else _HOST_INTL).fullmatch(value)
    if m is None:
        return False
    literal, port = m.groups()
    if port:
        digits = port.lstrip("0")
        if len(digits) > 5 or (digits and int(digits) > 65535):
            return False
    if literal is not None:
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
    try:
        # what building request.url asks of it (yarl parses some parts lazily)
        url = URL.build(scheme="http", authority=value)
        url.host  # noqa: B018
        url.port  # noqa: B018
    except (ValueError, UnicodeError):
        return False
    if len(_valid) >= _VALID_MAX:
        _valid.clear()
    _valid.add(value)
    return True
