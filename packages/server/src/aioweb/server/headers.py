"""Parsers for request header values: entity tags, HTTP dates, Range, Content-Type.

Each function takes the raw header value (``None`` when the header is absent) and
returns the same shapes aiohttp's ``BaseRequest`` properties return, so the
request object can expose them directly. Parsing is linear in the input and uses
ASCII digits only (``\\d`` would also match other Unicode digits).
"""

from __future__ import annotations

import codecs
import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import unquote

from aioweb.http.dates import parse_http_date

__all__ = [
    "ETAG_ANY",
    "ETag",
    "charset_from",
    "etag_from_header",
    "etag_header_value",
    "format_etag",
    "parse_content_disposition",
    "parse_content_type",
    "parse_etag_list",
    "parse_http_date_header",
    "parse_range",
    "validate_etag_value",
]

#: The If-Match / If-None-Match wildcard.
ETAG_ANY = "*"

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class ETag:
    """An entity tag: its opaque value (without quotes) and whether it is weak."""

    value: str
    is_weak: bool = False


# RFC 9110 8.8.3: etagc = %x21 / %x23-7E / obs-text
_ETAGC = r"[\x21\x23-\x7e\x80-\xff]"
_ETAGC_RE = re.compile(rf"{_ETAGC}*")
# One list member: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, then OWS and a
# comma (or the end of the value).
_ETAG_MEMBER_RE = re.compile(rf'[ \t]*(W/)?"({_ETAGC}*)"[ \t]*(?:,|$)')
_LIST_GAP_RE = re.compile(r"[ \t,]*")


def validate_etag_value(value: str) -> None:
    """Raise ``ValueError`` unless *value* can be sent as an entity-tag's content."""
    if value != ETAG_ANY and not _ETAGC_RE.fullmatch(value):
        raise ValueError(f"Value {value!r} is not a valid etag. Maybe it contains '\"'?")


def format_etag(etag: ETag) -> str:
    """Return the header form of *etag*: ``"v"``, ``W/"v"`` or ``*``."""
    validate_etag_value(etag.value)
    if etag.value == ETAG_ANY:
        return ETAG_ANY
    return f'W/"{etag.value}"' if etag.is_weak else f'"{etag.value}"'


def etag_header_value(value: ETag | str) -> str:
    """The ``ETag`` header for ``response.etag = value`` (a str is a strong tag).

    As :func:`format_etag`; ``ValueError`` also for a value that is neither str nor
    :class:`ETag` (as aiohttp).
    """
    if isinstance(value, str):
        return format_etag(ETag(value))
    if isinstance(value, ETag):
        return format_etag(value)
    raise ValueError(f"etag must be str, ETag or None, not {type(value).__name__}")


def etag_from_header(value: str) -> ETag | None:
    """The :class:`ETag` of an ``ETag`` header value, or None when it is not one."""
    weak = value.startswith("W/")
    if weak:
        value = value[2:]
    if value == ETAG_ANY:
        return ETag(value=ETAG_ANY, is_weak=weak)
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return None
    return ETag(value=value[1:-1], is_weak=weak)


def parse_etag_list(value: str | None) -> tuple[ETag, ...] | None:
    """Parse an If-Match / If-None-Match value.

    ``None`` (or an empty value) gives ``None``; ``*`` gives ``(ETag("*"),)``.
    Parsing stops at the first malformed member, keeping the tags before it,
    as aiohttp does.
    """
    if not value:
        return None
    if value.strip(" \t") == ETAG_ANY:
        return (ETag(ETAG_ANY),)
    tags: list[ETag] = []
    pos = _skip_gap(value, 0)
    end = len(value)
    while pos < end:
        match = _ETAG_MEMBER_RE.match(value, pos)
        if match is None:
            break
        tags.append(ETag(match.group(2), is_weak=match.group(1) is not None))
        pos = _skip_gap(value, match.end())
    return tuple(tags)


def _skip_gap(value: str, pos: int) -> int:
    gap = _LIST_GAP_RE.match(value, pos)
    return pos if gap is None else gap.end()


def parse_http_date_header(value: str | None) -> datetime.datetime | None:
    """Parse an HTTP date (If-Modified-Since, If-Range, ...) into an aware UTC datetime.

    Returns ``None`` when the header is absent or not a valid date.
    """
    if value is None:
        return None
    return parse_http_date(value)


# RFC 9110 14.1.2 byte-range-spec / suffix-byte-range-spec, one range only.
_RANGE_RE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.IGNORECASE)


def parse_range(value: str | None) -> slice:
    """Turn a Range header into a ``slice`` (step 1), as aiohttp's ``http_range``.

    ``bytes=0-499`` -> ``slice(0, 500, 1)``; ``bytes=500-`` -> ``slice(500, None, 1)``;
    ``bytes=-500`` -> ``slice(-500, None, 1)``; no header -> ``slice(None, None, 1)``.
    Raises ``ValueError`` for anything else: several ranges, a unit other than
    bytes, non-ASCII digits, a start after the end, ``bytes=-`` or ``bytes=-0``.
    """
    if value is None:
        return slice(None, None, 1)
    match = _RANGE_RE.fullmatch(value)
    if match is None:
        raise ValueError("range not in acceptable format")
    first, last = match.groups()
    if not first and not last:
        raise ValueError("No start or end of range specified")
    if not first:
        suffix = int(last)
        # A zero-length suffix selects nothing: unsatisfiable (RFC 9110 14.1.3).
        if suffix == 0:
            raise ValueError("suffix length must be positive")
        return slice(-suffix, None, 1)
    start = int(first)
    if not last:
        return slice(start, None, 1)
    stop = int(last) + 1  # the header's end is inclusive, a slice's is not
    if start >= stop:
        raise ValueError("start cannot be after end")
    return slice(start, stop, 1)


_EMPTY_PARAMS: MappingProxyType[str, str] = MappingProxyType({})
# A parameter value is a quoted-string (escapes allowed; an unterminated one runs
# to the end) or anything up to the next ";".
_PARAM_RE = re.compile(r'[ \t]*([^=;]*)(?:=[ \t]*("(?:[^"\\]|\\.)*(?:"|$)|[^;]*))?[ \t]*(?:;|$)')
_QUOTED_PAIR_RE = re.compile(r"\\(.)")
# RFC 2231 continuation / extended names: title*, title*0, title*0*.
_EXTENDED_RE = re.compile(r"([^*]+)\*(?:([0-9]{1,3})(\*)?)?")


def _unquote_param(raw: str) -> str:
    if raw.startswith('"'):
        inner = raw[1:-1] if len(raw) > 1 and raw.endswith('"') else raw[1:]
        return _QUOTED_PAIR_RE.sub(r"\1", inner)
    return raw.strip(" \t")


def _decode_rfc2231(value: str) -> str | None:
    charset, sep, rest = value.partition("'")
    if not sep:
        return None
    _language, sep, encoded = rest.partition("'")
    if not sep:
        return None
    try:
        codecs.lookup(charset or "utf-8")  # unquote() only looks it up for "%XX"
        return unquote(encoded, charset or "utf-8", "strict")
    except (LookupError, UnicodeDecodeError):
        return None


def _parse_params(text: str, *, strict: bool = False) -> dict[str, str] | None:
    # strict: a repeated parameter makes the whole value ambiguous (None).
    params: dict[str, str] = {}
    pieces: dict[str, list[tuple[int, str, bool]]] = {}
    seen: set[str] = set()
    pos = 0
    end = len(text)
    while pos < end:
        match = _PARAM_RE.match(text, pos)
        # The pattern matches (non-empty) at every position before the end.
        if match is None or match.end() == pos:  # pragma: no cover
            break
        pos = match.end()
        name = match.group(1).strip(" \t").lower()
        if not name:
            continue
        if name in seen:
            if strict:
                return None
        else:
            seen.add(name)
        raw = match.group(2)
        value = "" if raw is None else _unquote_param(raw)
        ext = _EXTENDED_RE.fullmatch(name)
        if ext is not None:
            base, index, star = ext.groups()
            if index is None:
                decoded = _decode_rfc2231(value)
                if decoded is not None:
                    params[base] = decoded
            elif len(pieces.setdefault(base, [])) < 64:
                pieces[base].append((int(index), value, star is not None))
            continue
        params.setdefault(name, value)
    for base, parts in pieces.items():
        parts.sort(key=lambda item: item[0])
        if [index for index, _, _ in parts] != list(range(len(parts))):
            continue
        joined = "".join(value for _, value, _ in parts)
        if parts[0][2]:
            decoded = _decode_rfc2231(joined)
            if decoded is None:
                continue
            joined = decoded
        params.setdefault(base, joined)
    return params


@functools.lru_cache(maxsize=64)
def _parse_content_type(value: str) -> tuple[str, MappingProxyType[str, str]]:
    mimetype, _, rest = value.partition(";")
    mimetype = mimetype.strip(" \t").lower()
    # Like aiohttp (which uses the email package): no single "/" means the
    # value is unusable and the RFC 9110 default applies, parameters and all.
    if mimetype.count("/") != 1:
        return DEFAULT_CONTENT_TYPE, _EMPTY_PARAMS
    params = _parse_params(rest) if rest else None
    return mimetype, _EMPTY_PARAMS if not params else MappingProxyType(params)


def parse_content_type(value: str | None) -> tuple[str, MappingProxyType[str, str]]:
    """Split a Content-Type value into the lowercased mimetype and its parameters.

    Parameter names are lowercased, quoted values unquoted, RFC 2231 forms
    (``name*=UTF-8''...``, ``name*0=...``) decoded; the first occurrence of a name wins.
    An absent or unusable value gives ``("application/octet-stream", {})``.
    Never raises.
    """
    if not value:
        return DEFAULT_CONTENT_TYPE, _EMPTY_PARAMS
    return _parse_content_type(value)


_DISPOSITION_TYPE_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def parse_content_disposition(value: str | None) -> tuple[str | None, MappingProxyType[str, str]]:
    """Split a Content-Disposition value into its lowercased type and parameters.

    Parameters are parsed as for :func:`parse_content_type` (RFC 2231 / RFC 5987
    ``filename*=UTF-8''...`` forms decoded and preferred over the plain form). A
    missing value, a type that is not a token or a repeated parameter (an
    ambiguity attackers use) gives ``(None, {})``. Never raises.
    """
    if not value:
        return None, _EMPTY_PARAMS
    disptype, _, rest = value.partition(";")
    disptype = disptype.strip(" \t")
    if not _DISPOSITION_TYPE_RE.fullmatch(disptype):
        return None, _EMPTY_PARAMS
    params = _parse_params(rest, strict=True) if rest else {}
    if params is None:
        return None, _EMPTY_PARAMS
    return disptype.lower(), MappingProxyType(params)


def charset_from(params: Mapping[str, str]) -> str | None:
    """Return the ``charset`` parameter of parsed Content-Type parameters, if any."""
    return params.get("charset")
