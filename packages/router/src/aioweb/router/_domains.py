"""Domain rules and the sub-application resource that they guard."""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from yarl import URL

from aioweb.exceptions import HTTPMethodNotAllowed

from ._contracts import Request, SubApplication
from ._resources import _EMPTY, PrefixedSubAppResource, PrefixResource, ResolveResult

__all__ = ("AbstractRuleMatching", "Domain", "MaskDomain", "MatchedSubAppResource")


class AbstractRuleMatching(abc.ABC):
    """A rule that decides whether a request belongs to a sub-application."""

    @abc.abstractmethod
    async def match(self, request: Request) -> bool:
        """True if *request* satisfies the rule."""

    @abc.abstractmethod
    def get_info(self) -> Mapping[str, Any]:
        """Introspection data."""

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """A string form of the rule."""


class Domain(AbstractRuleMatching):
    """Matches requests whose ``Host`` header equals *domain* (case-insensitive).

    *domain* is normalised: lower-cased, trailing dot removed, port 80 dropped;
    any other port stays part of it (``example.com:8080``). A scheme, an empty
    name or a label that is not ``[a-z0-9-]`` (1-63 chars, no leading or
    trailing dash) raises ``ValueError``.
    """

    label_re: ClassVar[re.Pattern[str]] = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)

    def __init__(self, domain: str) -> None:
        self._domain = self._validate(domain)

    def _validate(self, domain: str) -> str:
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        domain = domain.rstrip(".").lower()
        if not domain:
            raise ValueError("Domain cannot be empty")
        if "://" in domain:
            raise ValueError("Scheme not supported")
        try:
            url = URL("http://" + domain)
            host, port = url.raw_host, url.port
        except ValueError as exc:
            raise ValueError(f"Domain not valid: {exc}") from None
        if url.raw_path not in ("", "/") or url.raw_query_string or url.raw_fragment:
            raise ValueError("Domain not valid")
        if host is None or not all(self.label_re.fullmatch(x) for x in host.split(".")):
            raise ValueError("Domain not valid")
        return host if port == 80 else f"{host}:{port}"

    @property
    def canonical(self) -> str:
        """The normalised domain."""
        return self._domain

    async def match(self, request: Request) -> bool:
        """Compare the request's ``Host`` header."""
        host = request.headers.get("Host")
        if not host:
            return False
        return self.match_domain(host)

    def match_domain(self, host: str) -> bool:
        """True if the ``Host`` value *host* is this domain.

        The port only counts when the domain was registered with one.
        """
        host = host.lower()
        return host == self._domain or host.partition(":")[0] == self._domain

    def get_info(self) -> Mapping[str, Any]:
        """``{"domain": domain}``."""
        return {"domain": self._domain}


class MaskDomain(Domain):
    """Like :class:`Domain`, with ``*`` matching any characters (``*.example.com``).

    A port in the mask must equal the request's port; without one any port matches.
    """

    label_re: ClassVar[re.Pattern[str]] = re.compile(r"(?!-)[a-z0-9*-]{1,63}(?<!-)", re.ASCII)

    def __init__(self, domain: str) -> None:
        super().__init__(domain)
        host_mask, _, self._port = self._domain.partition(":")
        self._mask = re.compile(
            ".*".join(re.escape(piece) for piece in host_mask.split("*")), re.ASCII | re.IGNORECASE
        )
        self._pattern = self._domain.replace(".", r"\.").replace("*", "[^:]*") + "(:.*)?"

    @property
    def canonical(self) -> str:
        """The mask as a regex over ``host[:port]``."""
        return self._pattern

    def match_domain(self, host: str) -> bool:
        """True if *host* (``name[:port]``) matches the mask."""
        hostname, _, port = host.partition(":")
        if self._port and port != self._port:
            return False
        return self._mask.fullmatch(hostname) is not None


class MatchedSubAppResource(PrefixedSubAppResource):
    """A sub-application reached when *rule* matches (``Application.add_domain``).

    The router tries these before any path-indexed resource.
    """

    def __init__(self, rule: AbstractRuleMatching, app: SubApplication) -> None:
        PrefixResource.__init__(self, "")
        self._app = app
        self._rule = rule

    @property
    def canonical(self) -> str:
        """The rule's canonical form."""
        return self._rule.canonical

    def get_info(self) -> Mapping[str, Any]:
        """``{"app": app, "rule": rule}``."""
        return {"app": self._app, "rule": self._rule}

    async def resolve(self, request: Request) -> ResolveResult:
        """Resolve in the sub-application when the rule matches."""
        if not await self._rule.match(request):
            return None, _EMPTY
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        exc = match_info.http_exception
        methods = exc.allowed_methods if isinstance(exc, HTTPMethodNotAllowed) else _EMPTY
        return match_info, methods

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"
