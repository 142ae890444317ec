"""aioweb.router: aiohttp's URL dispatch, usable on its own.

Register handlers on a :class:`UrlDispatcher`, then ``await router.resolve(request)``
for any request object with ``method``, ``rel_url`` and ``headers`` (see
:class:`Request`); the result is a :class:`UrlMappingMatchInfo` whose ``handler``
you call. Names, signatures and behaviour follow ``aiohttp.web``.
"""

from __future__ import annotations

from ._contracts import ExpectHandler, Handler, Request, Resolver, StaticResponder, SubApplication
from ._dispatcher import UrlDispatcher
from ._domains import AbstractRuleMatching, Domain, MaskDomain, MatchedSubAppResource
from ._helpers import METH_ALL, METH_ANY
from ._match_info import MatchInfoError, UrlMappingMatchInfo
from ._resources import (
    AbstractResource,
    DynamicResource,
    PlainResource,
    PrefixedSubAppResource,
    PrefixResource,
    Resource,
    ResourcesView,
    RoutesView,
)
from ._routedef import (
    AbstractRouteDef,
    RouteDef,
    RouteTableDef,
    StaticDef,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    route,
    static,
    view,
)
from ._routes import AbstractRoute, ResourceRoute, SystemRoute, default_expect_handler
from ._static import StaticResource
from ._view import AbstractView, View

__all__ = [
    "METH_ALL",
    "METH_ANY",
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouteDef",
    "AbstractRuleMatching",
    "AbstractView",
    "Domain",
    "DynamicResource",
    "ExpectHandler",
    "Handler",
    "MaskDomain",
    "MatchInfoError",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Request",
    "Resolver",
    "Resource",
    "ResourceRoute",
    "ResourcesView",
    "RouteDef",
    "RouteTableDef",
    "RoutesView",
    "StaticDef",
    "StaticResource",
    "StaticResponder",
    "SubApplication",
    "SystemRoute",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
    "default_expect_handler",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
]
