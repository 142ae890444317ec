"""Small shared pieces: HTTP method names, path quoting, route-name rules."""

from __future__ import annotations

import keyword
import re
from typing import Final

from yarl import URL

__all__ = (
    "METH_ALL",
    "METH_ANY",
    "ascii_digits",
    "check_method",
    "check_route_name",
    "quote_path",
    "requote_path",
    "safe_form",
    "unquote_path_safe",
)

METH_ANY: Final = "*"
METH_ALL: Final = frozenset(
    {"CONNECT", "HEAD", "GET", "DELETE", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)

# RFC 9110 section 5.6.2: a method is a token.
_TOKEN_RE: Final = re.compile(r"[0-9A-Za-z!#$%&'*+\-.^_`|~]+")
_NAME_SPLIT_RE: Final = re.compile(r"[.:-]")


def check_method(method: str) -> str:
    """Return *method* upper-cased, or raise ``ValueError`` if it is not a token."""
    if not isinstance(method, str):
        raise TypeError(f"method must be str, not {type(method).__name__}")
    upper = method.upper()
    if _TOKEN_RE.fullmatch(upper) is None:
        raise ValueError(f"{method!r} is not allowed HTTP method")
    return upper


def check_route_name(name: str) -> None:
    """Raise ``ValueError`` unless *name* is identifiers joined by ``.``, ``:`` or ``-``."""
    if not isinstance(name, str):
        raise TypeError(f"route name must be str, not {type(name).__name__}")
    for part in _NAME_SPLIT_RE.split(name):
        if keyword.iskeyword(part):
            raise ValueError(
                f"Incorrect route name {name!r}, python keywords cannot be used for route name"
            )
        if not part.isidentifier():
            raise ValueError(
                f"Incorrect route name {name!r}, the name should be a sequence of python "
                "identifiers separated by dash, dot or column"
            )


def quote_path(value: str) -> str:
    """Percent-encode *value* for use inside a URL path (``/`` is kept)."""
    return URL.build(path=value, encoded=False).raw_path


def requote_path(value: str) -> str:
    """Like :func:`quote_path` but keep the ``%XX`` sequences already present."""
    result = quote_path(value)
    if "%" in value:
        result = result.replace("%25", "%")
    return result


def safe_form(value: str) -> str:
    """Path text spelled as ``rel_url.path_safe`` spells it: what the router compares.

    The text is percent-encoded as :func:`requote_path` does (the spelling of the
    URLs ``url_for`` builds), then decoded as ``path_safe`` decodes a request's
    path (everything but ``%2F`` and ``%25``). So ``"/hello world"``,
    ``"/hello%20world"`` and ``"/é"`` compare equal to the paths that reach them.
    """
    quoted = requote_path(value)
    if "%" not in quoted:
        return quoted
    # The leading "/" keeps yarl from reading a relative "a:b" as a scheme.
    return URL.build(path="/" + quoted, encoded=True).path_safe[1:]


def ascii_digits(regex: str) -> str:
    """*regex* with each ``\\d`` rewritten as ``[0-9]`` (``0-9`` inside a class).

    Route regexes otherwise keep Python's Unicode semantics (``\\w`` matches
    ``é``, as in aiohttp); only digits are narrowed, so that ``{id:\\d+}`` never
    matches a Unicode digit such as U+0661, which ``int()`` would accept too.
    ``\\D`` needs no change: in Unicode mode it already refuses every digit.
    """
    if "\\d" not in regex:
        return regex
    out: list[str] = []
    i, n = 0, len(regex)
    class_start = -1  # index just past "[" (and "^") of the open class, or -1
    while i < n:
        char = regex[i]
        if char == "\\" and i + 1 < n:
            pair = regex[i : i + 2]
            if pair == "\\d":
                pair = "0-9" if class_start >= 0 else "[0-9]"
            out.append(pair)
            i += 2
            continue
        if class_start < 0:
            if char == "[":
                class_start = i + 1
                if regex[i + 1 : i + 2] == "^":
                    class_start += 1
                    out.append("[^")
                    i += 2
                    continue
        elif char == "]" and i != class_start:  # a "]" first in a class is a literal
            class_start = -1
        out.append(char)
        i += 1
    return "".join(out)


def unquote_path_safe(value: str) -> str:
    """Decode the two escapes that ``URL.path_safe`` keeps (``%2F`` and ``%25``)."""
    if "%" not in value:
        return value
    return value.replace("%2F", "/").replace("%25", "%")


class Generation:
    """A counter bumped by every change that can move a resource in an index.

    Routers rebuild their resolution index when it moved since the last build;
    ``add_prefix`` on a sub-application's resources bumps it although the
    resources do not know their router.
    """

    value = 0

    @classmethod
    def bump(cls) -> None:
        """Record a change."""
        cls.value += 1
