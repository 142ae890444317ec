"""The resolution index: finds the few resources that can match a path, in aiohttp's order.

aiohttp (3.10+) tries resources in this order: walk the request path from the
whole path down to ``/``, cutting one ``/``-segment at a time; at each step
try, in registration order, the resources whose *key* is that string. A
resource's key is its path up to the last ``/`` before its first variable
(``/api/{v}/x`` -> ``/api``), or its prefix, without trailing ``/``.

This index keeps that order exactly but never scans a key's resources:

* plain resources of a key sit in a dict by their exact path;
* dynamic resources of a key sit in a segment tree: one node per path
  segment after the key, with children by literal segment and by the literal
  text before the first variable of a segment (``items{id}`` -> ``items``).
  A resource whose variable may match a ``/`` (a custom regex such as
  ``.*``) stops the tree at that segment and is kept as a candidate for every
  path that reaches the node;
* prefix resources (static, sub-applications) and resources of unknown
  classes are kept in a short list per key.

The tree only proves that a resource *can* match; the resource's own regex
decides. Candidates found for one key are tried in registration order, so
where patterns overlap the first registered wins, as in aiohttp.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, cast

from ._domains import MatchedSubAppResource
from ._resources import (
    DEFAULT_VAR_RE,
    AbstractResource,
    DynamicResource,
    PlainResource,
    PrefixResource,
    Resource,
)
from ._routes import ResourceRoute
from ._static import StaticResource

__all__ = ("Bucket", "ResolutionIndex", "index_key", "regex_is_segment_local")


class FastResource(Protocol):
    """The internals through which stock resources are matched without a coroutine."""

    _routes: dict[str, ResourceRoute]
    _any_route: ResourceRoute | None
    _allowed_methods: set[str]

    def _match(self, path: str) -> dict[str, str] | None: ...


#: ``(registration order, resource, fast)``; *fast* is the same resource when it
#: can be matched synchronously through ``_match``/``_routes``, else ``None``.
Entry = tuple[int, AbstractResource, FastResource | None]


def index_key(resource: AbstractResource) -> str:
    """The key of *resource*, computed as aiohttp does but from the decoded path.

    aiohttp keys stock resources by their percent-encoded pattern, which a
    request's decoded ``path_safe`` never equals when the fixed text has a space
    or non-ASCII (aiohttp issue #13433); here they are keyed by the text they
    are matched with. Other resource classes are keyed by ``canonical``.
    """
    if isinstance(resource, DynamicResource):
        head = []
        for var, text in resource.parts:
            if var is not None:
                break
            head.append(text)
        key = "".join(head).rpartition("/")[0]
    elif isinstance(resource, PrefixResource):
        key = resource.safe_prefix
    else:
        key = resource.canonical
        if "{" in key:
            key = key.partition("{")[0].rpartition("/")[0]
    return key.rstrip("/") or "/"


def regex_is_segment_local(regex: str) -> bool:
    """True only if *regex* surely cannot match a ``/`` (a conservative check).

    Accepted: literals other than ``/`` and ``.``, ``\\d``, ``\\w``, ``\\s``,
    escaped punctuation, classes whose members and ranges leave out ``/``,
    negated classes that list ``/`` (``[^/]``), groups ``(...)``/``(?:...)``,
    ``|`` and quantifiers. Anything else
    (``.``, ``\\D``, lookarounds, inline flags...) is "may match".
    """
    i, n = 0, len(regex)
    while i < n:
        char = regex[i]
        if char == "\\":
            if i + 1 >= n or not _safe_escape(regex[i + 1]):
                return False
            i += 2
        elif char == "[":
            end = _safe_class_end(regex, i + 1)
            if end < 0:
                return False
            i = end + 1
        elif char in "./":
            return False
        elif char == "(" and regex.startswith("(?", i):
            if not regex.startswith("(?:", i):
                return False
            i += 3
        else:
            i += 1
    return True


def _safe_escape(char: str) -> bool:
    return char in "dws" or (not char.isalnum() and char != "/" and char.isascii())


def _safe_class_end(regex: str, i: int) -> int:
    """Index of the class's closing ``]`` if the class excludes ``/``, else -1."""
    n = len(regex)
    negated = i < n and regex[i] == "^"
    if negated:
        i += 1
    previous: str | None = None
    has_slash = False
    first = True
    while i < n and (regex[i] != "]" or first):
        first = False
        char = regex[i]
        if char == "\\":
            if i + 1 >= n:
                return -1
            escaped = regex[i + 1]
            if escaped == "/":
                if not negated:
                    return -1
                has_slash = True
            elif not negated and not _safe_escape(escaped):
                return -1
            previous = escaped if not escaped.isalnum() else None
            i += 2
            continue
        if char == "-" and previous is not None and i + 1 < n and regex[i + 1] != "]":
            high = regex[i + 1]
            if high in "\\[" or (not negated and ord(previous) <= ord("/") <= ord(high)):
                return -1
            previous = None
            i += 2
            continue
        if char == "[":
            return -1
        has_slash = has_slash or char == "/"
        if char == "/" and not negated:
            return -1
        previous = char
        i += 1
    if i >= n:
        return -1
    # A negated class is safe exactly when "/" is one of the excluded characters.
    return i if (has_slash or not negated) else -1


class _Node:
    __slots__ = ("literal", "prefix_lengths", "prefixed", "tail", "terminal", "wild")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.wild: _Node | None = None  # a segment with a variable and no literal prefix
        self.prefixed: dict[str, _Node] = {}  # by the literal text before the variable
        self.prefix_lengths: tuple[int, ...] = ()
        self.terminal: list[Entry] = []
        self.tail: list[Entry] = []

    def child(self, literal: str | None, prefix: str) -> _Node:
        if literal is not None:
            return self.literal.setdefault(literal, _Node())
        if not prefix:
            if self.wild is None:
                self.wild = _Node()
            return self.wild
        if prefix not in self.prefixed:
            self.prefixed[prefix] = _Node()
            self.prefix_lengths = tuple(sorted({*self.prefix_lengths, len(prefix)}))
        return self.prefixed[prefix]

    def collect(self, segments: list[str], i: int, out: list[Entry]) -> None:
        # Order of collection does not matter: the caller sorts by registration.
        node = self
        end = len(segments)
        while True:
            if node.tail:
                out.extend(node.tail)
            if i == end:
                out.extend(node.terminal)
                return
            segment = segments[i]
            i += 1
            for length in node.prefix_lengths:
                child = node.prefixed.get(segment[:length])
                if child is not None:
                    child.collect(segments, i, out)
            literal = node.literal.get(segment) if node.literal else None
            wild = node.wild
            if literal is None:
                if wild is None:
                    return
                node = wild
            elif wild is None:
                node = literal
            else:
                literal.collect(segments, i, out)
                node = wild


def _shape(resource: DynamicResource) -> tuple[list[tuple[str | None, str]], bool]:
    """Segments as ``(literal, None)`` or ``(None, prefix)``, and whether a tail follows.

    The first element is the empty segment before the leading ``/``.
    """
    segments: list[tuple[str | None, str]] = []
    text = ""
    var_prefix: str | None = None
    for var, piece in resource.parts:
        if var is None:
            chunks = piece.split("/")
            for n, chunk in enumerate(chunks):
                if n:
                    segments.append(_close(text, var_prefix))
                    text, var_prefix = "", None
                text += chunk
        else:
            if piece != DEFAULT_VAR_RE and not regex_is_segment_local(piece):
                return segments, True
            if var_prefix is None:
                var_prefix = text
            text += "{}"
    segments.append(_close(text, var_prefix))
    return segments, False


def _close(text: str, var_prefix: str | None) -> tuple[str | None, str]:
    # Literals come spelled as path_safe spells them (DynamicResource.parts), so a
    # path segment equals a literal exactly when the resource's regex can match it.
    if var_prefix is None:
        return text, ""
    return None, var_prefix


class Bucket:
    """The resources of one key."""

    __slots__ = ("entries", "key", "others", "plain", "skip", "small", "tree")

    #: Up to this many resources, a key's candidates are simply all of them:
    #: a few regex matches cost less than walking the tree.
    SMALL = 4

    def __init__(self, key: str) -> None:
        self.key = key
        self.entries: list[Entry] = []
        self.small: list[Entry] | None = None
        self.plain: dict[str, list[Entry]] = {}
        self.others: list[Entry] = []
        self.tree: _Node | None = None
        # Path segments covered by the key ("/" covers only the leading empty one).
        self.skip = 1 if key == "/" else key.count("/") + 1

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.small = self.entries if len(self.entries) <= self.SMALL else None
        resource = entry[1]
        if type(resource) is PlainResource:
            self.plain.setdefault(resource.canonical, []).append(entry)
            return
        if type(resource) is DynamicResource:
            segments, has_tail = _shape(resource)
            if len(segments) >= self.skip:
                node = self.tree = self.tree or _Node()
                for literal, prefix in segments[self.skip :]:
                    node = node.child(literal, prefix)
                (node.tail if has_tail else node.terminal).append(entry)
                return
        self.others.append(entry)

    def candidates(self, path: str, segments: list[str]) -> list[Entry]:
        """The resources of this key that may match *path*, in registration order."""
        plain = self.plain.get(path)
        found: list[Entry] = [] if plain is None else plain.copy()
        if self.others:
            found.extend(self.others)
        if self.tree is not None:
            self.tree.collect(segments, self.skip, found)
        if len(found) > 1:
            found.sort(key=_order)
        return found


def _order(entry: Entry) -> int:
    return entry[0]


class ResolutionIndex:
    """Buckets by key, plus the rule-guarded (domain) resources tried first."""

    __slots__ = ("buckets", "matched")

    def __init__(self, resources: Iterable[AbstractResource]) -> None:
        self.buckets: dict[str, Bucket] = {}
        self.matched: list[AbstractResource] = []
        for order, resource in enumerate(resources):
            if isinstance(resource, MatchedSubAppResource):
                self.matched.append(resource)
                continue
            key = index_key(resource)
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = Bucket(key)
            bucket.add((order, resource, _is_fast(resource)))


def _is_fast(resource: AbstractResource) -> FastResource | None:
    # Only resources whose resolve() is the stock one can skip the coroutine.
    cls = type(resource)
    if isinstance(resource, StaticResource):
        fast = cls.resolve is StaticResource.resolve
    else:
        fast = isinstance(resource, Resource) and cls.resolve is Resource.resolve
    return cast(FastResource, resource) if fast else None
