"""Cookies: the request ``Cookie`` header in, ``Set-Cookie`` values out.

Requests: :func:`parse_cookie_header` is lenient like a browser. It skips pairs
it cannot use, never raises and never logs per bad cookie (a header full of
junk must not become a log storm), and its work is linear in the header size.

Responses keep aiohttp's type, :class:`http.cookies.SimpleCookie`; the helpers
here add what it lacks: the ``Partitioned`` attribute on Python < 3.14, refusal of
attribute values that would inject attributes or header lines, and validated
output.
"""

from __future__ import annotations

import re
from http.cookies import Morsel, SimpleCookie

__all__ = [
    "COOKIE_EPOCH",
    "cookie_header_values",
    "del_cookie",
    "parse_cookie_header",
    "set_cookie",
]

#: The ``expires`` value that :func:`del_cookie` sends, as aiohttp does.
COOKIE_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"

# Cookie names browsers send in practice: RFC 6265 token characters plus the
# separators real sites use ({}[]()<>=?@:/), as aiohttp accepts them. Excludes
# controls, whitespace, '"', ',', ';' and '\\'.
_NAME_RE = re.compile(r"[!#$%&'()*+\-./0-9:<=>?@A-Z\[\]^_`a-z{|}~]+")
# A complete quoted value; backslash escapes as http.cookies writes them.
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_ESCAPE_RE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")
_WS = " \t"


def _unescape(match: re.Match[str]) -> str:
    octal = match.group(1)
    return chr(int(octal, 8)) if octal else match.group(2)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _ESCAPE_RE.sub(_unescape, value[1:-1])
    return value


def parse_cookie_header(value: str) -> dict[str, str]:
    """Parse a request ``Cookie`` header into ``{name: value}``.

    Pairs are separated by ``;``. A quoted value may contain ``;`` and is
    unquoted (``\\"`` and ``\\073``-style escapes decoded); an unterminated quote
    is kept verbatim up to the next ``;``. A name without ``=`` gets the value
    ``""``; a pair whose name has characters no browser would send is skipped.
    Later duplicates win, as in aiohttp. Never raises.
    """
    cookies: dict[str, str] = {}
    # A quote scan can only fail by reaching the end of the header; after one
    # failure every later scan would too, so skipping them keeps the work linear.
    quotes_unterminated = False
    length = len(value)
    pos = 0
    while pos < length:
        semi = value.find(";", pos)
        if semi == -1:
            semi = length
        eq = value.find("=", pos, semi)
        if eq == -1:
            name, raw = value[pos:semi].strip(_WS), ""
            pos = semi + 1
        else:
            name = value[pos:eq].strip(_WS)
            start = eq + 1
            while start < semi and value[start] in _WS:
                start += 1
            raw = ""
            if start < length and value[start] == '"' and not quotes_unterminated:
                quoted = _QUOTED_RE.match(value, start)
                if quoted is None:
                    quotes_unterminated = True
                else:
                    after = quoted.end()
                    while after < length and value[after] in _WS:
                        after += 1
                    if after == length or value[after] == ";":
                        raw, semi = quoted.group(), after
            if not raw:
                raw = value[start:semi].rstrip(_WS)
            pos = semi + 1
        if name and _NAME_RE.fullmatch(name):
            cookies[name] = _unquote(raw)
    return cookies


class _Morsel(Morsel[str]):
    """A Morsel that knows ``Partitioned`` (CHIPS) on every Python version."""

    _reserved = {**Morsel._reserved, "partitioned": "Partitioned"}  # type: ignore[attr-defined]
    _flags = Morsel._flags | {"partitioned"}  # type: ignore[attr-defined]


# Attribute values end at ";" and header lines at CR/LF: neither may appear in
# a value, nor may other controls (RFC 6265 4.1.1 av-octet excludes CTLs and ";").
_BAD_ATTR_RE = re.compile(r"[\x00-\x1f\x7f;]")
# Whole Set-Cookie value: any control except HTAB would break or split the field.
_BAD_FIELD_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _check_attr(name: str, value: object) -> None:
    # Morsel writes what it is given through str() (an int expires as a date from
    # now), as aiohttp lets it: so check the text that will be written.
    if value is None or (name == "expires" and type(value) is int):
        return
    text = value if isinstance(value, str) else str(value)
    if _BAD_ATTR_RE.search(text):
        raise ValueError(f"cookie attribute {name} has a forbidden character: {text!r}")


def set_cookie(
    jar: SimpleCookie,
    name: str,
    value: str,
    *,
    expires: str | None = None,
    domain: str | None = None,
    max_age: int | str | None = None,
    path: str = "/",
    secure: bool | None = None,
    httponly: bool | None = None,
    version: str | None = None,
    samesite: str | None = None,
    partitioned: bool | None = None,
) -> None:
    """Set or update cookie *name* in *jar* with aiohttp's ``set_cookie`` semantics.

    Attributes left as ``None`` keep what the jar already had for this cookie,
    except that ``max_age=None`` drops an existing Max-Age and a previous
    deletion's 1970 ``expires`` is dropped. Values that are not ``str`` are written
    as :class:`http.cookies.Morsel` writes them (``str()``; an ``int`` expires is
    seconds from now), as in aiohttp. Raises :class:`http.cookies.CookieError`
    for an illegal name and ``ValueError`` when an attribute value (as written)
    holds ``;``, CR, LF or another control character.
    """
    max_age_text = None if max_age is None else str(max_age)
    for attr, attr_value in (
        ("expires", expires),
        ("domain", domain),
        ("max-age", max_age_text),
        ("path", path),
        ("version", version),
        ("samesite", samesite),
    ):
        _check_attr(attr, attr_value)
    real, coded = jar.value_encode(value)
    morsel = _Morsel()
    old = jar.get(name)
    if old is not None:
        for key in _Morsel._reserved:
            if key in old:
                dict.__setitem__(morsel, key, old[key])
    morsel.set(name, real, coded)  # raises CookieError for an illegal name
    if expires is not None:
        morsel["expires"] = expires
    elif morsel.get("expires") == COOKIE_EPOCH:
        morsel["expires"] = ""
    if domain is not None:
        morsel["domain"] = domain
    morsel["max-age"] = "" if max_age_text is None else max_age_text
    morsel["path"] = path
    if secure is not None:
        morsel["secure"] = secure
    if httponly is not None:
        morsel["httponly"] = httponly
    if version is not None:
        morsel["version"] = version
    if samesite is not None:
        morsel["samesite"] = samesite
    if partitioned is not None:
        morsel["partitioned"] = partitioned
    jar[name] = morsel


def del_cookie(
    jar: SimpleCookie,
    name: str,
    *,
    domain: str | None = None,
    path: str = "/",
    secure: bool | None = None,
    httponly: bool | None = None,
    samesite: str | None = None,
) -> None:
    """Replace cookie *name* with an expired, empty one (Max-Age=0, 1970 expiry)."""
    jar.pop(name, None)
    set_cookie(
        jar,
        name,
        "",
        max_age=0,
        expires=COOKIE_EPOCH,
        domain=domain,
        path=path,
        secure=secure,
        httponly=httponly,
        samesite=samesite,
    )


def cookie_header_values(jar: SimpleCookie) -> list[str]:
    """Return one ``Set-Cookie`` field value per cookie in *jar*.

    Raises ``ValueError`` if a value would carry CR, LF or another control
    character (possible when the jar was edited directly), so a response can
    never be split through a cookie.
    """
    values = []
    for morsel in jar.values():
        text = morsel.OutputString()
        if _BAD_FIELD_RE.search(text):
            raise ValueError(f"cookie {morsel.key!r} would produce an invalid Set-Cookie value")
        values.append(text)
    return values
