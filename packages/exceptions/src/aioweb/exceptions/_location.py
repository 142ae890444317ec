"""The URL text of the ``Location`` and ``Link`` headers, with the standard library alone.

aiohttp writes ``str(yarl.URL(location))``. :func:`encode_url` gives the same text
for every realistic location (percent-encoding per component, IDNA hosts, default
ports dropped, dot segments of absolute URLs resolved), so that this package needs
no URL library. Where yarl would write a header that is not a URI reference, or
change the target silently, ``ValueError`` is raised instead; the package
documentation lists those cases.
"""

from __future__ import annotations

import ipaddress
import re
import string
import unicodedata
from typing import TypeAlias
from urllib.parse import scheme_chars, uses_netloc

from ._validation import check_url

__all__ = ("StrOrURL", "encode_url", "url_header_value")

# A location is only ever used through str(), so any URL object works (yarl.URL,
# httpx.URL, ...); naming yarl.URL would need yarl, and a Protocol with __str__
# would admit every object anyway. object is the honest type.
StrOrURL: TypeAlias = object
"""A URL as ``str`` or as an object whose ``str()`` is the URL (``yarl.URL``, ...)."""

_SCHEME_CHARS = frozenset(scheme_chars)
# Schemes that always carry an authority, so "http:x" is written "http:///x" (as yarl does).
_AUTHORITY_SCHEMES = frozenset(s for s in uses_netloc if s)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

# RFC 3986 section 2.
_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_SUB_DELIMS = "!$&'()*+,;="


class _Component:
    """How one URL component is written: which characters stay raw, which escapes decode."""

    def __init__(self, raw: str, decoded: str, *, space_as_plus: bool = False) -> None:
        self.decoded = frozenset(decoded)
        self.space_as_plus = space_as_plus
        # One character outside `raw` (or a "%") per match; escapes first.
        self.pattern = re.compile("%[0-9A-Fa-f]{2}|[^" + re.escape(raw) + "]")

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group()
        if len(found) == 3:
            # Decode the escapes of characters that mean the same raw; keep the
            # others (delimiters, non-ASCII bytes) in upper case.
            char = chr(int(found[1:], 16))
            return char if char in self.decoded else found.upper()
        if found == " " and self.space_as_plus:
            return "+"
        return "".join(f"%{byte:02X}" for byte in found.encode("utf-8"))


# What yarl keeps: "/" and "+" stay escaped in a path (they would change its
# meaning), and "=", "&", ";", "+" in a query; a fragment decodes all of them.
_PATH = _Component(_UNRESERVED + _SUB_DELIMS + ":@/", _UNRESERVED + "!$&'()*,;=:@")
_QUERY = _Component(
    _UNRESERVED + _SUB_DELIMS + ":@/?", _UNRESERVED + "!$'()*,:@/?", space_as_plus=True
)
_FRAGMENT = _Component(_UNRESERVED + _SUB_DELIMS + ":@/?", _UNRESERVED + _SUB_DELIMS + ":@/?")
_USERINFO = _Component(_UNRESERVED + _SUB_DELIMS, _UNRESERVED + _SUB_DELIMS)

_AUTHORITY_END = re.compile("[/?#]")
# reg-name = *( unreserved / pct-encoded / sub-delims ), RFC 3986 section 3.2.2
_REG_NAME = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_IPV_FUTURE = re.compile(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")
_ZONE_ID = re.compile(r"(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+")  # RFC 6874

# Unicode Default_Ignorable_Code_Point, plus U+1806 which nameprep deletes. IDNA
# would drop or fold them, so "e<ZWSP>vil.com" would name another host than the
# text shows; such a host is refused (as yarl does).
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u1806\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def url_header_value(name: str, value: StrOrURL) -> str:
    """Return the encoded URL text that header *name* carries for *value*.

    ``TypeError`` for bytes (their ``str()`` is a repr, not a URL); ``ValueError``
    for control characters, lone surrogates, a URL that cannot be encoded, and one
    that encodes to nothing.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be str or a URL object, not {type(value).__name__}")
    text = value if isinstance(value, str) else str(value)
    check_url(name, text)
    try:
        encoded = encode_url(text)
    except ValueError as exc:
        raise ValueError(f"{name} {text!r} is not a valid URL: {exc}") from None
    if not encoded:
        raise ValueError(f"{name} {text!r} is an empty URL")
    return encoded


def encode_url(text: str) -> str:
    """Percent-encode URL reference *text* as ``str(yarl.URL(text))`` does.

    ``ValueError`` where the text cannot be a URL (a bad port, an unclosed ``[``,
    a backslash in the authority, ...) or would make an invalid header.
    """
    # Leading spaces are dropped and trailing ones encoded, as yarl does (the WHATWG
    # parser strips both).
    text = text.lstrip(" ")
    text.encode("utf-8")  # a lone surrogate: UnicodeEncodeError, a ValueError
    scheme = ""
    colon = text.find(":")
    if colon > 0 and all(c in _SCHEME_CHARS for c in text[:colon]):
        scheme, text = text[:colon].lower(), text[colon + 1 :]
    netloc = ""
    if text.startswith("//"):
        end = _AUTHORITY_END.search(text, 2)
        cut = len(text) if end is None else end.start()
        netloc, text = _authority(text[2:cut], scheme), text[cut:]
    path, _, fragment = text.partition("#")
    path, _, query = path.partition("?")

    if path:
        path = _PATH(path)
        if netloc:
            path = _remove_dot_segments(path)
        elif not scheme:
            path = _protect_first_colon(path)
    elif netloc and (query or fragment):
        path = "/"
    if netloc or scheme in _AUTHORITY_SCHEMES or path.startswith("//"):
        if scheme:
            slash = "" if not path or path.startswith("/") else "/"
            url = f"{scheme}://{netloc}{slash}{path}"
        else:
            url = f"//{netloc}{path}"
    elif scheme:
        url = f"{scheme}:{path}"
    else:
        url = path
    if query:
        url = f"{url}?{_QUERY(query)}"
    if fragment:
        url = f"{url}#{_FRAGMENT(fragment)}"
    return url


def _authority(netloc: str, scheme: str) -> str:
    if "\\" in netloc:
        # WHATWG parsers read "\" as "/" for http(s): the host would be ambiguous.
        raise ValueError("a backslash in the authority")
    if not netloc.isascii():
        # The fullwidth solidus (U+FF0F) and friends become delimiters under NFKC,
        # which IDNA applies.
        bare = netloc.replace("@", "").replace(":", "")
        folded = unicodedata.normalize("NFKC", bare)
        if folded != bare and any(c in folded for c in "/?#@:%"):
            raise ValueError("the authority holds characters that NFKC turns into delimiters")
    userinfo, at, hostport = netloc.rpartition("@")
    if "[" in userinfo or "]" in userinfo:
        raise ValueError("brackets outside an IP literal")
    host, port = _split_host_port(hostport)
    if host:
        host = _encode_host(host)
    elif netloc and scheme in _DEFAULT_PORTS:
        # "http://" alone passes (yarl writes it as is); "http://:80" or "http://u@" do not.
        raise ValueError(f"a {scheme} URL needs a host")
    if port is not None and port == _DEFAULT_PORTS.get(scheme):
        port = None
    result = host if port is None else f"{host}:{port}"
    if at:
        user, has_password, password = userinfo.partition(":")
        if has_password:
            result = f"{_USERINFO(user)}:{_USERINFO(password)}@{result}"
        elif user:
            result = f"{_USERINFO(user)}@{result}"
    return result


def _split_host_port(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        host, bracket, rest = hostport.partition("]")
        if not bracket or "[" in host[1:] or "]" in rest or rest[:1] not in ("", ":"):
            raise ValueError("a malformed IP literal")
        host += bracket
        port_text = rest[1:]
    elif "[" in hostport or "]" in hostport:
        raise ValueError("brackets outside an IP literal")
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host, None
    # ASCII digits only: int() would take " 80", "+80", "8_0" and other scripts' digits.
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
        raise ValueError(f"port {port_text!r} is not a number from 0 to 65535")
    return host, int(port_text)


def _encode_host(host: str) -> str:
    if host.startswith("["):
        return _ip_literal(host[1:-1])
    encoded = host.lower() if host.isascii() else _idna(host)
    # yarl passes " ", "<", '"', "{", ... through; in a header they would end the URL.
    if _REG_NAME.fullmatch(encoded) is None:
        raise ValueError(f"host {host!r} holds characters that a host cannot have")
    return encoded


def _ip_literal(inner: str) -> str:
    if _IPV_FUTURE.fullmatch(inner):
        return f"[{inner}]"
    address, sep, zone = inner.partition("%25")
    if "%" in address or (sep and _ZONE_ID.fullmatch(zone) is None):
        raise ValueError(f"[{inner}] has a malformed zone (RFC 6874 writes it %25<zone>)")
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        raise ValueError(f"[{inner}] is not an IPv6 address") from None
    return f"[{ip.compressed}{sep}{zone}]"


def _idna(host: str) -> str:
    """Map *host* (IDNA's UTS 46 mapping, approximated) and punycode its labels."""
    if (bad := _IGNORABLE.search(host)) is not None:
        raise ValueError(f"host {host!r} holds the invisible character {bad.group()!r}")
    # Per character: str.lower() writes a final sigma at the end of a word where
    # UTS 46 maps capital sigma to the plain small sigma.
    lowered = "".join(c.lower() for c in unicodedata.normalize("NFKC", host))
    mapped = unicodedata.normalize("NFKC", lowered).replace("\u3002", ".")
    labels = mapped.split(".")
    if len(labels) > 1 and not labels[-1]:
        labels.pop()  # "example.com.": the empty root label
        root = "."
    else:
        root = ""
    encoded: list[str] = []
    for label in labels:
        if not label.isascii():
            label = "xn--" + label.encode("punycode").decode("ascii")
        if not 0 < len(label) <= 63:
            raise ValueError(f"host {host!r} has an empty label or one over 63 characters")
        encoded.append(label)
    return ".".join(encoded) + root


def _remove_dot_segments(path: str) -> str:
    """Resolve "." and ".." in an absolute path (RFC 3986 section 5.2.4)."""
    segments = path[1:].split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/" + "/".join(kept)


def _protect_first_colon(path: str) -> str:
    # A relative path whose first segment looks like "scheme:" (after decoding,
    # as in "%61:b") would read as a scheme; RFC 3986 section 4.2 escapes the colon.
    colon = path.find(":")
    if colon > 0 and all(c in _SCHEME_CHARS for c in path[:colon]):
        return f"{path[:colon]}%3A{path[colon + 1 :]}"
    return path
